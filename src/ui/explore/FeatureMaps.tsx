/**
 * Feature maps of the real network (issue 12): for the layer selected in the diagram, the activations of the
 * model in Classify for the last image it classified — channels by descending mean, on one stated colour
 * scale — and, for a residual block, its branch F(x), its shortcut and their sum (and the ReLU after it)
 * side by side on one scale. Everything is computed in the model worker (src/worker/activations-host.ts).
 */
import { useEffect, useRef, useState } from 'react';
import { type ArchGraph, formatShape, type ResidualParts, residualParts } from '../../core';
import { startedModelClient, WorkerError } from '../../worker/client';
import type { ActivationsReport } from '../../worker/protocol';
import './feature-maps.css';
import { colourAt, colourLut, formatValue, tileDisplaySize, tilePixels } from './feature-map-colours';

/** Channels shown until the user asks for all of them. */
const GRID_CAP = 64;
/** Channels (rows) in the branch / shortcut / sum comparison. */
const PARTS_ROWS = 8;

/** The layer a selected diagram id shows: the layer itself, or a block's / stage's output. */
function layerFor(graph: ArchGraph, id: string): string | undefined {
  if (graph.nodes.some((n) => n.id === id)) return id;
  const block = graph.blocks.find((b) => b.id === id);
  if (block) return block.outputId;
  const stage = graph.stages.find((s) => s.id === id);
  const last = stage?.blocks[stage.blocks.length - 1];
  return last ? graph.blocks.find((b) => b.id === last)?.outputId : undefined;
}

type State =
  | { readonly kind: 'no-worker' }
  | { readonly kind: 'computing'; readonly layer: string }
  | { readonly kind: 'error'; readonly name: string; readonly message: string }
  | { readonly kind: 'done'; readonly grid: ActivationsReport; readonly parts?: ActivationsReport };

/** Switch the app to Classify without reloading (the model worker and its image stay). App listens to popstate. */
function goToClassify(e: React.MouseEvent) {
  e.preventDefault();
  window.history.pushState(null, '', '?view=classify');
  window.dispatchEvent(new PopStateEvent('popstate'));
}

const ClassifyLink = () => (
  <a href="?view=classify" onClick={goToClassify}>
    Classify
  </a>
);

