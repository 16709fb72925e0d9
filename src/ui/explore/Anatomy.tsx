/**
 * Block anatomy, read from the graph (src/core/anatomy.ts), never written by hand: the current model's distinct
 * blocks (first block of a stage, an identity block, a downsampling block) with their layers in the order they
 * run, the shortcut beside them, and the families side by side — V1, V2, ResNeXt from their Keras presets and
 * the plain twin of the current model — each drawn from its own graph.
 */
import { useMemo } from 'react';
import { type AnatomyStep, type BlockAnatomy, blockAnatomy, type FamilyKind, familyKind, representativeBlocks } from '../../core/anatomy';
import { expand } from '../../core/expand';
import { type ArchGraph, formatShape, type ShortcutKind } from '../../core/graph';
import { getPreset } from '../../core/presets';
import { type ArchSpec, plainTwin } from '../../core/spec';

const SHORTCUT_WORD: Record<ShortcutKind, string> = {
  identity: 'identity shortcut',
  projection: 'projection shortcut',
  zeropad: 'zero-pad shortcut (option A)',
  subsample: '1×1 max-pool shortcut',
  none: 'no shortcut',
};

interface Family {
  readonly kind: FamilyKind;
  readonly title: string;
  readonly note: string;
  /** The model whose graph the card is drawn from. */
  readonly spec: (current: ArchSpec) => ArchSpec;
}

const FAMILIES: readonly Family[] = [
  {
    kind: 'v1',
    title: 'ResNet V1',
    note: 'ReLU after the addition: the shortcut is not a clean identity path (He et al. 2015).',
    spec: () => getPreset('ResNet50'),
  },
  {
    kind: 'v2',
    title: 'ResNet V2 (pre-activation)',
    note: 'BN and ReLU before each conv, nothing after the addition: x flows unchanged through every block (He et al. 2016).',
    spec: () => getPreset('ResNet50V2'),
  },
  {
    kind: 'resnext',
    title: 'ResNeXt',
    note: 'The 3×3 is split into C groups (cardinality): same cost, more paths (Xie et al. 2017).',
    spec: () => getPreset('ResNeXt50'),
  },
  {
    kind: 'plain',
    title: 'Plain twin',
    note: 'The same layers without the skip: deeper plain nets train worse (the degradation problem).',
    spec: (current) => plainTwin(current),
  },
];

function stepClass(s: AnatomyStep): string {
  if (s.kind === 'bn') return 'bn';
  if (s.kind === 'relu') return 'relu';
  if (s.kind === 'add') return 'add';
  if (s.kind === 'zeropad') return 'pad';
  return 'conv';
}

function Steps({ steps, label }: { readonly steps: readonly AnatomyStep[]; readonly label: string }) {
  return (
    <ol className="steps" aria-label={label}>
      {steps.map((s) => (
        <li key={s.id} className={stepClass(s)} data-kind={s.kind} title={`${s.id} → ${formatShape(s.outShape)}`}>
          {s.label}
        </li>
      ))}
    </ol>
  );
}

/** One block: input, main path with the shortcut column beside it, the addition, what follows, output. */
function BlockFlow({ a, compact = false }: { readonly a: BlockAnatomy; readonly compact?: boolean }) {
  const from = a.shortcutFrom ? `from ${a.shortcutFrom.replace(`${a.block}_`, '')}` : 'from x';
  return (
    <div className="anatomy-flow" data-block={a.block} data-activation={a.activation} data-shortcut={a.shortcut}>
      <div className="io">x {!compact && formatShape(a.inShape)}</div>
      <div className="anatomy-paths">
        <Steps steps={a.main} label={`${a.block} main path`} />
        {a.add && (
          <div className="anatomy-shortcut" data-shortcut={a.shortcut}>
            <span className="sc-word">
              {SHORTCUT_WORD[a.shortcut]} {from}
            </span>
            {a.shortcutPath.length > 0 ? <Steps steps={a.shortcutPath} label={`${a.block} shortcut`} /> : <span className="sc-identity">x unchanged</span>}
          </div>
        )}
      </div>
      {a.add && (
        <div className="add" title={`${a.add.id} → ${formatShape(a.add.outShape)}`}>
          + shortcut
        </div>
      )}
      {a.afterAdd.length > 0 && <Steps steps={a.afterAdd} label={`${a.block} after the addition`} />}
      <div className="io">out {!compact && formatShape(a.outShape)}</div>
      <p className="formula">{a.formula}</p>
    </div>
  );
}

function identityLike(g: ArchGraph): BlockAnatomy {
  const b = g.blocks.find((x) => x.index === 2 && x.stride === 1) ?? g.blocks[0];
  return blockAnatomy(g, b.id);
}

export function Anatomy(props: { readonly spec: ArchSpec; readonly graph: ArchGraph }) {
  const { spec, graph } = props;
  const blocks = useMemo(() => representativeBlocks(graph), [graph]);
  const current = useMemo(() => familyKind(graph), [graph]);
  const families = useMemo(
    () =>
      FAMILIES.map((f) => {
        const s = f.spec(spec);
        const g = s === spec ? graph : expand(s);
        return { ...f, name: s.name, block: identityLike(g) };
      }),
    [spec, graph],
  );
  return (
    <section className="anatomy" aria-label="Block anatomy">
      <h2>Block anatomy of {graph.name}</h2>
      <p className="note">
        Each kind of block this model has, read from its graph: the layers in the order they run, the shortcut beside
        them. Hover a layer for its Keras name and output shape.
      </p>
      <div className="anatomy-blocks">
        {blocks.map((a) => (
          <article key={a.block} className="card" data-anatomy-block={a.block}>
            <h3>
              {a.block} <span className="role">{a.role}</span>
            </h3>
            <p className="kind-line">
              {a.activation === 'pre' ? 'pre-activation (BN, ReLU before each conv)' : 'post-activation (conv, then BN, ReLU)'} ·{' '}
              {a.add ? SHORTCUT_WORD[a.shortcut] : 'no addition'}
              {a.groups > 1 ? ` · ${a.groups} groups` : ''}
            </p>
            <BlockFlow a={a} />
          </article>
        ))}
      </div>
      <h3 className="anatomy-sub">The families side by side</h3>
      <div className="anatomy-cards">
        {families.map((f) => (
          <article
            key={f.kind}
            className={f.kind === current ? 'card current' : 'card'}
            data-anatomy={f.kind}
            aria-current={f.kind === current ? 'true' : undefined}
          >
            <h3>
              {f.title}
              {f.kind === current && <span className="badge">this model</span>}
            </h3>
            <p className="kind-line">
              {f.name}, {f.block.block}
            </p>
            <BlockFlow a={f.block} compact />
            <p className="note">{f.note}</p>
          </article>
        ))}
      </div>
    </section>
  );
}
