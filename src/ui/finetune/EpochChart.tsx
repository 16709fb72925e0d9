/** Per-epoch loss and accuracy (training solid, validation dashed) as two small d3 line charts, plus a table. */
import * as d3 from 'd3';
import type { EpochLog } from '../../tf/finetune-options';

const W = 300;
const H = 150;
const M = { top: 18, right: 10, bottom: 26, left: 40 };

type Key = 'loss' | 'accuracy' | 'valLoss' | 'valAccuracy';

/** Where training ended: the epoch whose weights were kept (best validation loss) and, when it stopped early, the last epoch run. */
export interface EpochMarks {
  readonly best?: number;
  readonly stoppedEarly?: boolean;
}

function Chart({ logs, title, train, val, max, marks }: { logs: readonly EpochLog[]; title: string; train: Key; val: Key; max?: number; marks?: EpochMarks }) {
  const epochs = logs[0]?.epochs ?? 1;
  const x = d3.scaleLinear().domain([1, Math.max(2, epochs)]).range([M.left, W - M.right]);
  const top = max ?? (d3.max(logs, (l) => Math.max(l[train] ?? 0, l[val] ?? 0)) || 1);
  const y = d3.scaleLinear().domain([0, top]).nice().range([H - M.bottom, M.top]);
  const line = (k: Key) =>
    d3
      .line<EpochLog>()
      .defined((l) => l[k] !== undefined)
      .x((l) => x(l.epoch))
      .y((l) => y(l[k] ?? 0))(logs as EpochLog[]) ?? '';
  const hasVal = logs.some((l) => l[val] !== undefined);
  return (
    <svg viewBox={`0 0 ${W} ${H}`} width={W} height={H} role="img" aria-label={`${title} per epoch`} className="ft-chart">
      <text x={M.left} y={12} className="ft-chart-title">
        {title}
      </text>
      {y.ticks(4).map((t) => (
        <g key={t}>
          <line x1={M.left} x2={W - M.right} y1={y(t)} y2={y(t)} className="ft-grid" />
          <text x={M.left - 4} y={y(t) + 3} textAnchor="end" className="ft-tick">
            {max === 1 ? `${Math.round(t * 100)}%` : t}
          </text>
        </g>
      ))}
      {x.ticks(Math.min(epochs, 6)).filter(Number.isInteger).map((t) => (
        <text key={t} x={x(t)} y={H - M.bottom + 14} textAnchor="middle" className="ft-tick">
          {t}
        </text>
      ))}
      <text x={W - M.right} y={H - 3} textAnchor="end" className="ft-tick">
        epoch
      </text>
      {marks?.best !== undefined && (
        <g className="ft-mark-best" data-testid="best-epoch-mark" data-epoch={marks.best}>
          <line x1={x(marks.best)} x2={x(marks.best)} y1={M.top} y2={H - M.bottom} />
          <text x={x(marks.best) + 3} y={M.top + 9} className="ft-tick">
            best {marks.best} (kept)
          </text>
        </g>
      )}
      {marks?.stoppedEarly && logs.length > 0 && (
        <g className="ft-mark-stop" data-testid="early-stop-mark" data-epoch={logs.length}>
          <line x1={x(logs.length)} x2={x(logs.length)} y1={M.top} y2={H - M.bottom} />
          <text x={x(logs.length) - 3} y={H - M.bottom - 4} textAnchor="end" className="ft-tick">
            stopped early
          </text>
        </g>
      )}
      <path d={line(train)} className="ft-line" />
      {hasVal && <path d={line(val)} className="ft-line ft-line-val" />}
      {logs.map((l) => (
        <circle key={l.epoch} cx={x(l.epoch)} cy={y(l[train] ?? 0)} r={2.5} className="ft-dot" />
      ))}
    </svg>
  );
}

const pct = (v?: number) => (v === undefined ? '—' : `${(v * 100).toFixed(1)}%`);
const num = (v?: number) => (v === undefined ? '—' : v.toFixed(4));

export function EpochChart({ logs, marks }: { logs: readonly EpochLog[]; marks?: EpochMarks }) {
  if (logs.length === 0) return null;
  return (
    <div className="ft-curves" data-testid="finetune-curves">
      <div className="ft-charts">
        <Chart logs={logs} title="Loss (cross-entropy)" train="loss" val="valLoss" marks={marks} />
        <Chart logs={logs} title="Accuracy" train="accuracy" val="valAccuracy" max={1} marks={marks} />
        <p className="ft-legend cls-muted">
          <span className="ft-key" /> training <span className="ft-key ft-key-val" /> validation
        </p>
      </div>
      <table className="ft-table" aria-label="Training per epoch">
        <thead>
          <tr>
            <th>epoch</th>
            <th>loss</th>
            <th>accuracy</th>
            <th>val loss</th>
            <th>val accuracy</th>
            <th>ms</th>
          </tr>
        </thead>
        <tbody>
          {logs.map((l) => (
            <tr
              key={l.epoch}
              data-epoch={l.epoch}
              data-accuracy={l.accuracy}
              data-loss={l.loss}
              className={l.epoch === marks?.best ? 'ft-row-best' : undefined}
              title={l.epoch === marks?.best ? 'best validation loss: these weights are kept' : undefined}
            >
              <td>
                {l.epoch}/{l.epochs}
              </td>
              <td>{num(l.loss)}</td>
              <td>{pct(l.accuracy)}</td>
              <td>{num(l.valLoss)}</td>
              <td>{pct(l.valAccuracy)}</td>
              <td>{l.ms.toFixed(0)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
