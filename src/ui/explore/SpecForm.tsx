/**
 * The custom-model builder. Every change is validated (src/core/spec-form.ts → validateSpec); a valid spec
 * replaces the model at once, an invalid one is explained next to its field and the last valid model stays.
 */
import { type ReactNode, useId, useState } from 'react';
import { type ArchSpec, expand, type FormField, formFromSpec, type SpecFormValues, specFromForm } from '../../core';

export function SpecForm(props: { base: ArchSpec; onValid(spec: ArchSpec): void }) {
  const [base] = useState(props.base);
  const [v, setV] = useState<SpecFormValues>(() => formFromSpec(props.base));
  const [error, setError] = useState<{ field: FormField | 'general'; message: string } | null>(null);
  const id = useId();

  const update = (patch: Partial<SpecFormValues>) => {
    let next = { ...v, ...patch };
    // Basic blocks have no 1×1 convs, groups or expansion: keep the form consistent instead of erroring.
    if (patch.block === 'basic') next = { ...next, strideAt: '3x3', groups: '1', expansion: '1' };
    if (patch.block === 'bottleneck' && v.expansion === '1') next = { ...next, expansion: '4' };
    setV(next);
    const r = specFromForm(next, base);
    if (!r.ok) {
      setError({ field: r.field, message: r.message });
      return;
    }
    try {
      expand(r.spec); // shape arithmetic can still fail (e.g. a feature map shrinking below 1×1)
    } catch (e) {
      setError({ field: 'general', message: e instanceof Error ? e.message : String(e) });
      return;
    }
    setError(null);
    props.onValid(r.spec);
  };

  const err = (f: FormField) =>
    error?.field === f ? (
      <span className="field-error" id={`${id}-${f}-err`} role="alert">
        {error.message}
      </span>
    ) : null;
  const text = (f: FormField, label: string, hint?: string) => (
    <Field id={`${id}-${f}`} label={label} error={err(f)} hint={hint}>
      <input
        id={`${id}-${f}`}
        name={f}
        value={v[f] as string}
        aria-invalid={error?.field === f}
        aria-describedby={error?.field === f ? `${id}-${f}-err` : undefined}
        onChange={(e) => update({ [f]: e.target.value })}
        inputMode={f === 'name' || f === 'depths' ? undefined : 'numeric'}
      />
    </Field>
  );
  const choice = <F extends FormField>(f: F, label: string, options: readonly (readonly [string, string])[]) => (
    <Field id={`${id}-${f}`} label={label} error={err(f)}>
      <select id={`${id}-${f}`} name={f} value={v[f] as string} onChange={(e) => update({ [f]: e.target.value } as Partial<SpecFormValues>)}>
        {options.map(([val, l]) => (
          <option key={val} value={val}>
            {l}
          </option>
        ))}
      </select>
    </Field>
  );

  const widths = (() => {
    const d = Number(v.widthPerGroup);
    const c = Number(v.groups);
    const n = v.depths.split(',').length;
    if (!Number.isInteger(d) || !Number.isInteger(c)) return '';
    return Array.from({ length: n }, (_, i) => c * d * 2 ** i).join(', ');
  })();

  return (
    <form className="spec-form" aria-label="Custom model builder" onSubmit={(e) => e.preventDefault()}>
      {text('name', 'Name')}
      {choice('block', 'Block', [
        ['bottleneck', 'bottleneck (1×1, 3×3, 1×1)'],
        ['basic', 'basic (3×3, 3×3)'],
      ])}
      {choice('activation', 'Version', [
        ['post', 'V1: post-activation'],
        ['pre', 'V2: pre-activation'],
      ])}
      {choice('strideAt', 'Stride on', [
        ['first1x1', 'first 1×1 (Keras V1, paper)'],
        ['3x3', '3×3 (torchvision v1.5)'],
      ])}
      {choice('downsampleAt', 'Downsample in', [
        ['first', 'first block of a stage'],
        ['last', 'last block (Keras V2)'],
      ])}
      {choice('shortcut', 'Shortcut', [
        ['A', 'A: zero-pad identity'],
        ['B', 'B: projection when shape changes'],
        ['C', 'C: projection always'],
      ])}
      <Field id={`${id}-residual`} label="Residual" error={null}>
        <input id={`${id}-residual`} type="checkbox" name="residual" checked={v.residual} onChange={(e) => update({ residual: e.target.checked })} />
      </Field>
      {choice('stem', 'Stem', [
        ['imagenet', 'ImageNet: 7×7/2 conv + 3×3/2 max-pool'],
        ['cifar', 'CIFAR: one 3×3 conv'],
      ])}
      {text('stemWidth', 'Stem width')}
      {text('depths', 'Blocks per stage', 'comma-separated, e.g. 3, 4, 6, 3')}
      {text('groups', 'Cardinality C', 'groups of the 3×3 conv (ResNeXt: 32)')}
      {text('widthPerGroup', 'Width per group d', widths ? `stage widths C·d·2^i: ${widths}` : undefined)}
      {text('expansion', 'Expansion', 'block output = width × expansion')}
      {text('inputH', 'Input height')}
      {text('inputW', 'Input width')}
      {text('inputC', 'Input channels')}
      <Field id={`${id}-includeTop`} label="Include top" error={null}>
        <input id={`${id}-includeTop`} type="checkbox" name="includeTop" checked={v.includeTop} onChange={(e) => update({ includeTop: e.target.checked })} />
      </Field>
      {!v.includeTop &&
        choice('pooling', 'Pooling', [
          ['none', 'none (feature map)'],
          ['avg', 'global average'],
          ['max', 'global max'],
        ])}
      {text('classes', 'Classes')}
      {error?.field === 'general' && (
        <p className="field-error" role="alert">
          {error.message}
        </p>
      )}
      {error && <p className="form-note">The diagram still shows the last valid model.</p>}
    </form>
  );
}

function Field(props: { id: string; label: string; error: ReactNode; hint?: string; children: ReactNode }) {
  return (
    <div className="field">
      <label className="field-label" htmlFor={props.id}>
        {props.label}
      </label>
      {props.children}
      {props.hint && <span className="field-hint">{props.hint}</span>}
      {props.error}
    </div>
  );
}
