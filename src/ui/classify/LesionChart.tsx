/**
 * One bar per deleted block, in the diagram's block order, grouped by stage: the probability of the intact
 * network's top-1 class after the deletion (dashed line: intact). A bar is red where the top-1 changed;
 * downsampling blocks (stride 2) carry "↓2" and an outline, projection shortcuts a "P".
 */
import * as d3 from 'd3';
import type { Prediction } from '../../tf/classify';
import type { LesionEntry } from '../../tf/lesion';

const BAR = 22;
const GAP = 4;
const STAGE_GAP = 14;
const M = { top: 26, right: 70, bottom: 40, left: 40 };
const H = 220;

export function LesionChart({ blocks, base }: { blocks: readonly LesionEntry[]; base: Prediction }) {
  const baseLabel = base.label.replaceAll('_', ' ');
  const stages = [...new Set(blocks.map((b) => b.block.split('_')[0]))];
  const xs: number[] = [];
  let x = M.left;
  blocks.forEach((b, i) => {
    if (i > 0 && b.block.split('_')[0] !== blocks[i - 1].block.split('_')[0]) x += STAGE_GAP;
    xs.push(x);
    x += BAR + GAP;
  });
  const W = x + M.right;
  const y = d3.scaleLinear().domain([0, 1]).range([H - M.bottom, M.top]);
  const pct = (p: number) => `${(p * 100).toFixed(1)}%`;
  return (
    <svg
      viewBox={`0 0 ${W} ${H}`}
      width={W}
      height={H}
      role="img"
      aria-label={`Probability of ${baseLabel} after deleting each block`}
      className="lesion-chart"
      data-testid="lesion-chart"
    >
      {y.ticks(4).map((t) => (
        <g key={t}>
          <line x1={M.left} x2={W - M.right} y1={y(t)} y2={y(t)} className="lesion-grid" />
          <text x={M.left - 4} y={y(t) + 3} textAnchor="end" className="lesion-tick">
            {Math.round(t * 100)}%
          </text>
        </g>
      ))}
      <line x1={M.left} x2={W - M.right + 2} y1={y(base.probability)} y2={y(base.probability)} className="lesion-base" />
      <text x={W - M.right + 4} y={y(base.probability) + 3} className="lesion-tick">
        intact {pct(base.probability)}
      </text>
      {blocks.map((b, i) => {
        const changed = b.top.index !== base.index;
        return (
          <g key={b.block} data-block={b.block}>
            <rect
              x={xs[i]}
              y={y(b.baseProbability)}
              width={BAR}
              height={Math.max(0.5, y(0) - y(b.baseProbability))}
              className={`lesion-bar${changed ? ' lesion-changed' : ''}${b.downsampling ? ' lesion-down' : ''}`}
            >
              <title>
                {`${b.block} deleted (${b.shortcut} shortcut${b.downsampling ? ', downsampling' : ''}): P(${baseLabel}) ${pct(b.baseProbability)}; top-1 ${b.top.label.replaceAll('_', ' ')} ${pct(b.top.probability)}`}
              </title>
            </rect>
            {(b.downsampling || b.shortcut !== 'identity') && (
              <text x={xs[i] + BAR / 2} y={M.top - 8} textAnchor="middle" className="lesion-mark">
                {b.downsampling ? '↓2' : 'P'}
              </text>
            )}
            <text x={xs[i] + BAR / 2} y={H - M.bottom + 12} textAnchor="middle" className="lesion-tick">
              {b.block.split('_block')[1]}
            </text>
          </g>
        );
      })}
      {stages.map((s) => {
        const idx = blocks.map((b, i) => (b.block.startsWith(`${s}_`) ? i : -1)).filter((i) => i >= 0);
        const x0 = xs[idx[0]];
        const x1 = xs[idx[idx.length - 1]] + BAR;
        return (
          <g key={s}>
            <line x1={x0} x2={x1} y1={H - M.bottom + 18} y2={H - M.bottom + 18} className="lesion-stage" />
            <text x={(x0 + x1) / 2} y={H - M.bottom + 31} textAnchor="middle" className="lesion-tick">
              {s}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
