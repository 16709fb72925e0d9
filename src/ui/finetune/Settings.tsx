/** Training settings: epochs, learning rate, batch size, validation share, mirror augmentation. Out-of-range input is shown, not sent. */
import type { FinetuneOptions } from '../../tf/finetune';

export type SettingsValue = Required<Omit<FinetuneOptions, 'seed'>> & { readonly seed: number };

function NumberField({
  label,
  value,
  min,
  max,
  step,
  disabled,
  onChange,
}: {
  label: string;
  value: number;
  min: number;
  max: number;
  step: number | 'any';
  disabled: boolean;
  onChange: (v: number) => void;
}) {
  return (
    <label>
      {label}{' '}
      <input
        type="number"
        aria-label={label}
        value={Number.isNaN(value) ? '' : value}
        min={min}
        max={max}
        step={step}
        disabled={disabled}
        style={{ width: '6rem' }}
        onChange={(e) => onChange(e.target.valueAsNumber)}
      />
    </label>
  );
}

/** Why these settings cannot be used, or undefined. */
export function settingsProblem(s: SettingsValue): string | undefined {
  if (!Number.isInteger(s.epochs) || s.epochs < 1 || s.epochs > 1000) return `Epochs must be a whole number from 1 to 1000 (got ${s.epochs}).`;
  if (!(s.learningRate > 0 && s.learningRate <= 1)) return `Learning rate must be above 0 and at most 1 (got ${s.learningRate}).`;
  if (!Number.isInteger(s.batchSize) || s.batchSize < 1 || s.batchSize > 1024) return `Batch size must be a whole number from 1 to 1024 (got ${s.batchSize}).`;
  if (!(s.validationSplit >= 0 && s.validationSplit < 1)) return `Validation share must be from 0 to 95% (got ${s.validationSplit * 100}%).`;
  return undefined;
}

export function Settings({ value, onChange, disabled }: { value: SettingsValue; onChange: (v: SettingsValue) => void; disabled: boolean }) {
  const set = (patch: Partial<SettingsValue>) => onChange({ ...value, ...patch });
  const problem = settingsProblem(value);
  return (
    <div className="cls-row ft-settings">
      <NumberField label="Epochs" value={value.epochs} min={1} max={1000} step={1} disabled={disabled} onChange={(epochs) => set({ epochs })} />
      <NumberField label="Learning rate" value={value.learningRate} min={0} max={1} step="any" disabled={disabled} onChange={(learningRate) => set({ learningRate })} />
      <NumberField label="Batch size" value={value.batchSize} min={1} max={1024} step={1} disabled={disabled} onChange={(batchSize) => set({ batchSize })} />
      <NumberField
        label="Validation %"
        value={Math.round(value.validationSplit * 100)}
        min={0}
        max={95}
        step={5}
        disabled={disabled}
        onChange={(v) => set({ validationSplit: v / 100 })}
      />
      <label>
        <input type="checkbox" checked={value.flip} disabled={disabled} onChange={(e) => set({ flip: e.target.checked })} /> mirror training images
      </label>
      {problem && (
        <span className="cls-error-inline" role="alert">
          {problem}
        </span>
      )}
    </div>
  );
}
