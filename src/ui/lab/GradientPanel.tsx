import { useEffect, useMemo, useState } from 'react';
import { teachingText } from '../../core/lab/teaching';
import type { LayerGradient } from '../../tf/gradients';
import type { ProbeSettings } from '../../worker/lab-protocol';
import { Cites } from '../shared/Cites';
import { DepthSelect } from './DepthSelect';
import { followRequest } from './follow-request';
import { GradientChart } from './GradientChart';
import { Progress } from './Progress';
import type { LabWorker } from './useLabWorker';

interface Result {
  readonly plain: readonly LayerGradient[];
  readonly residual: readonly LayerGradient[];
  readonly ms: number;
}

const key = (s: ProbeSettings) => `${s.depth}-${s.batchNorm ? 'bn' : 'nobn'}-${s.init}-${s.shortcut}-${s.batch}-${s.seed}`;
/** The text summarises conv kernels on the main path (the classifier's dense kernel is charted, not summarised). */
const mainConvNorms = (ls: readonly LayerGradient[]) => ls.filter((l) => l.path === 'main' && l.kind === 'conv').map((l) => l.norm);

/** Gradient flow at initialisation: toggles, chart, and the text that reads the chart. */
export function GradientPanel({ worker }: { readonly worker: LabWorker }) {
  const [settings, setSettings] = useState<ProbeSettings>({ depth: 56, batchNorm: true, init: 'he', shortcut: 'A', batch: 32, seed: 1 });
  const [results, setResults] = useState<ReadonlyMap<string, Result>>(new Map());
  const [pending, setPending] = useState<{ id: number; label: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const k = key(settings);
  const result = results.get(k);

  useEffect(() => {
    if (results.has(k) || !worker.status.backend) return;
    const id = worker.newId();
    setPending({ id, label: 'Measuring…' });
    setError(null);
    const off = followRequest(worker, id, 'probe-result', {
      pending: (label) => setPending(label === null ? null : { id, label }),
      result: (m) => setResults((prev) => new Map(prev).set(key(m.settings), { plain: m.plain, residual: m.residual, ms: m.ms })),
      error: setError,
    });
    worker.send({ type: 'probe', id, settings });
    return off;
  }, [k, settings, results, worker]);

  const text = useMemo(
    () =>
      result
        ? teachingText({ depth: settings.depth, batchNorm: settings.batchNorm, init: settings.init, plain: mainConvNorms(result.plain), residual: mainConvNorms(result.residual) })
        : [],
    [result, settings],
  );
  const set = (patch: Partial<ProbeSettings>) => setSettings((s) => ({ ...s, ...patch }));
  const busy = pending !== null;

  return (
    <section className="lab-panel" aria-labelledby="lab-gradients-title">
      <h2 id="lab-gradients-title">Gradient flow at initialization</h2>
      <p className="lab-muted">
        One forward and backward pass of plain-N and ResNet-N (CIFAR widths 16/32/64) on the same batch of {settings.batch} generated
        32×32 images; the norm of the loss gradient for every conv and dense kernel on the main path.
      </p>
      <div className="lab-controls" role="group" aria-label="Gradient flow settings">
        <DepthSelect value={settings.depth} disabled={busy} label="Depth" onChange={(depth) => set({ depth })} />
        <label>
          <input type="checkbox" checked={settings.batchNorm} disabled={busy} onChange={(e) => set({ batchNorm: e.target.checked })} /> Batch
          normalization
        </label>
        <fieldset disabled={busy}>
          <legend>Init</legend>
          {(['he', 'glorot'] as const).map((v) => (
            <label key={v}>
              <input type="radio" name="lab-init" checked={settings.init === v} onChange={() => set({ init: v })} /> {v === 'he' ? 'He (exact)' : 'Glorot'}
            </label>
          ))}
        </fieldset>
        <fieldset disabled={busy}>
          <legend>Shortcut</legend>
          {(['A', 'B'] as const).map((v) => (
            <label key={v} title={v === 'A' ? 'identity, zero-padded channels when the shape changes' : '1×1 projection when the shape changes'}>
              <input type="radio" name="lab-shortcut" checked={settings.shortcut === v} onChange={() => set({ shortcut: v })} /> Option {v}
            </label>
          ))}
        </fieldset>
      </div>
      <Progress pending={pending?.label} error={error} />
      {result && (
        <div className="lab-gradients">
          <GradientChart
            series={[
              { key: 'plain', name: `plain-${settings.depth}`, data: result.plain },
              { key: 'residual', name: `ResNet-${settings.depth}`, data: result.residual },
            ]}
            label={`Gradient norm per layer, plain-${settings.depth} vs ResNet-${settings.depth}`}
            drawKey={k}
          />
          <div className="lab-teaching" data-testid="teaching">
            {text.map((t) => (
              <p key={t.text}>
                {t.text} <Cites cites={t.cites} />
              </p>
            ))}
            <p className="lab-muted">Measured in {(result.ms / 1000).toFixed(1)} s.</p>
          </div>
        </div>
      )}
    </section>
  );
}