export function FeatureMaps(props: { graph: ArchGraph; selected: string | null }) {
  const { graph, selected } = props;
  const layer = selected ? layerFor(graph, selected) : undefined;
  const parts = selected ? residualParts(graph, selected) : undefined;
  // "Show all" holds for the layer it was asked for.
  const [allFor, setAllFor] = useState<string>();
  const all = layer !== undefined && allFor === layer;
  const [refresh, setRefresh] = useState(0);
  // Computing from the first frame when a worker exists (no flash of the "no model" message).
  const [state, setState] = useState<State>(() => (startedModelClient() && layer ? { kind: 'computing', layer } : { kind: 'no-worker' }));
  const ticket = useRef(0);
  const partsKey = parts ? [parts.branch, parts.shortcut, parts.add, parts.out ?? ''].join(',') : '';

  // biome-ignore lint/correctness/useExhaustiveDependencies: partsKey stands for parts; refresh asks again.
  useEffect(() => {
    if (!layer) return;
    const client = startedModelClient();
    if (!client) {
      setState({ kind: 'no-worker' });
      return;
    }
    const mine = ++ticket.current;
    setState({ kind: 'computing', layer });
    void (async () => {
      try {
        const grid = await client.activations([layer], all ? Number.MAX_SAFE_INTEGER : GRID_CAP);
        const names = parts ? [parts.branch, parts.shortcut, parts.add, ...(parts.out ? [parts.out] : [])] : [];
        const rows = parts && grid.model === graph.name ? await client.activations(names, PARTS_ROWS, layer) : undefined;
        if (mine === ticket.current) setState({ kind: 'done', grid, parts: rows });
      } catch (e) {
        const err = e instanceof WorkerError || e instanceof Error ? e : new Error(String(e));
        if (mine === ticket.current) setState({ kind: 'error', name: err.name, message: err.message });
      }
    })();
  }, [layer, partsKey, all, refresh, graph.name]);

  if (!selected) return null;
  return (
    <section className="feature-maps" aria-label="Feature maps" data-testid="feature-maps" data-layer={layer ?? ''} aria-busy={state.kind === 'computing'}>
      <h2>Feature maps{layer ? ` of ${layer}` : ''}</h2>
      {!layer ? (
        <p className="note">Select a layer or a block to see its feature maps.</p>
      ) : state.kind === 'no-worker' ? (
        <p className="note" data-testid="fm-message">
          No model has been loaded in this page yet. Open <ClassifyLink />, let the ImageNet ResNet50 load and classify an image; then
          select a layer here to see what it computes for that image.
        </p>
      ) : state.kind === 'computing' ? (
        <p className="note" role="status" data-testid="fm-computing">
          Computing the feature maps of {state.layer} in the model worker…
        </p>
      ) : state.kind === 'error' ? (
        <div className="fm-error" role="alert" data-testid="fm-message" data-error={state.name}>
          <p>{state.message}</p>
          {(state.name === 'NoImageError' || state.name === 'ModelChangedError') && (
            <p className="note">
              Go to <ClassifyLink />, classify an image, then come back here.
            </p>
          )}
          <button type="button" onClick={() => setRefresh((r) => r + 1)}>
            Try again
          </button>
        </div>
      ) : state.grid.model !== graph.name ? (
        <p className="fm-error" role="alert" data-testid="fm-message">
          Explore shows {graph.name}; the model in Classify is {state.grid.model}. Pick {state.grid.model} above to see its feature maps for{' '}
          {state.grid.image}.
        </p>
      ) : (
        <Result grid={state.grid} parts={parts} partsReport={state.parts} all={all} onAll={() => setAllFor(layer)} onRefresh={() => setRefresh((r) => r + 1)} />
      )}
    </section>
  );
}

function Result(props: {
  grid: ActivationsReport;
  parts?: ResidualParts;
  partsReport?: ActivationsReport;
  all: boolean;
  onAll: () => void;
  onRefresh: () => void;
}) {
  const { grid, parts, partsReport } = props;
  const l = grid.layers[0];
  return (
    <>
      <p className="note">
        <span className="mono">{l.name}</span>, output {formatShape(l.shape)}, for <strong>{grid.image}</strong> ({grid.model}
        {grid.weights === 'random' ? ', random weights: these maps mean little' : ''}); computed in {Math.round(grid.ms)} ms. Values from{' '}
        {formatValue(l.min)} to {formatValue(l.max)}.{' '}
        <button type="button" onClick={props.onRefresh}>
          Refresh
        </button>
      </p>
      {parts && partsReport && <PartsView parts={parts} report={partsReport} />}
      <h3>
        {grid.channels.length} of {grid.totalChannels} channels, by mean activation (highest first)
      </h3>
      <ScaleLegend report={grid} scope="every tile of this grid" />
      <div className="fm-grid" data-testid="fm-grid" data-channels={grid.channels.length} data-total={grid.totalChannels}>
        {grid.channels.map((c, i) => (
          <figure key={c} className="fm-cell" data-channel={c} data-mean={l.means[c]}>
            <Tile report={grid} layer={0} index={i} label={`${l.name} channel ${c}: mean ${formatValue(l.means[c])}`} />
            <figcaption>
              #{c} · {formatValue(l.means[c])}
            </figcaption>
          </figure>
        ))}
      </div>
      {grid.channels.length < grid.totalChannels && !props.all && (
        <button type="button" onClick={props.onAll}>
          Show all {grid.totalChannels} channels
        </button>
      )}
    </>
  );
}

