/** The Model panel's load phases: durations from the worker's first progress message of each phase. */
import { describe, expect, it } from 'vitest';
import { formatPhases, phaseClock } from '../../src/ui/classify/load-phases';

function clockAt(times: number[]) {
  let i = 0;
  return () => times[i++];
}

describe('phaseClock', () => {
  it('a download: start, then each phase until the next one, the last until the end', () => {
    // t0 = 0; download first seen at 40 (its repeats read no time); build at 5000; weights at 7000; done at 7400.
    const c = phaseClock(clockAt([0, 40, 5000, 7000, 7400]));
    c.saw('download');
    c.saw('download');
    c.saw('build');
    c.saw('weights');
    const phases = c.done();
    expect(phases).toEqual([
      { phase: 'start', ms: 40 },
      { phase: 'download', ms: 4960 },
      { phase: 'build', ms: 2000 },
      { phase: 'weights', ms: 400 },
    ]);
    expect(formatPhases(phases)).toBe('start 40 ms · download 5.0 s · build 2.0 s · weights 400 ms');
  });

  it('a cache hit: the IndexedDB read before the `cache` message counts as cache', () => {
    const c = phaseClock(clockAt([0, 1200, 1210, 3000, 3500]));
    c.saw('cache');
    c.saw('build');
    c.saw('weights');
    expect(c.done()).toEqual([
      { phase: 'cache', ms: 1210 },
      { phase: 'build', ms: 1790 },
      { phase: 'weights', ms: 500 },
    ]);
  });

  it('no progress at all: one start phase', () => {
    const c = phaseClock(clockAt([0, 25]));
    expect(c.done()).toEqual([{ phase: 'start', ms: 25 }]);
  });
});
