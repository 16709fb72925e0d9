/**
 * The lab's training race (Node, wasm, depth 8): a pause is announced only once the loop has stopped, so no step
 * lands after it; a resume that arrives while a step is still in flight continues the same loop, never a
 * second one (two loops would step the same networks concurrently: repeated or skipped step numbers).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeWasm } from '../../src/tf/node-wasm';
import { registerWasmTrainingKernels } from '../../src/tf/wasm-train';
import type { LabResponse, RaceSettings } from '../../src/worker/lab-protocol';
import { Race } from '../../src/worker/lab-race';

const SETTINGS: RaceSettings = { depth: 8, optimizer: 'sgd', learningRate: 0.05, schedule: 'cosine', data: 'shapes', steps: 1000, batch: 8, seed: 3 };

/** Resolves with the first posted message that matches. */
function waitFor(messages: LabResponse[], listeners: (() => void)[], match: (m: LabResponse) => boolean): Promise<number> {
  return new Promise((resolve) => {
    const check = () => {
      const i = messages.findIndex(match);
      if (i >= 0) resolve(i);
      return i >= 0;
    };
    if (!check()) listeners.push(check);
  });
}

describe('lab race: pause and resume', () => {
  beforeAll(async () => {
    registerWasmTrainingKernels();
    await initNodeWasm();
  });

  it('pause is announced after the last step; an early resume keeps one loop; steps stay 1, 2, 3, …', async () => {
    const messages: LabResponse[] = [];
    let listeners: (() => boolean)[] = [];
    const race = new Race((m) => {
      messages.push(m);
      listeners = listeners.filter((l) => !l());
    });
    const steps = () => messages.flatMap((m) => (m.type === 'race-progress' ? [m.plain.step] : []));
    const progressCount = (n: number) => (m: LabResponse) => m.type === 'race-progress' && m.plain.step === n;
    try {
      race.start(SETTINGS);
      // One macrotask after a step's message, the loop's own setTimeout(0) has run: the next step is in flight.
      const inFlight = () => new Promise((r) => setTimeout(r, 0));
      await waitFor(messages, listeners, progressCount(2));
      await inFlight();
      // Pause and resume at once: the step in flight lands and the same loop goes on.
      race.pause();
      race.resume();
      await waitFor(messages, listeners, progressCount(6));
      await inFlight();
      race.pause();
      const pausedAt = await waitFor(messages, listeners, (m) => m.type === 'race-state' && m.state === 'paused');
      expect(messages.slice(pausedAt + 1)).toEqual([]);
      const before = steps();
      expect(before).toEqual(before.map((_, i) => i + 1));
      // Paused, the pair is there for the lesion study (whilePaused) but not for the analyses that need a done race.
      expect(race.trained()).toBeUndefined();
      const pair = race.trained({ whilePaused: true });
      expect(pair?.depth).toBe(SETTINGS.depth);
      expect(pair?.plain.step).toBe(before.length);
      // After the announced pause the loop has stopped: a resume starts it again from the next step.
      race.resume();
      await waitFor(messages, listeners, progressCount(before.length + 2));
      expect(race.trained({ whilePaused: true })).toBeUndefined(); // running: the weights move
      race.reset();
      expect(race.trained({ whilePaused: true })).toBeUndefined();
      const all = steps();
      expect(all.slice(0, before.length + 2)).toEqual(all.slice(0, before.length + 2).map((_, i) => i + 1));
      expect(messages.filter((m) => m.type === 'race-state' && m.state === 'paused')).toHaveLength(1);
    } finally {
      race.reset();
    }
  });
});
