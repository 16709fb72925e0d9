/**
 * Confusion matrix of the validation split as a d3 heat map: true classes down the rows, predicted classes
 * across the columns, counts or row-normalised shares, the diagonal outlined. Clicking a cell selects it.
 */
import * as d3 from 'd3';
import { rowNormalised } from '../../core/finetune-metrics';
import type { CellChoice } from './evaluation';

const CELL = 44;
const LEFT = 110;
const TOP = 92;

export function ConfusionMatrix({
  classNames,
  confusion,
  normalised,
  selected,
  onSelect,
}: {
  classNames: readonly string[];
  confusion: readonly (readonly number[])[];
  normalised: boolean;
  selected: CellChoice;
  onSelect: (c: CellChoice) => void;
}) {
  const n = classNames.length;
  // A row with no images has no shares (null): drawn as 0, labelled "—".
  const shares = rowNormalised(confusion).map((r) => r.map((v) => v ?? 0));
  const empty = confusion.map((r) => r.every((v) => v === 0));
  const values = normalised ? shares : confusion.map((r) => [...r]);
  const max = normalised ? 1 : Math.max(1, d3.max(confusion.flat()) ?? 1);
  const colour = d3.scaleSequential(d3.interpolateBlues).domain([0, max]);
  const band = d3
    .scaleBand<number>()
    .domain(d3.range(n))
    .range([0, n * CELL]);
  const w = LEFT + n * CELL + 10;
  const h = TOP + n * CELL + 10;
  // Class names are unique (checkClasses), so a cell's pair of names identifies it.
  const cells = confusion.flatMap((row, t) => row.map((_, p) => ({ t, p, id: `${classNames[t]}\u0000${classNames[p]}` })));
  const short = (s: string) => (s.length > 14 ? `${s.slice(0, 13)}…` : s);
  return (
    <svg
      viewBox={`0 0 ${w} ${h}`}
      width={w}
      height={h}
      role="img"
      aria-label="Confusion matrix of the validation images"
      className="ft-confusion"
      data-testid="confusion-matrix"
    >
      <text x={LEFT + (n * CELL) / 2} y={12} textAnchor="middle" className="ft-axis-title">
        predicted class →
      </text>
      <text transform={`translate(12, ${TOP + (n * CELL) / 2}) rotate(-90)`} textAnchor="middle" className="ft-axis-title">
        true class →
      </text>
      {classNames.map((c, i) => (
        <g key={c}>
          <text transform={`translate(${LEFT + band(i)! + CELL / 2}, ${TOP - 6}) rotate(-45)`} className="ft-tick ft-axis-label">
            <title>{c}</title>
            {short(c)}
          </text>
          <text x={LEFT - 6} y={TOP + band(i)! + CELL / 2 + 4} textAnchor="end" className="ft-tick ft-axis-label">
            <title>{c}</title>
            {short(c)}
          </text>
        </g>
      ))}
      {cells.map(({ t, p, id }) => {
          const v = values[t][p];
          const count = confusion[t][p];
          const isSel = selected !== 'misclassified' && selected.trueIndex === t && selected.predIndex === p;
          const label = normalised ? (empty[t] ? '—' : `${Math.round(v * 100)}%`) : String(count);
          return (
            <g
              key={id}
              role="button"
              tabIndex={0}
              aria-label={`true ${classNames[t]}, predicted ${classNames[p]}: ${count} image${count === 1 ? '' : 's'}`}
              aria-pressed={isSel}
              data-true={t}
              data-pred={p}
              data-count={count}
              className="ft-cell"
              onClick={() => onSelect({ trueIndex: t, predIndex: p })}
              onKeyDown={(e) => {
                if (e.key === 'Enter' || e.key === ' ') {
                  e.preventDefault();
                  onSelect({ trueIndex: t, predIndex: p });
                }
              }}
            >
              <rect
                x={LEFT + band(p)!}
                y={TOP + band(t)!}
                width={CELL - 2}
                height={CELL - 2}
                fill={colour(v)}
                className={`${t === p ? 'ft-diag' : ''}${isSel ? ' ft-cell-selected' : ''}`}
              />
              <text
                x={LEFT + band(p)! + CELL / 2 - 1}
                y={TOP + band(t)! + CELL / 2 + 4}
                textAnchor="middle"
                className="ft-cell-text"
                fill={v > max * 0.55 ? 'white' : 'black'}
              >
                {label}
              </text>
            </g>
          );
        })}
    </svg>
  );
}
