import { useEffect, useMemo, useRef, useState } from 'react';
import { estimateSeconds, LANDSCAPE_GRIDS, LANDSCAPE_IMAGES } from '../../core/lab/landscape';
import type { LabResponse, LandscapeSettings } from '../../worker/lab-protocol';
import { ColourLegend, ContourPlot, SlicePlot, sharedScale } from './LandscapeCharts';
import { Progress } from './Progress';
import type { LabWorker } from './useLabWorker';
import { useRaceDone } from './useRaceDone';

/** What the worker answers (minus the message's type and id). */
type Result = Omit<Extract<LabResponse, { type: 'landscape-result' }>, 'type' | 'id'>;

const LI2018 = 'https://arxiv.org/abs/1712.09913';

/** Loss landscapes of the race's trained pair (Li et al. 2018): 1D slice and 2D contours, one colour scale. */
export function LandscapePanel({ worker }: { readonly worker: LabWorker }) {
  const race = useRaceDone(worker);
  const [settings, setSettings] = useState<LandscapeSettings>({ grid: 11, images: 128, seed: 1, bn: 'batch' });
  const [estimate, setEstimate] = useState<{ key: string; msPerPoint: number } | null>(null);
  const [pending, setPending] = useState<{ id: number; label: string; fraction: number } | null>(null);
  const [result, setResult] = useState<Result | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const ids = useRef(new Set<number>());
  /** The estimate asked for last: `runId-images-bn`. */
  const requested = useRef('');

  useEffect(
    () =>
      worker.subscribe((m) => {
        if (!('id' in m) || m.id === undefined || !ids.current.has(m.id)) return;
        if (m.type === 'progress') setPending({ id: m.id, label: m.label, fraction: m.fraction });
        else if (m.type === 'landscape-estimate-result') {
          setEstimate({ key: requested.current, msPerPoint: m.msPerPoint });
          setPending(null);
        } else if (m.type === 'landscape-result') {
          setResult({ settings: m.settings, depth: m.depth, images: m.images, plain: m.plain, residual: m.residual, ms: m.ms });
          setPending(null);
        } else if (m.type === 'landscape-cancelled') {
          setNote('Cancelled; the trained weights are unchanged.');
          setPending(null);
        } else if (m.type === 'error') {
          setError(m.message);
          setPending(null);
        }
      }),
    [worker],
  );

  // A new race makes the old plots and timing stale.
  useEffect(() => {
    if (!race.done) {
      setResult(null);
      setEstimate(null);
    }
  }, [race]);

  // Time one grid point whenever the trained pair or the number of images changes.
  const estimateKey = `${race.runId}-${settings.images}-${settings.bn}`;
  const needEstimate = race.done && pending === null && requested.current !== estimateKey;
  useEffect(() => {
    if (!needEstimate) return;
    requested.current = estimateKey; // once per trained pair and image count, also if it fails
    const id = worker.newId();
    ids.current.add(id);
    setPending({ id, label: 'timing one grid point…', fraction: 0 });
    worker.send({ type: 'landscape-estimate', id, images: settings.images, bn: settings.bn });
  }, [needEstimate, estimateKey, settings.images, settings.bn, worker]);

  const start = () => {
    const id = worker.newId();
    ids.current.add(id);
    setError(null);
    setNote(null);
    setPending({ id, label: 'starting…', fraction: 0 });
    worker.send({ type: 'landscape', id, settings });
  };
  const scale = useMemo(() => (result ? sharedScale([result.plain, result.residual]) : null), [result]);
  const set = (patch: Partial<LandscapeSettings>) => setSettings((s) => ({ ...s, ...patch }));
  const busy = pending !== null;
  const seconds = estimate && estimate.key === estimateKey ? estimateSeconds(estimate.msPerPoint, settings.grid) : null;

  return (
    <section className="lab-panel" aria-labelledby="lab-landscape-title">
      <h2 id="lab-landscape-title">Loss landscape around the trained nets</h2>
      <p className="lab-muted">
        After a race: the training loss of each trained net at θ + αδ + βη, where δ and η are random Gaussian directions, <em>filter-normalized</em>{' '}
        — every filter of δ scaled to the norm of the matching filter of θ, so that the plot does not depend on the arbitrary scale of weights that
        batch normalization makes irrelevant (
        <a href={LI2018} target="_blank" rel="noreferrer">
          Li et al. 2018
        </a>
        , §4). Conv and dense kernels move; biases and batch-norm parameters stay (a zero direction, as in the paper's code). The loss is taken on the
        first images of the race's own training set, in the race's batch size. Batch norm uses each batch's statistics by default, as in the
        race's training steps (the centre is then the race's own loss, and BN keeps each filter's scale irrelevant); the paper's code uses the
        moving statistics instead, which after a short race are still far from the batch statistics.
      </p>
      <div className="lab-controls" role="group" aria-label="Landscape settings">
        <label>
          Grid{' '}
          <select value={settings.grid} disabled={busy} aria-label="Grid size" onChange={(e) => set({ grid: Number(e.target.value) })}>
            {LANDSCAPE_GRIDS.map((g) => (
              <option key={g} value={g}>
                {g} × {g}
              </option>
            ))}
          </select>
        </label>
        <label>
          Images{' '}
          <select value={settings.images} disabled={busy} aria-label="Evaluation images" onChange={(e) => set({ images: Number(e.target.value) })}>
            {LANDSCAPE_IMAGES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <label>
          Batch norm{' '}
          <select value={settings.bn} disabled={busy} aria-label="Batch norm statistics" onChange={(e) => set({ bn: e.target.value as LandscapeSettings['bn'] })}>
            <option value="batch">batch statistics (as in training)</option>
            <option value="moving">moving statistics (as in Li et al.'s code)</option>
          </select>
        </label>
        <label>
          Direction seed{' '}
          <input type="number" value={settings.seed} disabled={busy} aria-label="Direction seed" onChange={(e) => set({ seed: Math.floor(Number(e.target.value) || 0) })} />
        </label>
      </div>
      <div className="lab-buttons">
        <button type="button" onClick={start} disabled={!race.done || busy || !worker.status.backend}>
          Compute landscape
        </button>
        <button type="button" onClick={() => worker.send({ type: 'landscape-cancel' })} disabled={!busy}>
          Cancel
        </button>
        <span className="lab-status" data-testid="landscape-estimate">
          {!race.done && 'Run the race to its last step first.'}
          {race.done &&
            seconds !== null &&
            `${settings.grid}² = ${settings.grid ** 2} grid points × ${estimate!.msPerPoint.toFixed(0)} ms (one loss evaluation of each net on ${settings.images} images, timed) ≈ ${Math.ceil(seconds)} s`}
        </span>
      </div>
      <Progress pending={pending ? `${pending.label}${pending.fraction > 0 ? ` (${Math.round(pending.fraction * 100)} %)` : ''}` : null} error={error} />
      {note && <p className="lab-muted">{note}</p>}
      {result && scale && (
        <div data-testid="landscape-result">
          <p className="lab-muted">
            {result.settings.grid} × {result.settings.grid} grid, α, β ∈ [−1, 1], {result.images} images, BN {result.settings.bn} statistics, direction seed {result.settings.seed}: {(result.ms / 1000).toFixed(1)} s (
            {(result.ms / result.settings.grid ** 2).toFixed(0)} ms per grid point for both nets).
          </p>
          <div className="lab-landscape">
            <ContourPlot surface={result.plain} name={`plain-${result.depth}`} scale={scale} />
            <ContourPlot surface={result.residual} name={`ResNet-${result.depth}`} scale={scale} />
          </div>
          <ColourLegend scale={scale} />
          <div className="lab-landscape-slice">
            <SlicePlot plain={result.plain} residual={result.residual} depth={result.depth} />
          </div>
        </div>
      )}
      <details className="lab-muted" open>
        <summary>What a slice can and cannot show</summary>
        <p>
          It shows how the loss changes when the trained weights move along two random directions, on a scale that is comparable between the two
          nets: a wide, round basin means the loss tolerates such moves; tight, chaotic contours mean it does not. Li et al. (§6, Fig. 5, nets trained
          for 300 epochs on CIFAR-10) found that a 20-layer net without shortcuts still has a fairly benign landscape with convex contours in the
          centre, but at 56 and 110 layers it turns chaotic, while the ResNets of every depth stay smooth. Our race is far shorter and on other
          data; compare depths with the race's depth setting.
        </p>
        <p>
          It cannot show the whole landscape: the nets have tens of thousands of weights and this is a 2D cut through them, along directions
          chosen at random. Convex-looking contours do not prove the loss is convex (Li et al. §6 check that with Hessian eigenvalues); a random
          direction is almost orthogonal to the path training took (§7), so the plot says nothing about the route there; and the picture depends on
          the seed of the directions and on the evaluation images.
        </p>
      </details>
    </section>
  );
}
