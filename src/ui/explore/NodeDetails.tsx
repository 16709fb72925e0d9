/** What the hover card and the side panel show for a layer or a group (all text, never HTML). */
import { type Analysis, type ArchGraph, formatCount, formatShape, opClass, opDetail, opWindow, type Totals } from '../../core';

const fmt = (n: number) => n.toLocaleString('en-US');

export function NodeDetails(props: { id: string; graph: ArchGraph; analysis: Analysis; compact?: boolean }) {
  const { id, graph, analysis } = props;
  const node = graph.nodes.find((n) => n.id === id);
  if (node) {
    const cost = analysis.perNode.get(id)!;
    const win = opWindow(node.op);
    return (
      <dl className="details" data-details-for={id}>
        <dt>Keras name</dt>
        <dd className="mono">{node.id}</dd>
        <dt>Kind</dt>
        <dd>{opClass(node.op)}</dd>
        {opDetail(node.op) && (
          <>
            <dt>Config</dt>
            <dd>{opDetail(node.op)}</dd>
          </>
        )}
        {win && win.kernel > 0 && (
          <>
            <dt>Kernel / stride / padding</dt>
            <dd>
              {win.kernel}×{win.kernel} / {win.stride} / {win.padding}
            </dd>
          </>
        )}
        <dt>Params</dt>
        <dd>
          {fmt(cost.params.total)}
          {cost.params.nonTrainable > 0 && ` (${fmt(cost.params.nonTrainable)} non-trainable)`}
        </dd>
        <dt>MACs</dt>
        <dd>{cost.macs ? `${fmt(cost.macs)} (${formatCount(cost.macs)})` : '0'}</dd>
        {!props.compact && (
          <>
            <dt>Input shape</dt>
            <dd>{node.inShapes.map(formatShape).join(' + ') || '—'}</dd>
          </>
        )}
        <dt>Output shape</dt>
        <dd className="out-shape">{formatShape(node.outShape)}</dd>
        {!props.compact && (
          <>
            <dt>Where</dt>
            <dd>
              {node.block ?? node.section}
              {node.path === 'shortcut' ? ' · shortcut branch' : ''}
            </dd>
          </>
        )}
      </dl>
    );
  }
  const block = graph.blocks.find((b) => b.id === id);
  if (block) {
    return (
      <GroupDetails id={id} totals={analysis.perBlock.get(id)} inShape={block.inShape} outShape={block.outShape}>
        <dt>Shortcut</dt>
        <dd>
          {block.shortcut}
          {block.stride > 1 ? ` · stride ${block.stride}` : ''}
        </dd>
      </GroupDetails>
    );
  }
  const stage = graph.stages.find((s) => s.id === id);
  if (stage) {
    return (
      <GroupDetails id={id} totals={analysis.perSection.get(stage.id)} inShape={stage.inShape} outShape={stage.outShape}>
        <dt>Blocks</dt>
        <dd>{stage.blocks.length}</dd>
      </GroupDetails>
    );
  }
  if (id === 'stem' || id === 'head') {
    const members = graph.nodes.filter((n) => n.section === id && n.id !== graph.inputId);
    if (!members.length) return null;
    return (
      <GroupDetails
        id={id}
        totals={analysis.perSection.get(id)}
        inShape={members[0].inShapes[0]}
        outShape={members[members.length - 1].outShape}
      >
        <dt>Layers</dt>
        <dd>{members.map((m) => m.id).join(', ')}</dd>
      </GroupDetails>
    );
  }
  return null;
}

function GroupDetails(props: {
  id: string;
  totals: Totals | undefined;
  inShape: readonly number[];
  outShape: readonly number[];
  children: React.ReactNode;
}) {
  const t = props.totals;
  return (
    <dl className="details" data-details-for={props.id}>
      <dt>Group</dt>
      <dd className="mono">{props.id}</dd>
      {props.children}
      {t && (
        <>
          <dt>Params</dt>
          <dd>{fmt(t.params.total)}</dd>
          <dt>MACs</dt>
          <dd>
            {fmt(t.macs)} ({formatCount(t.macs)})
          </dd>
        </>
      )}
      <dt>Input → output</dt>
      <dd className="out-shape">
        {formatShape(props.inShape)} → {formatShape(props.outShape)}
      </dd>
    </dl>
  );
}
