/**
 * Which load progress messages are worth posting: the first of each phase, the one that completes it, and in
 * between at most one per `step` of its total (1 %), or per MiB when the total is unknown. A 49 MB download
 * arrives in hundreds of small chunks; a message and a React render for each cost the worker and the page time
 * on a small machine (issue 11).
 */
export function progressGate(step = 0.01): (phase: string, loaded: number, total: number) => boolean {
  let current: string | undefined;
  let last = 0;
  return (phase, loaded, total) => {
    const gap = total > 0 ? total * step : 1 << 20;
    const pass = phase !== current || (total > 0 && loaded >= total && last < total) || loaded - last >= gap;
    if (pass) {
      current = phase;
      last = loaded;
    }
    return pass;
  };
}
