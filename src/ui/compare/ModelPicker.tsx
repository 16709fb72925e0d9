import { useState } from 'react';
import { QUICK_SETS } from '../../core/compare';
import { PRESETS, type PresetGroup } from '../../core/presets';
import type { ArchSpec } from '../../core/spec';
import { ignoredFieldsNotice, MAX_SPEC_CHARS, parseCustomSpec } from '../../core/spec-json';

interface Props {
  readonly models: readonly string[];
  readonly custom: readonly ArchSpec[];
  /** Preset checkboxes: custom specs stay. */
  readonly onModels: (models: readonly string[]) => void;
  /** A quick set replaces the whole selection, custom specs included. */
  readonly onQuickSet: (models: readonly string[]) => void;
  readonly onAddCustom: (spec: ArchSpec) => void;
  readonly onRemoveCustom: (name: string) => void;
}

const GROUPS: readonly PresetGroup[] = ['torchvision', 'Keras', 'CIFAR', 'Plain twins'];

const EXAMPLE = JSON.stringify(
  { ...PRESETS.find((p) => p.spec.name === 'ResNet-20')!.spec, name: 'ResNet-20 option B', family: 'custom', shortcut: 'B' },
  null,
  1,
);

/** Quick sets, presets by group, and a custom spec typed as JSON (validated, errors inline). */
export function ModelPicker({ models, custom, onModels, onQuickSet, onAddCustom, onRemoveCustom }: Props) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const toggle = (name: string, on: boolean) => onModels(on ? [...models, name] : models.filter((m) => m !== name));
  const add = () => {
    const r = parseCustomSpec(text);
    setNote(null);
    if (!r.ok) {
      setError(`Not added: ${r.error}.`);
      return;
    }
    if (models.includes(r.spec.name) || custom.some((c) => c.name === r.spec.name)) {
      setError(`A model named "${r.spec.name}" is already selected: give the custom spec another name.`);
      return;
    }
    setError(null);
    setNote(ignoredFieldsNotice(r.ignored) ?? null);
    onAddCustom(r.spec);
  };
  return (
    <section className="cmp-picker" aria-label="Choose models">
      <div className="cmp-quick" role="group" aria-label="Quick sets">
        <span>Quick sets:</span>
        {QUICK_SETS.map((q) => (
          <button
            key={q.id}
            type="button"
            title={q.why}
            aria-pressed={q.models.length === models.length && q.models.every((m, i) => models[i] === m) && !custom.length}
            onClick={() => onQuickSet(q.models)}
          >
            {q.label}
          </button>
        ))}
      </div>
      <details className="cmp-presets">
        <summary>Presets ({models.length} selected)</summary>
        <div className="cmp-preset-groups">
          {GROUPS.map((g) => (
            <fieldset key={g}>
              <legend>{g}</legend>
              {PRESETS.filter((p) => p.group === g).map((p) => (
                <label key={p.spec.name}>
                  <input type="checkbox" checked={models.includes(p.spec.name)} onChange={(e) => toggle(p.spec.name, e.target.checked)} />{' '}
                  {p.spec.name}
                </label>
              ))}
            </fieldset>
          ))}
        </div>
      </details>
      <details className="cmp-custom">
        <summary>Custom spec (JSON){custom.length ? ` — ${custom.length} added` : ''}</summary>
        <p className="cmp-hint">
          Paste an ArchSpec (the fields of a preset, at most {MAX_SPEC_CHARS} characters). It is checked before it is added.{' '}
          <button type="button" onClick={() => setText(EXAMPLE)}>
            Fill an example
          </button>
        </p>
        <textarea
          aria-label="Custom spec JSON"
          rows={8}
          value={text}
          spellCheck={false}
          onChange={(e) => setText(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'cmp-custom-error' : undefined}
        />
        <div>
          <button type="button" onClick={add}>
            Add custom spec
          </button>
        </div>
        {error && (
          <p id="cmp-custom-error" role="alert" className="cmp-error">
            {error}
          </p>
        )}
        {note && (
          <p className="cmp-hint" role="status" data-testid="custom-note">
            {note}
          </p>
        )}
        {custom.length > 0 && (
          <ul>
            {custom.map((c) => (
              <li key={c.name}>
                {c.name}{' '}
                <button type="button" onClick={() => onRemoveCustom(c.name)} aria-label={`Remove custom ${c.name}`}>
                  remove
                </button>
              </li>
            ))}
          </ul>
        )}
      </details>
    </section>
  );
}
