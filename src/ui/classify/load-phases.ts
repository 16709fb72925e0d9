/**
 * Times of a load's phases, measured on the UI thread from the worker's progress messages (issue 11: show the
 * phases of the last load with their times). A phase lasts from its first progress message to the next phase's
 * first message (or the load's end). The worker posts `cache` only once the IndexedDB read has finished, so the
 * time before it counts as `cache`; before any other first phase it is shown as `start` (backend, request).
 */
import type { LoadPhase } from '../../worker/protocol';

export interface PhaseTime {
  readonly phase: LoadPhase | 'start';
  readonly ms: number;
}

export function phaseClock(now: () => number = () => performance.now()) {
  const t0 = now();
  const marks: { phase: LoadPhase; at: number }[] = [];
  return {
    saw(phase: LoadPhase): void {
      if (!marks.some((m) => m.phase === phase)) marks.push({ phase, at: now() });
    },
    done(): PhaseTime[] {
      const end = now();
      const out: PhaseTime[] = [];
      const first = marks[0];
      const startMs = (first?.at ?? end) - t0;
      if (first?.phase === 'cache') out.push({ phase: 'cache', ms: startMs + ((marks[1]?.at ?? end) - first.at) });
      else out.push({ phase: 'start', ms: startMs });
      marks.forEach((m, i) => {
        if (i === 0 && m.phase === 'cache') return;
        out.push({ phase: m.phase, ms: (marks[i + 1]?.at ?? end) - m.at });
      });
      return out;
    },
  };
}

export const formatPhases = (phases: readonly PhaseTime[]) =>
  phases.map((p) => `${p.phase} ${p.ms < 1000 ? `${Math.round(p.ms)} ms` : `${(p.ms / 1000).toFixed(1)} s`}`).join(' · ');
