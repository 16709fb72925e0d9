/**
 * Lesion study in Classify (Veit et al. 2016, Sec. 4.1, Fig. 3): for the latest classified image, the model
 * worker deletes each residual block of the current model in turn and reports the top-1 and the probability of
 * the intact network's top-1 after each deletion. Progress per block; Cancel stops between blocks.
 */
import { useEffect, useRef, useState } from 'react';
import { modelClient } from '../../worker/client';
import type { LesionReport } from '../../worker/protocol';
import { LesionChart } from './LesionChart';
import type { ModelState } from './useModel';
import type { Item } from './types';

interface Running {
  readonly done: number;
  readonly total: number;
  readonly last?: string;
  readonly cancel: () => void;
}

const pct = (p: number) => `${(p * 100).toFixed(1)} %`;
const nice = (label: string) => label.replaceAll('_', ' ');

function Findings({ r }: { r: LesionReport }) {
  const changed = r.blocks.filter((b) => b.top.index !== r.base.index);
  const lowest = r.blocks.reduce((a, b) => (b.baseProbability < a.baseProbability ? b : a));
  const down = r.blocks.filter((b) => b.downsampling);
  const meanOf = (xs: readonly { baseProbability: number }[]) => xs.reduce((a, b) => a + b.baseProbability, 0) / Math.max(1, xs.length);
  const others = r.blocks.filter((b) => !b.downsampling);
  return (
    <p data-testid="lesion-findings">
      <b>What ours shows</b> for {r.image} ({r.model}, intact top-1 {nice(r.base.label)} at {pct(r.base.probability)}):{' '}
      {changed.length === 0
        ? `no single deletion changes the top-1 class`
        : `the top-1 class changes after deleting ${changed.map((b) => `${b.block} (→ ${nice(b.top.label)})`).join(', ')}`}
      ; the lowest probability of {nice(r.base.label)} is {pct(lowest.baseProbability)}, after deleting {lowest.block}.
      {down.length > 0 &&
        ` Mean probability after deleting a downsampling block: ${pct(meanOf(down))}; any other block: ${pct(meanOf(others))} — on this image the downsampling blocks are ${
          meanOf(down) < meanOf(others) ? 'the more' : 'not the more'
        } damaging ones on average.`}{' '}
      One image is not an error rate: Veit et al. measured the error over the whole validation set.
    </p>
  );
}

export function LesionPanel({ model, item, resize }: { model: ModelState; item?: Item; resize: 'center-crop' | 'squash' }) {
  const [running, setRunning] = useState<Running>();
  const [result, setResult] = useState<LesionReport>();
  const [error, setError] = useState<string>();
  // A result belongs to the model it was computed on.
  const info = model.info;
  const seen = useRef(info);
  useEffect(() => {
    if (seen.current === info) return;
    seen.current = info;
    setResult(undefined);
  }, [info]);

  const start = () => {
    if (!item?.blob) return;
    setError(undefined);
    setResult(undefined);
    const job = modelClient().lesion(item.blob, item.name, { resize }, (m) =>
      setRunning((r) => (r ? { ...r, done: m.done, total: m.total, last: m.entry.block } : r)),
    );
    let cancelled = false;
    const cancel = () => {
      cancelled = true;
      job.cancel();
    };
    setRunning({ done: 0, total: 0, cancel });
    job.promise
      .then((r) => setResult(r))
      // A model loaded meanwhile also stops the study (with its own message).
      .catch((e: Error) => setError(cancelled && e.name === 'CancelledError' ? 'Cancelled.' : e.message))
      .finally(() => setRunning(undefined));
  };

  const ready = !!info && !model.loading && !!item?.blob;
  return (
    <details className="cls-model lesion" data-testid="lesion-panel">
      <summary>
        <b>Lesion study</b>: delete one residual block at a time
      </summary>
      <p className="cls-muted">
        Each residual block in turn is deleted at test time: its residual branch is set to zero (the branch&apos;s last
        BatchNorm gets γ = β = 0, or its last convolution a zero kernel and bias in a pre-activation net), so a block with
        an identity shortcut passes its input on unchanged — exactly, since that input is already a ReLU output. In a
        block with a projection shortcut (each stage&apos;s first block in ResNet50) only the projection, a strided 1×1
        convolution with BatchNorm and the block&apos;s ReLU, remains. The weights are restored after each forward pass;
        nothing is rebuilt.
      </p>
      <p className="cls-muted">
        <b>What Veit et al. found</b> (&ldquo;Residual Networks Behave Like Ensembles of Relatively Shallow
        Networks&rdquo;, NeurIPS 2016, Sec. 4.1, Fig. 3): deleting any single layer of a plain VGG-style network drops
        CIFAR-10 accuracy to chance, while deleting a single residual block from a trained ResNet barely changes its test
        error. On ImageNet (their ResNet-200, Fig. 3b) only deleting a downsampling block had a modest effect; no other
        single deletion changed the error noticeably.
      </p>
      <div className="cls-row">
        <button type="button" onClick={start} disabled={!ready || !!running}>
          {item ? `Run on ${item.name}` : 'Classify an image first'}
        </button>
        {running && (
          <span className="cls-progress" data-testid="lesion-progress">
            <progress value={running.done} max={running.total || 1} />
            {running.total ? `deleted ${running.last} (${running.done}/${running.total})` : 'starting…'}
            <button type="button" onClick={running.cancel}>
              Cancel
            </button>
          </span>
        )}
      </div>
      {info?.weights === 'random' && <p className="cls-warning">This model has random weights: the lesion study means nothing for it.</p>}
      {error && (
        <p className="cls-error" role="alert">
          {error}
        </p>
      )}
      {result && (
        <div className="lesion-result" data-testid="lesion-result" data-image={result.image}>
          <LesionChart blocks={result.blocks} base={result.base} />
          <p className="cls-muted lesion-legend">
            Bars: probability of {nice(result.base.label)} after deleting that block (dashed: intact network); red where the
            top-1 class changed. ↓2: downsampling block (stride 2, projection shortcut); P: projection shortcut without
            downsampling. Blocks in the diagram&apos;s order, grouped by stage. {result.blocks.length + 1} forward passes in{' '}
            {(result.ms / 1000).toFixed(1)} s.
          </p>
          <Findings r={result} />
          <table className="lesion-table" aria-label="Lesion study per block" data-base-index={result.base.index} data-base-probability={result.base.probability}>
            <thead>
              <tr>
                <th>deleted block</th>
                <th>shortcut</th>
                <th>P({nice(result.base.label)})</th>
                <th>top-1 after deletion</th>
              </tr>
            </thead>
            <tbody>
              {result.blocks.map((b) => (
                <tr
                  key={b.block}
                  data-block={b.block}
                  data-shortcut={b.shortcut}
                  data-top-index={b.top.index}
                  data-top-probability={b.top.probability}
                  data-base-probability={b.baseProbability}
                >
                  <td>
                    {b.block}
                    {b.downsampling ? ' ↓2' : ''}
                  </td>
                  <td>{b.shortcut}</td>
                  <td>{pct(b.baseProbability)}</td>
                  <td className={b.top.index !== result.base.index ? 'cls-error' : undefined}>
                    {nice(b.top.label)} {pct(b.top.probability)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </details>
  );
}
