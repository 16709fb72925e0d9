import { useEffect, useRef, useState } from 'react';
import { LAB_DEPTHS } from '../../core/lab/variants';
import type { RacePoint, RaceSettings } from '../../worker/lab-protocol';
import { Cites } from '../shared/Cites';
import { DepthSelect } from './DepthSelect';
import { FolderPicker } from './FolderPicker';
import { RaceChart } from './RaceChart';
import type { LabWorker } from './useLabWorker';

type RaceState = 'idle' | 'building' | 'running' | 'paused' | 'done';

/** The lab's depths and 8, the shallow net of the degradation experiment's pair (plain-8 vs plain-32). */
const RACE_DEPTHS: readonly number[] = [8, ...LAB_DEPTHS];

const PRESETS = {
  paper: { optimizer: 'sgd', learningRate: 0.1, schedule: 'paper' },
  adam: { optimizer: 'adam', learningRate: 2e-3, schedule: 'cosine' },
} as const;

/** plain-N vs ResNet-N trained side by side in the worker, live curves. */
export function RacePanel({ worker }: { readonly worker: LabWorker }) {
  // The degradation experiment's settings (scripts/experiment-degradation.ts): at depth 32 the plain net trains, late,
  // and ends far above ResNet-32 and above plain-8 at the same settings; at 56 it stays at chance.
  const [settings, setSettings] = useState<RaceSettings>({ depth: 32, ...PRESETS.adam, steps: 1000, batch: 32, seed: 1, data: 'shapes' });
  const [customReady, setCustomReady] = useState(false);
  const [lrText, setLrText] = useState(String(settings.learningRate));
  const [state, setState] = useState<RaceState>('idle');
  const [plain, setPlain] = useState<RacePoint[]>([]);
  const [residual, setResidual] = useState<RacePoint[]>([]);
  const [speed, setSpeed] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [shown, setShown] = useState<RaceSettings>(settings);
  const runId = useRef(0);

  useEffect(
    () =>
      worker.subscribe((m) => {
        if (m.type === 'race-state') {
          runId.current = m.runId;
          setState(m.state);
        } else if (m.type === 'race-progress' && m.runId === runId.current) {
          setPlain((p) => [...p, m.plain]);
          setResidual((r) => [...r, m.residual]);
          setSpeed(m.stepsPerSecond);
        } else if (m.type === 'error' && m.id === undefined) {
          setError(m.message);
        }
      }),
    [worker],
  );

  const lr = Number(lrText);
  const lrValid = Number.isFinite(lr) && lr > 0 && lr < 10;
  const set = (patch: Partial<RaceSettings>) => setSettings((s) => ({ ...s, ...patch }));
  const start = () => {
    if (!lrValid) return;
    const s = { ...settings, learningRate: lr };
    setPlain([]);
    setResidual([]);
    setSpeed(0);
    setError(null);
    setShown(s);
    worker.send({ type: 'race-start', settings: s });
  };
  const active = state === 'running' || state === 'paused' || state === 'building';
  const last = (ps: RacePoint[]) => ps[ps.length - 1];

  return (
    <section className="lab-panel" aria-labelledby="lab-race-title">
      <h2 id="lab-race-title">Training race</h2>
      <p className="lab-muted">
        plain-N and ResNet-N, same seed, same batches — by default of generated 16×16 shapes (10 classes: 5 shapes × solid/outline, colours carry no
        class), widths 8/16/32. In the paper <Cites cites={[{ source: 'he2015', where: 'Fig. 1, Fig. 6' }]} /> the deeper plain net ends with the
        higher training error; the deeper ResNet with the lower. The defaults (depth 32, Adam, 1,000 steps) are those of{' '}
        <code>npm run experiment:degradation</code>: with seed 1 plain-32 sits near chance (loss ln 10 ≈ 2.30) for about 400 steps, then trains, and
        ends at a training loss of 1.76, against 0.96 for plain-8 at the same settings (race depth 8 to see it) — while ResNet-32 ends at 0.66. At depth 56 the plain net does not leave chance in 1,000 steps: at
        initialization its gradients grow about 1.16× per layer toward the input, the gradient explosion of batch-normalized nets without shortcuts{' '}
        <Cites cites={[{ source: 'yang2019', where: 'abstract' }]} />.
      </p>
      <div className="lab-controls" role="group" aria-label="Race settings">
        <DepthSelect value={settings.depth} depths={RACE_DEPTHS} disabled={active} label="Race depth" onChange={(depth) => set({ depth })} />
        <label>
          Data{' '}
          <select value={settings.data} disabled={active} aria-label="Data" onChange={(e) => set({ data: e.target.value as RaceSettings['data'] })}>
            <option value="shapes">Built-in shapes (10 classes)</option>
            <option value="custom">Your images (a folder)</option>
          </select>
        </label>
        <label>
          Optimizer{' '}
          <select
            value={settings.optimizer === 'sgd' ? 'paper' : 'adam'}
            disabled={active}
            aria-label="Optimizer"
            onChange={(e) => {
              const p = PRESETS[e.target.value as keyof typeof PRESETS];
              set(p);
              setLrText(String(p.learningRate));
            }}
          >
            <option value="paper">SGD momentum 0.9, ÷10 at 50 % / 75 % (paper)</option>
            <option value="adam">Adam, warm-up + cosine</option>
          </select>
        </label>
        <label>
          Learning rate{' '}
          <input
            type="text"
            inputMode="decimal"
            size={7}
            value={lrText}
            disabled={active}
            aria-label="Learning rate"
            aria-invalid={!lrValid}
            onChange={(e) => setLrText(e.target.value)}
          />
        </label>
        <label>
          Steps{' '}
          <input
            type="number"
            min={10}
            max={5000}
            step={10}
            value={settings.steps}
            disabled={active}
            aria-label="Steps"
            onChange={(e) => set({ steps: Math.max(10, Math.min(5000, Number(e.target.value) || 10)) })}
          />
        </label>
        <label>
          Seed{' '}
          <input type="number" value={settings.seed} disabled={active} aria-label="Seed" onChange={(e) => set({ seed: Math.floor(Number(e.target.value) || 0) })} />
        </label>
      </div>
      {settings.data === 'custom' && !active && <FolderPicker worker={worker} onReady={setCustomReady} />}
      {!lrValid && (
        <p className="lab-error" role="alert">
          Learning rate must be a number between 0 and 10; received “{lrText}”.
        </p>
      )}
      <div className="lab-buttons">
        <button type="button" onClick={start} disabled={active || !lrValid || !worker.status.backend || (settings.data === 'custom' && !customReady)}>
          Start race
        </button>
        <button type="button" onClick={() => worker.send({ type: state === 'paused' ? 'race-resume' : 'race-pause' })} disabled={state !== 'running' && state !== 'paused'}>
          {state === 'paused' ? 'Resume' : 'Pause'}
        </button>
        <button
          type="button"
          onClick={() => {
            worker.send({ type: 'race-reset' });
            setPlain([]);
            setResidual([]);
            setSpeed(0);
          }}
          disabled={state === 'idle' && plain.length === 0}
        >
          Reset
        </button>
        <span className="lab-status" role="status" data-testid="race-status">
          {state === 'building' && 'Building both networks…'}
          {state === 'running' && `step ${last(plain)?.step ?? 0} / ${shown.steps} · ${speed.toFixed(2)} steps/s (both nets)`}
          {state === 'paused' && `paused at step ${last(plain)?.step ?? 0}`}
          {state === 'done' && `done: ${shown.steps} steps`}
          {state === 'idle' && (worker.status.backend ? `ready (${worker.status.backend})` : 'starting the worker…')}
        </span>
      </div>
      {error && (
        <p className="lab-error" role="alert">
          {error}
        </p>
      )}
      <div className="lab-race-charts">
        <RaceChart metric="loss" plain={plain} residual={residual} depth={shown.depth} totalSteps={shown.steps} />
        <RaceChart metric="accuracy" plain={plain} residual={residual} depth={shown.depth} totalSteps={shown.steps} />
      </div>
      {plain.length > 0 && (
        <p className="lab-muted" data-testid="race-last">
          Last batch: plain-{shown.depth} loss {last(plain).loss.toFixed(3)}, accuracy {(last(plain).accuracy * 100).toFixed(0)} % · ResNet-
          {shown.depth} loss {last(residual).loss.toFixed(3)}, accuracy {(last(residual).accuracy * 100).toFixed(0)} %
        </p>
      )}
    </section>
  );
}
