import { describe, expect, it } from 'vitest';
import { progressGate } from '../../src/worker/progress-gate';

describe('progressGate', () => {
  it('passes the first message of each phase, its completion, and at most one per 1 % between', () => {
    const gate = progressGate();
    const total = 49_000_000;
    const chunk = 65_536;
    const passed: number[] = [];
    expect(gate('cache', 0, 1)).toBe(true);
    expect(gate('download', 0, total)).toBe(true);
    for (let loaded = chunk; loaded < total + chunk; loaded += chunk) {
      const n = Math.min(loaded, total);
      if (gate('download', n, total)) passed.push(n);
    }
    expect(passed.length).toBeGreaterThan(90);
    expect(passed.length).toBeLessThanOrEqual(100);
    expect(passed.at(-1)).toBe(total);
    // Between messages at least 1 % (the completing one may come sooner).
    for (let i = 1; i < passed.length - 1; i++) expect(passed[i] - passed[i - 1]).toBeGreaterThanOrEqual(total / 100);
    expect(gate('download', total, total)).toBe(false); // completion is posted once
    expect(gate('weights', 0, 1)).toBe(true);
    expect(gate('warmup', 0, 1)).toBe(true);
  });

  it('without a total, one message per MiB', () => {
    const gate = progressGate();
    let n = 0;
    for (let loaded = 0; loaded <= 8 << 20; loaded += 4096) if (gate('download', loaded, 0)) n++;
    expect(n).toBe(9);
  });
});
