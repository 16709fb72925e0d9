/**
 * How helper threads share a Winograd job (src/tf/wasm-convs/engine.ts) through the job block in a shared wasm heap:
 * the caller writes the job, clears `done`, bumps `seq` and wakes the helpers; each helper runs its share and counts
 * itself into `done`; the caller runs share 0 meanwhile, then waits until every helper is counted. A job's shares
 * are disjoint tiles, so no thread waits on another within a job (wasm/convs.ts).
 *
 * Atomics order the plain writes around them (ECMAScript memory model: a seq-cst store or add synchronizes with
 * the load that reads it), so a helper sees the whole job once it sees the new `seq`, and the caller sees the
 * helpers' outputs once it sees their count. Used by both ends: the engine's thread and the helper workers.
 */
import { JOB_SLOTS } from './job';

/**
 * How long a thread checks a slot before it sleeps on it. During a forward pass jobs follow each other within a
 * fraction of a millisecond (the ops between convs are small); waking a sleeping thread (Atomics.notify → the
 * thread running again) costs 0.05–0.2 ms on a small VM, which each job would pay twice over (helper woken, caller
 * woken). Past this the thread sleeps, so an idle helper costs nothing, and a busy machine loses little.
 */
const SPIN_MS = 0.5;

/** Until `heap[at]` is no longer `value` or `spinMs` have passed: whether it changed. */
function spin(heap: Int32Array, at: number, value: number, spinMs: number): boolean {
  const until = performance.now() + spinMs;
  for (let n = 1; ; n++) {
    if (Atomics.load(heap, at) !== value) return true;
    if (n % 64 === 0 && performance.now() > until) return false;
  }
}

/** Start a job that `helpers` helpers take part in (the job's fields already written). */
export function postJob(heap: Int32Array, job: number): void {
  const i = job >>> 2;
  Atomics.store(heap, i + JOB_SLOTS.done, 0);
  Atomics.add(heap, i + JOB_SLOTS.seq, 1);
  Atomics.notify(heap, i + JOB_SLOTS.seq);
}

/** Wait until `helpers` helpers have counted themselves in; false when `timeoutMs` passed first. */
export function awaitHelpers(heap: Int32Array, job: number, helpers: number, timeoutMs: number): boolean {
  const at = (job >>> 2) + JOB_SLOTS.done;
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const done = Atomics.load(heap, at);
    if (done >= helpers) return true;
    const left = deadline - performance.now();
    if (left <= 0) return false;
    if (!spin(heap, at, done, Math.min(SPIN_MS, left))) Atomics.wait(heap, at, done, left);
  }
}

/**
 * A helper's life: `ready()` (the engine may count on it from then on), then wait for each new job and, when it
 * takes part (its index below the job's thread count), run its share and count itself in. Returns only when `seq`
 * is set to -1 (the engine's dispose).
 */
export function helperLoop(
  heap: Int32Array,
  job: number,
  index: number,
  run: (thread: number, threads: number) => void,
  ready: () => void,
): void {
  const i = job >>> 2;
  // Read before `ready`: a job posted after it is a change from this value, so it is not missed.
  let seen = Atomics.load(heap, i + JOB_SLOTS.seq);
  ready();
  for (;;) {
    if (!spin(heap, i + JOB_SLOTS.seq, seen, SPIN_MS)) Atomics.wait(heap, i + JOB_SLOTS.seq, seen);
    const now = Atomics.load(heap, i + JOB_SLOTS.seq);
    if (now === seen) continue;
    if (now < 0) return;
    seen = now;
    const threads = Atomics.load(heap, i + JOB_SLOTS.threads);
    // A job posted while this helper was not yet counted on is the caller's alone: not answered, so its count
    // cannot be mistaken for an answer to the next job.
    if (index >= threads) continue;
    run(index, threads);
    Atomics.add(heap, i + JOB_SLOTS.done, 1);
    Atomics.notify(heap, i + JOB_SLOTS.done);
  }
}

/** End every helper's loop. */
export function stopHelpers(heap: Int32Array, job: number): void {
  Atomics.store(heap, (job >>> 2) + JOB_SLOTS.seq, -1);
  Atomics.notify(heap, (job >>> 2) + JOB_SLOTS.seq);
}
