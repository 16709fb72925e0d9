import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { centreLoss } from '../../src/core/lab/landscape';
import { datasetLoss, disposeBatches, evaluationBatches } from '../../src/tf/landscape';
import { initNodeWasm } from '../../src/tf/node-wasm';
import { LabAnalyses } from '../../src/worker/lab-landscape';
import type { LabResponse } from '../../src/worker/lab-protocol';
import { Race } from '../../src/worker/lab-race';

/** The lab worker's handler on a real (tiny) race: messages, progress, cancel, no leaks. */
describe('lab worker: landscape and layer responses after a race', () => {
  const posted: LabResponse[] = [];
  let cancelOn: number | undefined;
  const post = (m: LabResponse) => {
    posted.push(m);
    // Cancel as the UI would, while the scan runs (the worker handles it outside its queue).
    if (m.type === 'progress' && m.id === cancelOn && m.fraction > 0.1) analyses.cancel();
  };
  const race = new Race(post);
  const analyses = new LabAnalyses(post, race);

  beforeAll(async () => {
    await initNodeWasm();
  });

  it('refuses before the race is done, then estimates, scans both nets with progress, cancels, measures; no leaks', async () => {
    await expect(analyses.landscape(1, { grid: 3, images: 32, seed: 1, bn: 'batch' })).rejects.toThrow(/run the race to its last step first/);
    race.start({ depth: 8, optimizer: 'adam', learningRate: 2e-3, schedule: 'cosine', data: 'shapes', steps: 4, batch: 16, seed: 1 });
    await expect
      .poll(() => posted.some((m) => m.type === 'race-state' && m.state === 'done'), { timeout: 120_000, interval: 100 })
      .toBe(true);
    const tensors = tf.memory().numTensors;

    await analyses.estimate(2, 32, 'batch');
    const est = posted.find((m) => m.type === 'landscape-estimate-result');
    expect(est?.type === 'landscape-estimate-result' && est.msPerPoint > 0).toBe(true);

    await analyses.landscape(3, { grid: 3, images: 40, seed: 1, bn: 'batch' });
    expect(posted.filter((m) => m.type === 'progress' && m.id === 3)).toHaveLength(18);
    const r = posted.find((m) => m.type === 'landscape-result');
    if (r?.type !== 'landscape-result') throw new Error('no landscape-result');
    expect(r.images).toBe(32); // whole batches of the race's 16
    expect(r.depth).toBe(8);
    expect(r.plain.losses).toHaveLength(9);
    const trained = race.trained()!;
    const batches = evaluationBatches(trained.residual.data, 32, 16);
    expect(centreLoss(r.residual)).toBeCloseTo(await datasetLoss(trained.residual.trainer.model, batches), 5);
    disposeBatches(batches);

    cancelOn = 4;
    await analyses.landscape(4, { grid: 5, images: 32, seed: 1, bn: 'batch' });
    expect(posted.some((m) => m.type === 'landscape-cancelled' && m.id === 4)).toBe(true);
    expect(posted.filter((m) => m.type === 'progress' && m.id === 4).length).toBeLessThan(50);

    await analyses.activationStats(5, 32);
    const a = posted.find((m) => m.type === 'activation-stats-result');
    if (a?.type !== 'activation-stats-result') throw new Error('no activation-stats-result');
    expect(a.plain).toHaveLength(7);
    expect(a.residual).toHaveLength(7);
    expect(tf.memory().numTensors).toBe(tensors);
    race.reset();
  }, 300_000);
});
