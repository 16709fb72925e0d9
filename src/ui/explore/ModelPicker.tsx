import { type ArchSpec, findPreset, type ModelRef, PRESETS, type PresetGroup } from '../../core';

const GROUPS: readonly PresetGroup[] = ['Keras', 'torchvision', 'CIFAR', 'Plain twins'];
const CUSTOM = '__custom__';

/** The residual ↔ plain counterpart of a preset, if there is one. */
export function twinOf(name: string): string | undefined {
  const other = name.startsWith('plain-') ? name.slice('plain-'.length) : `plain-${name}`;
  return findPreset(other)?.name;
}

export function ModelPicker(props: {
  model: ModelRef;
  spec: ArchSpec;
  customOpen: boolean;
  onPick(model: ModelRef): void;
  onCustomise(): void;
}) {
  const { model, spec } = props;
  const value = model.kind === 'preset' ? model.name : CUSTOM;
  const twin = model.kind === 'preset' ? twinOf(model.name) : undefined;
  return (
    <div className="model-picker">
      <label>
        <span>Model</span>
        <select
          value={value}
          onChange={(e) => {
            if (e.target.value === CUSTOM) props.onCustomise();
            else props.onPick({ kind: 'preset', name: e.target.value });
          }}
        >
          {GROUPS.map((g) => (
            <optgroup key={g} label={g}>
              {PRESETS.filter((p) => p.group === g).map((p) => (
                <option key={p.spec.name} value={p.spec.name}>
                  {p.spec.name}
                </option>
              ))}
            </optgroup>
          ))}
          <optgroup label="Your own">
            <option value={CUSTOM}>{model.kind === 'custom' ? `Custom: ${spec.name}` : 'Custom…'}</option>
          </optgroup>
        </select>
      </label>
      {twin && (
        <button type="button" onClick={() => props.onPick({ kind: 'preset', name: twin })}>
          {twin.startsWith('plain-') ? 'Show plain twin' : 'Show residual version'}
        </button>
      )}
      <button type="button" aria-expanded={props.customOpen} onClick={props.onCustomise}>
        {props.customOpen ? 'Close builder' : 'Customise…'}
      </button>
    </div>
  );
}
