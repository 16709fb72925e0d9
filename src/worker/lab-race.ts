/**
 * The training race inside the worker: plain-N and ResNet-N, same data, same seed, one step each in turn.
 * Yields to the event loop between steps so pause / reset messages are handled at once. A pause is announced
 * (`race-state` 'paused') when the loop has stopped, after the step in flight has landed, so the step count
 * it shows is final; a resume before that just lets the same loop carry on (never two loops at once).
 */
import type { ImageSet } from '../core/datasets/shapes';
import { generateShapeSet } from '../core/datasets/shapes';
import { TrainingRun } from '../tf/train';
import type { LabResponse, RaceSettings } from './lab-protocol';

/** Browser-scale setting (the degradation experiment's): 16×16 images, widths 8/16/32. */
export const RACE_IMAGE_SIZE = 16;
export const RACE_WIDTHS = [8, 16, 32] as const;
const RACE_IMAGES = 4000;

type Post = (m: LabResponse) => void;

export class Race {
  private runs: { plain: TrainingRun; residual: TrainingRun } | undefined;
  private state: 'idle' | 'running' | 'paused' | 'done' = 'idle';
  private runId = 0;
  private data: { seed: number; set: ImageSet } | undefined;
  private custom: ImageSet | undefined;
  private settings: RaceSettings | undefined;
  private times: number[] = [];
  /** The run whose loop is stepping now, if any. */
  private looping: number | undefined;

  constructor(private readonly post: Post) {}

  /** The user's images, decoded at RACE_IMAGE_SIZE; used by races started with data 'custom'. */
  setCustomData(set: ImageSet): void {
    this.custom = set;
  }

  start(settings: RaceSettings): void {
    if (settings.data === 'custom' && !this.custom) throw new Error('no images loaded: pick a folder first, or use the built-in shapes');
    this.reset();
    const runId = ++this.runId;
    this.settings = settings;
    this.post({ type: 'race-state', runId, state: 'building' });
    if (settings.data === 'shapes' && this.data?.seed !== settings.seed) {
      this.data = { seed: settings.seed, set: generateShapeSet({ count: RACE_IMAGES, size: RACE_IMAGE_SIZE, seed: settings.seed }) };
    }
    const set = settings.data === 'custom' ? this.custom! : this.data!.set;
    const make = (residual: boolean) =>
      new TrainingRun(
        {
          net: { depth: settings.depth, residual, widths: RACE_WIDTHS },
          init: 'he',
          seed: settings.seed,
          batchSize: settings.batch,
          schedule: {
            learningRate: settings.learningRate,
            // The paper warms up only its 110-layer net (0.01 until training error < 80 %); a short linear
            // warm-up plays that role here for every depth.
            warmupSteps: Math.min(100, Math.floor(settings.steps / 5)),
            totalSteps: settings.steps,
            decay: settings.schedule,
          },
          optimizer: settings.optimizer,
          outputScale: 0.1,
        },
        set,
      );
    this.runs = { plain: make(false), residual: make(true) };
    this.state = 'running';
    this.post({ type: 'race-state', runId, state: 'running' });
    this.run(runId);
  }

  /**
   * The trained pair and its depth, while the weights stay fixed: once the race is done, or also while paused
   * with `whilePaused` (the lesion study). The landscape and layer responses ask for a done race: while paused a
   * step may still be in flight. Requests run one at a time, so no race restarts during an analysis.
   */
  trained({ whilePaused = false } = {}): { readonly plain: TrainingRun; readonly residual: TrainingRun; readonly depth: number } | undefined {
    const fixed = this.state === 'done' || (whilePaused && this.state === 'paused');
    if (!fixed || !this.runs || !this.settings) return undefined;
    return { plain: this.runs.plain, residual: this.runs.residual, depth: this.settings.depth };
  }

  pause(): void {
    if (this.state !== 'running') return;
    this.state = 'paused';
    if (this.looping !== this.runId) this.post({ type: 'race-state', runId: this.runId, state: 'paused' });
  }

  resume(): void {
    if (this.state !== 'paused') return;
    this.state = 'running';
    this.times = [];
    this.post({ type: 'race-state', runId: this.runId, state: 'running' });
    if (this.looping !== this.runId) this.run(this.runId);
  }

  reset(): void {
    this.state = 'idle';
    this.runs?.plain.dispose();
    this.runs?.residual.dispose();
    this.runs = undefined;
    this.times = [];
    this.post({ type: 'race-state', runId: this.runId, state: 'idle' });
  }

  /** The loop, with a failed step (e.g. a kernel the backend lacks) reported instead of lost. */
  private run(runId: number): void {
    this.loop(runId).catch((e: unknown) => {
      this.reset();
      this.post({ type: 'error', message: `training stopped: ${e instanceof Error ? e.message : String(e)}` });
    });
  }

  private async loop(runId: number): Promise<void> {
    this.looping = runId;
    try {
      await this.steps(runId);
    } finally {
      if (this.looping === runId) this.looping = undefined;
    }
    if (this.state === 'paused' && runId === this.runId) this.post({ type: 'race-state', runId, state: 'paused' });
  }

  private async steps(runId: number): Promise<void> {
    while (this.state === 'running' && runId === this.runId && this.runs && this.settings) {
      if (this.runs.plain.step >= this.settings.steps) {
        this.state = 'done';
        this.post({ type: 'race-state', runId, state: 'done' });
        return;
      }
      // Asynchronous read-back: a synchronous one returned zeros on WebGPU in a worker.
      const runs = this.runs;
      const plain = await runs.plain.nextAsync();
      if (runId !== this.runId || this.runs !== runs) return;
      const residual = await runs.residual.nextAsync();
      // Reset / restart while the step was in flight: its models are gone (or replaced).
      if (runId !== this.runId || this.runs !== runs) return;
      const now = performance.now();
      this.times.push(now);
      if (this.times.length > 20) this.times.shift();
      const span = (now - this.times[0]) / 1000;
      const stepsPerSecond = this.times.length > 1 && span > 0 ? (this.times.length - 1) / span : 0;
      this.post({
        type: 'race-progress',
        runId,
        plain: { step: plain.step, loss: plain.loss, accuracy: plain.accuracy },
        residual: { step: residual.step, loss: residual.loss, accuracy: residual.accuracy },
        stepsPerSecond,
      });
      // Let pause / reset messages in.
      await new Promise((r) => setTimeout(r, 0));
    }
  }
}
