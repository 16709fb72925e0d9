/**
 * Training settings: the head (Dense(N), or the Keras tutorial's Dense(2048, relu) + Dense(N)), dropout, early
 * stopping patience, epochs, learning rate, batch size, validation share, mirror augmentation, and whether to
 * keep what conv5 fine-tuning needs. Out-of-range input is shown, not sent.
 */

/** The two heads src/tf/finetune.ts trains (`head` option). */
export type HeadChoice = 'dense' | 'dense2048';

export interface SettingsValue {
  readonly head: HeadChoice;
  /** Dropout rate before the softmax layer, 0 = none. */
  readonly dropout: number;
  /** Epochs without a lower validation loss before stopping (best epoch kept); 0 = off. */
  readonly patience: number;
  readonly epochs: number;
  readonly learningRate: number;
  readonly batchSize: number;
  readonly validationSplit: number;
  readonly flip: boolean;
  readonly seed: number;
  /** Keep conv4's output of every image during feature extraction, so conv5 can be fine-tuned afterwards. */
  readonly prepareStage: boolean;
}

export const HEAD_LABELS: Record<HeadChoice, string> = {
  dense: 'Dense(N, softmax) — one new layer',
  dense2048: 'Dense(2048, relu) + Dense(N, softmax) — Keras tutorial head',
};

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
  if (!(s.dropout >= 0 && s.dropout < 1)) return `Dropout must be from 0 to 95% (got ${s.dropout * 100}%).`;
  if (!Number.isInteger(s.patience) || s.patience < 0 || s.patience > 1000) return `Patience must be a whole number from 0 (off) to 1000 (got ${s.patience}).`;
  if (s.patience > 0 && s.validationSplit === 0) return 'Early stopping watches the validation loss: set a validation share above 0, or patience 0 (off).';
  return undefined;
}

export function Settings({ value, onChange, disabled }: { value: SettingsValue; onChange: (v: SettingsValue) => void; disabled: boolean }) {
  const set = (patch: Partial<SettingsValue>) => onChange({ ...value, ...patch });
  const problem = settingsProblem(value);
  return (
    <div className="cls-row ft-settings">
      <label>
        Head{' '}
        <select aria-label="Head" value={value.head} disabled={disabled} onChange={(e) => set({ head: e.target.value as HeadChoice })}>
          {(Object.keys(HEAD_LABELS) as HeadChoice[]).map((h) => (
            <option key={h} value={h}>
              {HEAD_LABELS[h]}
            </option>
          ))}
        </select>
      </label>
      <NumberField
        label="Dropout %"
        value={Math.round(value.dropout * 100)}
        min={0}
        max={95}
        step={5}
        disabled={disabled}
        onChange={(v) => set({ dropout: v / 100 })}
      />
      <NumberField label="Early stopping patience (0 = off)" value={value.patience} min={0} max={1000} step={1} disabled={disabled} onChange={(patience) => set({ patience })} />
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
      <label title="Keeps conv4's output of each image (about 0.8 MB per image for ResNet50) so conv5 can be fine-tuned after the head">
        <input type="checkbox" checked={value.prepareStage} disabled={disabled} onChange={(e) => set({ prepareStage: e.target.checked })} /> prepare
        conv5 fine-tuning
      </label>
      {problem && (
        <span className="cls-error-inline" role="alert">
          {problem}
        </span>
      )}
    </div>
  );
}
