import { useEffect, useState } from 'react';
import type { BackendCheckResult } from '../../tf/backend-check';
import { BACKENDS, type BackendName } from '../../tf/backend-names';
import type { LabWorker } from './useLabWorker';

/** Largest |a − b| / |b| over paired values. */
function maxRelDiff(a: readonly number[], b: readonly number[]): number {
  let m = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1e-30));
  return m;
}

/**
 * Which backend the lab trains on (auto: the fastest working one; or the user's pick), and a check that runs
 * the same seeded few steps of a tiny ResNet-8 on it, so backends can be compared number for number.
 */
export function BackendPanel({ worker }: { readonly worker: LabWorker }) {
  const [checks, setChecks] = useState<readonly BackendCheckResult[]>([]);
  const [pending, setPending] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { backend, requested } = worker.status;

  useEffect(
    () =>
      worker.subscribe((m) => {
        if (m.type === 'check-result' && m.id === pending) {
          setChecks((cs) => [...cs.filter((c) => c.backend !== m.result.backend), m.result]);
          setPending(null);
        } else if (m.type === 'error' && m.id === pending) {
          setError(m.message);
          setPending(null);
        }
      }),
    [worker, pending],
  );

  const check = () => {
    const id = worker.newId();
    setError(null);
    setPending(id);
    worker.send({ type: 'check', id });
  };
  // Compare with wasm when it has been checked (the reference on machines without a GPU), else the first.
  const ref = checks.find((c) => c.backend === 'wasm') ?? checks[0];

  return (
    <section className="lab-panel" aria-labelledby="lab-backend-title">
      <h2 id="lab-backend-title">Backend</h2>
      <div className="lab-buttons">
        <label>
          Training backend{' '}
          <select
            aria-label="Training backend"
            value={requested ?? 'auto'}
            disabled={!backend || pending !== null}
            onChange={(e) => worker.setBackend(e.target.value === 'auto' ? undefined : (e.target.value as BackendName))}
          >
            <option value="auto">auto (fastest that works)</option>
            {BACKENDS.map((b) => (
              <option key={b} value={b}>
                {b}
              </option>
            ))}
          </select>
        </label>
        <span className="lab-status" role="status" data-testid="lab-backend">
          {backend ? `training on ${backend}` : 'starting the backend…'}
        </span>
        <button type="button" onClick={check} disabled={!backend || pending !== null}>
          Check training on this backend
        </button>
        {pending !== null && <span className="lab-spinner" aria-hidden="true" />}
      </div>
      {worker.urlNotice && (
        <p className="lab-error" role="alert" data-testid="backend-notice">
          {worker.urlNotice}
        </p>
      )}
      <p className="lab-muted">
        Auto skips software GPUs (e.g. SwiftShader), which are slower than wasm; pick one to use it anyway. Switching resets the race. The
        check trains a tiny ResNet-8 (widths 4/8/16, 8×8 inputs, batch 8, option-A shortcuts, BN) for 3 seeded SGD steps and measures its
        per-layer gradient norms: every backend should give the same numbers to float32 rounding.
      </p>
      {error && (
        <p className="lab-error" role="alert">
          {error}
        </p>
      )}
      {checks.length > 0 && (
        <table className="lab-checks" data-testid="backend-checks">
          <thead>
            <tr>
              <th>backend</th>
              <th>losses of the 3 steps</th>
              <th>max rel. Δ loss vs {ref.backend}</th>
              <th>max rel. Δ gradient norm vs {ref.backend}</th>
              <th>steps/s (after the first)</th>
              <th>total</th>
            </tr>
          </thead>
          <tbody>
            {checks.map((c) => (
              <tr key={c.backend} data-backend={c.backend} data-result={JSON.stringify(c)}>
                <td>{c.backend}</td>
                <td>{c.losses.map((l) => l.toFixed(5)).join(', ')}</td>
                <td>{maxRelDiff(c.losses, ref.losses).toExponential(1)}</td>
                <td>{maxRelDiff(c.gradients.map((g) => g.norm), ref.gradients.map((g) => g.norm)).toExponential(1)}</td>
                <td>{c.stepsPerSecond.toFixed(1)}</td>
                <td>{(c.ms / 1000).toFixed(1)} s</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
