import { useEffect, useState } from 'react';
import { BATCH_LIMITS, type CompareSettings, INPUT_LIMITS, type Unit } from '../../core/compare';
import { DTYPE_BYTES, type Dtype } from '../../core/analysis';
import { UNIT_NOTE } from './format';

interface Props {
  readonly settings: CompareSettings;
  readonly unit: Unit;
  readonly onSettings: (s: CompareSettings) => void;
  readonly onUnit: (u: Unit) => void;
}

/** A number field that applies every valid value at once and says inline why an invalid one is ignored. */
function IntField(props: {
  readonly label: string;
  readonly value: number | null;
  readonly min: number;
  readonly max: number;
  readonly placeholder?: string;
  readonly allowEmpty?: boolean;
  readonly onValue: (v: number | null) => void;
}) {
  const { label, value, min, max, placeholder, allowEmpty, onValue } = props;
  const [text, setText] = useState(value === null ? '' : String(value));
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setText((t) => (t === (value === null ? '' : String(value)) ? t : value === null ? '' : String(value)));
  }, [value]);
  const id = `cmp-${label.replace(/\W+/g, '-').toLowerCase()}`;
  const change = (t: string) => {
    setText(t);
    if (allowEmpty && t.trim() === '') {
      setError(null);
      onValue(null);
      return;
    }
    const n = Number(t);
    if (!/^\s*\d+\s*$/.test(t) || n < min || n > max) {
      setError(`${label}: ${JSON.stringify(t)} is not an integer from ${min} to ${max}${allowEmpty ? ' (empty = each model’s own)' : ''}; keeping ${value ?? 'default'}.`);
      return;
    }
    setError(null);
    onValue(n);
  };
  return (
    <span className="cmp-field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        inputMode="numeric"
        min={min}
        max={max}
        value={text}
        placeholder={placeholder}
        aria-invalid={error ? true : undefined}
        onChange={(e) => change(e.target.value)}
      />
      {error && (
        <span role="alert" className="cmp-error">
          {error}
        </span>
      )}
    </span>
  );
}

export function Controls({ settings, unit, onSettings, onUnit }: Props) {
  return (
    <section className="cmp-controls" aria-label="Settings">
      <IntField
        label="Input size"
        value={settings.input}
        min={INPUT_LIMITS[0]}
        max={INPUT_LIMITS[1]}
        placeholder="model's own"
        allowEmpty
        onValue={(input) => onSettings({ ...settings, input })}
      />
      <IntField
        label="Batch size"
        value={settings.batch}
        min={BATCH_LIMITS[0]}
        max={BATCH_LIMITS[1]}
        onValue={(b) => onSettings({ ...settings, batch: b ?? 1 })}
      />
      <span className="cmp-field">
        <label htmlFor="cmp-dtype">dtype</label>
        <select id="cmp-dtype" value={settings.dtype} onChange={(e) => onSettings({ ...settings, dtype: e.target.value as Dtype })}>
          {Object.keys(DTYPE_BYTES).map((d) => (
            <option key={d} value={d}>
              {d}
            </option>
          ))}
        </select>
      </span>
      <fieldset className="cmp-unit">
        <legend>Count</legend>
        <label>
          <input type="radio" name="cmp-unit" value="macs" checked={unit === 'macs'} onChange={() => onUnit('macs')} /> MACs (multiply-adds)
        </label>
        <label>
          <input type="radio" name="cmp-unit" value="flops" checked={unit === 'flops'} onChange={() => onUnit('flops')} /> FLOPs (= 2 × MACs)
        </label>
      </fieldset>
      <p className="cmp-hint cmp-unit-note">{UNIT_NOTE}</p>
    </section>
  );
}
