/**
 * The lab worker's analyses of the race's trained pair: loss landscapes (Li et al. 2018) and layer-response
 * stds (He et al. 2015, Fig. 7). Runs on the first images of the race's own training set, in the race's batch
 * size (BN uses batch statistics, so the batch size is part of the loss).
 */
import { gridAxis } from '../core/lab/landscape';
import { layerResponseStds } from '../tf/activation-stats';
import { type BnMode, disposeBatches, evaluationBatches, LandscapeCancelled, scanSurface, timeOneEvaluation } from '../tf/landscape';
import type { TrainingRun } from '../tf/train';
import type { LabResponse, LandscapeSettings } from './lab-protocol';
import type { Race } from './lab-race';

type Post = (m: LabResponse) => void;

const yieldToMessages = () => new Promise((r) => setTimeout(r, 0));

export class LabAnalyses {
  private cancelled = false;

  constructor(
    private readonly post: Post,
    private readonly race: Race,
  ) {}

  /** Stop the running scan at its next grid point (its weights are restored). */
  cancel(): void {
    this.cancelled = true;
  }

  private trained(): { readonly plain: TrainingRun; readonly residual: TrainingRun } {
    const t = this.race.trained();
    if (!t) throw new Error('no trained nets: run the race to its last step first');
    return t;
  }

  async estimate(id: number, images: number, bn: BnMode): Promise<void> {
    const { plain, residual } = this.trained();
    this.post({ type: 'progress', id, label: `timing one loss evaluation of each net on ${images} images`, fraction: 0 });
    const batches = evaluationBatches(plain.data, images, plain.config.batchSize);
    try {
      const ms = (await timeOneEvaluation(plain.trainer.model, batches, bn)) + (await timeOneEvaluation(residual.trainer.model, batches, bn));
      this.post({ type: 'landscape-estimate-result', id, images, msPerPoint: ms });
    } finally {
      disposeBatches(batches);
    }
  }

  async landscape(id: number, settings: LandscapeSettings): Promise<void> {
    const { plain, residual } = this.trained();
    gridAxis(settings.grid); // validates before any work
    this.cancelled = false;
    const t0 = performance.now();
    const batches = evaluationBatches(plain.data, settings.images, plain.config.batchSize);
    const depth = plain.config.net.depth;
    const points = settings.grid * settings.grid;
    const scan = (run: TrainingRun, offset: number, label: string) =>
      scanSurface(run.trainer.model, batches, {
        grid: settings.grid,
        seed: settings.seed,
        bn: settings.bn,
        onPoint: async (done) => {
          const all = offset + done;
          const left = ((performance.now() - t0) / all) * (2 * points - all);
          this.post({
            type: 'progress',
            id,
            label: `${label}: grid point ${done} / ${points} · about ${Math.ceil(left / 1000)} s left`,
            fraction: all / (2 * points),
          });
          await yieldToMessages();
          return !this.cancelled;
        },
      });
    try {
      const p = await scan(plain, 0, `plain-${depth}`);
      const r = await scan(residual, points, `ResNet-${depth}`);
      this.post({
        type: 'landscape-result',
        id,
        settings,
        depth,
        images: batches.length * plain.config.batchSize,
        plain: p,
        residual: r,
        ms: performance.now() - t0,
      });
    } catch (e) {
      if (e instanceof LandscapeCancelled) this.post({ type: 'landscape-cancelled', id });
      else throw e;
    } finally {
      disposeBatches(batches);
    }
  }

  async activationStats(id: number, images: number): Promise<void> {
    const { plain, residual } = this.trained();
    this.post({ type: 'progress', id, label: `layer responses of both nets on ${images} images`, fraction: 0 });
    const batches = evaluationBatches(plain.data, images, plain.config.batchSize);
    try {
      const p = await layerResponseStds(plain.trainer.model, batches);
      this.post({ type: 'progress', id, label: `layer responses of both nets on ${images} images`, fraction: 0.5 });
      const r = await layerResponseStds(residual.trainer.model, batches);
      this.post({
        type: 'activation-stats-result',
        id,
        depth: plain.config.net.depth,
        images: batches.length * plain.config.batchSize,
        plain: p,
        residual: r,
      });
    } finally {
      disposeBatches(batches);
    }
  }
}
