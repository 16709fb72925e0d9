import { useEffect, useState } from 'react';
import type { LabWorker } from './useLabWorker';

/**
 * Whether the race has finished (its trained pair can be analysed) and which run that is: a new race
 * (another runId, or any state but 'done') makes the analyses of the previous one stale.
 */
export function useRaceDone(worker: LabWorker): { readonly done: boolean; readonly runId: number } {
  const [state, setState] = useState({ done: false, runId: 0 });
  useEffect(
    () =>
      worker.subscribe((m) => {
        if (m.type === 'race-state') setState({ done: m.state === 'done', runId: m.runId });
      }),
    [worker],
  );
  return state;
}
