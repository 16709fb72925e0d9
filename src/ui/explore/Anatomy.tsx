/**
 * Block anatomy: V1 (post-activation), V2 (pre-activation), ResNeXt and plain blocks side by side, in the
 * order their BN/ReLU/conv run (He et al. 2015 Fig. 2/5; He et al. 2016 Fig. 1b/4e; Xie et al. 2017 Fig. 3c).
 * The current model's kind is highlighted; the step lists follow its block type (basic or bottleneck).
 */
import type { ArchSpec } from '../../core';

type Kind = 'v1' | 'v2' | 'resnext' | 'plain';

function steps(kind: Kind, block: ArchSpec['block'], groups: number): string[] {
  const convs = block === 'bottleneck' ? ['conv 1×1', kind === 'resnext' ? `grouped conv 3×3 (C = ${groups})` : 'conv 3×3', 'conv 1×1'] : ['conv 3×3', 'conv 3×3'];
  const out: string[] = [];
  if (kind === 'v2') {
    for (const c of convs) out.push('BN', 'ReLU', c);
    out.push('+ x (identity)');
    return out;
  }
  convs.forEach((c, i) => {
    out.push(c, 'BN');
    if (i < convs.length - 1) out.push('ReLU');
  });
  if (kind !== 'plain') out.push('+ x (shortcut)');
  out.push('ReLU');
  return out;
}

const CARDS: readonly { kind: Kind; title: string; formula: string; note: string }[] = [
  {
    kind: 'v1',
    title: 'ResNet V1 (post-activation)',
    formula: 'y = F(x, {Wᵢ}) + x,  x₍ₗ₊₁₎ = ReLU(y)',
    note: 'ReLU after the addition: the shortcut is not a clean identity path.',
  },
  {
    kind: 'v2',
    title: 'ResNet V2 (pre-activation)',
    formula: 'x₍ₗ₊₁₎ = x₍ₗ₎ + F(x₍ₗ₎, {Wᵢ})',
    note: 'BN and ReLU move before each conv; nothing after the addition, so x flows unchanged through every block.',
  },
  {
    kind: 'resnext',
    title: 'ResNeXt (aggregated)',
    formula: 'y = x + Σᵢ₌₁ᶜ Tᵢ(x)',
    note: 'The 3×3 is split into C groups (cardinality): same cost, more paths.',
  },
  {
    kind: 'plain',
    title: 'Plain (no shortcut)',
    formula: 'x₍ₗ₊₁₎ = ReLU(F(x, {Wᵢ}))',
    note: 'The same layers without the skip: deeper plain nets train worse (the degradation problem).',
  },
];

export function modelKind(spec: ArchSpec): Kind {
  if (!spec.residual) return 'plain';
  if (spec.activation === 'pre') return 'v2';
  return spec.groups > 1 ? 'resnext' : 'v1';
}

export function Anatomy(props: { spec: ArchSpec }) {
  const current = modelKind(props.spec);
  const groups = props.spec.groups > 1 ? props.spec.groups : 32;
  return (
    <section className="anatomy" aria-label="Block anatomy">
      <h2>Block anatomy</h2>
      <div className="anatomy-cards">
        {CARDS.map((c) => (
          <article key={c.kind} className={c.kind === current ? 'card current' : 'card'} data-anatomy={c.kind} aria-current={c.kind === current ? 'true' : undefined}>
            <h3>
              {c.title}
              {c.kind === current && <span className="badge">this model</span>}
            </h3>
            <ol className="steps">
              <li className="io">x</li>
              {keyed(steps(c.kind, props.spec.block, groups)).map(([key, s]) => (
                <li key={key} className={s.startsWith('+') ? 'add' : s.startsWith('BN') ? 'bn' : s === 'ReLU' ? 'relu' : 'conv'}>
                  {s}
                </li>
              ))}
            </ol>
            <p className="formula">{c.formula}</p>
            <p className="note">{c.note}</p>
          </article>
        ))}
      </div>
    </section>
  );
}

/** Stable keys for repeated labels: BN#1, BN#2, … */
function keyed(list: readonly string[]): [string, string][] {
  const seen = new Map<string, number>();
  return list.map((s) => {
    const n = (seen.get(s) ?? 0) + 1;
    seen.set(s, n);
    return [`${s}#${n}`, s];
  });
}
