/**
 * Lesion study on the race's trained pair (Veit et al. 2016, Sec. 4.1, Fig. 3a): accuracy of plain-N and
 * ResNet-N after deleting each block, drawn as paired bars per block with the intact accuracies dashed.
 */
import * as d3 from 'd3';
import { useEffect, useState } from 'react';
import type { LabResponse } from '../../worker/lab-protocol';
import { followRequest } from './follow-request';
import { Progress } from './Progress';
import type { LabWorker } from './useLabWorker';

type Result = Extract<LabResponse, { type: 'race-lesion-result' }>;

const BAR = 14;
const GROUP = 2 * BAR + 12;
const M = { top: 14, right: 90, bottom: 34, left: 40 };
// Block labels read stage.block: 3.1 = conv3_block1.
const H = 200;
const pct = (v: number) => `${(v * 100).toFixed(1)} %`;

function Chart({ r }: { r: Result }) {
  const blocks = r.result.blocks;
  const W = M.left + blocks.length * GROUP + M.right;
  const y = d3.scaleLinear().domain([0, 1]).range([H - M.bottom, M.top]);
  const x = (i: number) => M.left + i * GROUP;
  const { intact } = r.result;
  return (
    <svg viewBox={`0 0 ${W} ${H}`} width={W} height={H} role="img" aria-label="Accuracy after deleting each block" data-testid="race-lesion-chart">
      {y.ticks(4).map((t) => (
        <g key={t}>
          <line x1={M.left} x2={W - M.right} y1={y(t)} y2={y(t)} stroke="var(--border)" />
          <text x={M.left - 4} y={y(t) + 3} textAnchor="end" fontSize={10} fill="var(--muted)">
            {Math.round(t * 100)}%
          </text>
        </g>
      ))}
      {(['plain', 'residual'] as const).map((k) => (
        <g key={k}>
          <line x1={M.left} x2={W - M.right + 2} y1={y(intact[k])} y2={y(intact[k])} stroke={`var(--lab-${k}, ${k === 'plain' ? '#b91c1c' : '#2563eb'})`} strokeDasharray="4 3" />
          <text
            x={W - M.right + 4}
            // Two labels closer than a line apart: plain above, ResNet below.
            y={y(intact[k]) + 3 + (Math.abs(y(intact.plain) - y(intact.residual)) < 11 ? (k === 'plain' ? -6 : 6) : 0)}
            fontSize={10}
            fill="var(--muted)"
          >
            {k === 'plain' ? 'plain' : 'ResNet'} intact
          </text>
        </g>
      ))}
      {blocks.map((b, i) => (
        <g key={b.block} data-block={b.block}>
          {b.plain !== undefined && (
            <rect x={x(i)} y={y(b.plain)} width={BAR} height={y(0) - y(b.plain)} fill="var(--lab-plain, #b91c1c)">
              <title>{`plain-${r.depth} without ${b.block}: ${pct(b.plain)}`}</title>
            </rect>
          )}
          <rect x={x(i) + BAR} y={y(b.residual)} width={BAR} height={y(0) - y(b.residual)} fill="var(--lab-residual, #2563eb)">
            <title>{`ResNet-${r.depth} without ${b.block}: ${pct(b.residual)}`}</title>
          </rect>
          <text x={x(i) + BAR} y={H - M.bottom + 12} textAnchor="middle" fontSize={9} fill="var(--muted)">
            {b.block.replace('conv', '').replace('_block', '.')}
          </text>
          {b.downsampling && (
            <text x={x(i) + BAR} y={H - M.bottom + 24} textAnchor="middle" fontSize={9} fill="var(--fg)">
              ↓2
            </text>
          )}
        </g>
      ))}
    </svg>
  );
}

export function RaceLesionPanel({ worker }: { readonly worker: LabWorker }) {
  const [state, setState] = useState<string>('idle');
  const [pending, setPending] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<Result | null>(null);
  const { subscribe } = worker;
  useEffect(
    () =>
      subscribe((m) => {
        if (m.type === 'race-state') setState(m.state);
      }),
    [subscribe],
  );

  const run = () => {
    const id = worker.newId();
    setError(null);
    setPending('starting…');
    followRequest(worker, id, 'race-lesion-result', { pending: setPending, result: setResult, error: setError });
    worker.send({ type: 'race-lesion', id });
  };

  const r = result?.result;
  const kept = r?.blocks.filter((b) => b.plain !== undefined) ?? [];
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  return (
    <section className="lab-panel" aria-labelledby="lab-race-lesion-title">
      <h2 id="lab-race-lesion-title">Lesion study on the race&apos;s nets</h2>
      <p className="lab-muted">
        Veit et al. (NeurIPS 2016, Sec. 4.1, Fig. 3a) deleted single layers at test time: a plain VGG-style net fell to chance on
        CIFAR-10, a residual net barely changed. Here, after pausing or finishing a race: ResNet-N with each block&apos;s residual
        branch set to zero (its shortcut alone remains), and plain-N with each block skipped (its output replaced by its input;
        not possible for the downsampling blocks, which change the shape). Accuracy on the first 500 images the race trained on
        (held-out accuracy after a browser-sized race is near chance), BN normalising with each batch&apos;s statistics as the
        race does.
      </p>
      <button type="button" onClick={run} disabled={pending !== null || (state !== 'paused' && state !== 'done')}>
        Delete each block
      </button>
      {state !== 'paused' && state !== 'done' && <span className="lab-muted"> (pause the race or let it finish first)</span>}
      <Progress pending={pending} error={error} />
      {result && r && (
        <div data-testid="race-lesion" data-blocks={r.blocks.length}>
          <Chart r={result} />
          <p className="lab-muted">
            Red: plain-{result.depth}; blue: ResNet-{result.depth}; dashed: intact; 3.1 = conv3_block1. Intact accuracy on {result.images} images: plain{' '}
            {pct(r.intact.plain)}, ResNet {pct(r.intact.residual)}. Mean after deleting one block: plain {pct(mean(kept.map((b) => b.plain!)))}{' '}
            ({kept.length} blocks), ResNet {pct(mean(r.blocks.map((b) => b.residual)))} ({r.blocks.length} blocks). Chance is{' '}
            {pct(0.1)} for the 10 generated classes. {(r.ms / 1000).toFixed(1)} s.
          </p>
        </div>
      )}
    </section>
  );
}
