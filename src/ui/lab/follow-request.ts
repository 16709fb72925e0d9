import type { LabResponse } from '../../worker/lab-protocol';
import type { LabWorker } from './useLabWorker';

type Result<T extends LabResponse['type']> = Extract<LabResponse, { type: T }>;

/**
 * Follows one request to the lab worker by its id: each progress label goes to `pending`; then its result (of
 * `resultType`) or its error ends it (`pending(null)` first) and stops the listening. Returns the function that
 * stops it early (for an effect's cleanup).
 */
export function followRequest<T extends LabResponse['type']>(
  worker: Pick<LabWorker, 'subscribe'>,
  id: number,
  resultType: T,
  on: {
    readonly pending: (label: string | null) => void;
    readonly result: (m: Result<T>) => void;
    readonly error: (message: string) => void;
  },
): () => void {
  const off = worker.subscribe((m) => {
    if (!('id' in m) || m.id !== id) return;
    if (m.type === 'progress') {
      on.pending(m.label);
    } else if (m.type === resultType) {
      off();
      on.pending(null);
      on.result(m as Result<T>);
    } else if (m.type === 'error') {
      off();
      on.pending(null);
      on.error(m.message);
    }
  });
  return off;
}
