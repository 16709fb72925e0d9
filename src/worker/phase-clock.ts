/**
 * Times the phases of one load in the worker (issue 11: a profile per phase — fetch, build, assign, warm-up…):
 * a phase lasts from `enter` until the next phase is entered or the clock is read.
 */
import type { LoadPhase, LoadPhaseTime } from './protocol';

export class PhaseClock {
  private current?: { readonly phase: LoadPhase; readonly at: number };
  private readonly done: LoadPhaseTime[] = [];

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Start `phase` (ending the current one); entering the current phase again changes nothing. */
  enter(phase: LoadPhase): void {
    if (this.current?.phase === phase) return;
    this.end();
    this.current = { phase, at: this.now() };
  }

  /** The phases so far, in order, the current one ended now. */
  phases(): readonly LoadPhaseTime[] {
    this.end();
    return [...this.done];
  }

  private end(): void {
    if (this.current) this.done.push({ phase: this.current.phase, ms: this.now() - this.current.at });
    this.current = undefined;
  }
}