/** Branch, shortcut, sum (and ReLU) of one residual block, the same channels in each row, one scale. */
function PartsView(props: { parts: ResidualParts; report: ActivationsReport }) {
  const { parts, report } = props;
  const cols = [
    { role: 'residual branch F(x)', layer: report.layers[0] },
    { role: parts.shortcutKind === 'identity' ? 'shortcut x (identity: the block input)' : `shortcut (${parts.shortcutKind})`, layer: report.layers[1] },
    { role: 'sum F(x) + shortcut', layer: report.layers[2] },
    ...(report.layers[3] ? [{ role: 'after the ReLU: the block output', layer: report.layers[3] }] : []),
  ];
  return (
    <div className="fm-parts" data-testid="fm-parts" data-block={parts.block}>
      <h3>What the addition in {parts.block} does</h3>
      <p className="note">
        <span className="mono">{parts.add}</span> adds <span className="mono">{parts.branch}</span> and <span className="mono">{parts.shortcut}</span> element by
        element (He et al. 2016, "Deep Residual Learning for Image Recognition", Eq. 1–2: y = F(x) + x, or + W<sub>s</sub>x for a projection)
        {parts.out ? (
          <>
            ; <span className="mono">{parts.out}</span> then sets every negative value to 0
          </>
        ) : null}
        . The {report.channels.length} channels of {report.orderBy} with the highest mean, one per row.
      </p>
      <ScaleLegend report={report} scope="all four columns (one scale, so the columns compare value for value)" />
      <table className="fm-parts-table">
        <thead>
          <tr>
            <th scope="col">channel</th>
            {cols.map((c) => (
              <th key={c.layer.name} scope="col" data-layer={c.layer.name}>
                {c.role}
                <br />
                <span className="mono">{c.layer.name}</span>
                <br />
                <span className="note">
                  {formatValue(c.layer.min)} … {formatValue(c.layer.max)}
                </span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {report.channels.map((ch, i) => (
            <tr key={ch} data-channel={ch}>
              <th scope="row">#{ch}</th>
              {cols.map((c, j) => (
                <td key={c.layer.name}>
                  <Tile report={report} layer={j} index={i} min={112} label={`${c.layer.name} channel ${ch}: mean ${formatValue(c.layer.means[ch])}`} />
                  <div className="note">mean {formatValue(c.layer.means[ch])}</div>
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ScaleLegend(props: { report: ActivationsReport; scope: string }) {
  const { scale, downsample } = props.report;
  const stops = Array.from({ length: 11 }, (_, i) => `${colourAt(scale.diverging, i / 10)} ${i * 10}%`).join(', ');
  return (
    <div className="fm-legend" data-testid="fm-legend" data-lo={scale.lo} data-hi={scale.hi} data-diverging={scale.diverging}>
      <div className="fm-legend-bar" style={{ background: `linear-gradient(to right, ${stops})` }} />
      <div className="fm-legend-ticks">
        <span>{formatValue(scale.lo)}</span>
        {scale.diverging && <span>0</span>}
        <span>{formatValue(scale.hi)}</span>
      </div>
      <p className="note">
        One linear colour scale shared by {props.scope}, not per channel: {formatValue(scale.lo)} … {formatValue(scale.hi)}
        {scale.diverging ? ' (blue negative, white 0, red positive)' : ' (dark 0, bright high)'}, its end at the 99.9th percentile of |value|;{' '}
        {(scale.clipped * 100).toFixed(2)} % of the values shown lie beyond and take the end colour.
        {downsample > 1 ? ` Each tile is box-averaged ${downsample}×${downsample}.` : ''}
      </p>
    </div>
  );
}

function Tile(props: { report: ActivationsReport; layer: number; index: number; label: string; min?: number }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const { report, layer, index } = props;
  const w = report.tileWidth;
  const h = report.tileHeight;
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    const px = tilePixels(report.layers[layer].tiles, index, w, h, colourLut(report.scale.diverging));
    ctx.putImageData(new ImageData(px, w, h), 0, 0);
  }, [report, layer, index, w, h]);
  const size = tileDisplaySize(w, h, props.min);
  return <canvas ref={ref} className="fm-tile" width={w} height={h} style={size} role="img" aria-label={props.label} title={props.label} />;
}
