import { useSyncExternalStore } from 'react';
import { type BackendStatus, labBackendStatus, modelBackendStatus, type StatusStore } from '../../worker/backend-status';
import { engineStatus } from '../../worker/engine-status';
import './status.css';

function describe(label: string, s: BackendStatus, idle: string): string {
  switch (s.state) {
    case 'idle':
      return `${label}: ${idle}`;
    case 'starting':
      return `${label}: starting${s.requested ? ` ${s.requested}` : ''}…`;
    case 'failed':
      return `${label}: failed — ${s.message}`;
    case 'ready': {
      const detail = s.choice.attempts.at(-1)?.detail;
      return `${label}: ${s.choice.name}${detail ? ` (${detail})` : ''}`;
    }
  }
}

/** One worker's backend and the reason each faster backend was not used. */
function BackendLine({ store, label, idle, testId }: { store: StatusStore; label: string; idle: string; testId: string }) {
  const s = useSyncExternalStore(store.subscribe, store.get);
  const skipped = s.state === 'ready' ? s.choice.attempts.filter((a) => !a.ok) : [];
  return (
    <>
      <span data-testid={testId} aria-live="polite">
        {describe(label, s, idle)}
      </span>
      {skipped.length > 0 && (
        <details className="status-fallbacks" data-testid={`${testId}-fallbacks`}>
          <summary>why not {skipped.map((a) => a.name).join(', ')}?</summary>
          <ul>
            {skipped.map((a) => (
              <li key={a.name}>
                <b>{a.name}</b>: {a.reason}
              </li>
            ))}
          </ul>
        </details>
      )}
    </>
  );
}

/**
 * The shell's status bar: the tfjs backend of the model worker (explore / classify) and, while the lab is
 * open, of the lab's training worker ("Lab: …"). The model line is hidden while only the lab has started.
 */
export function StatusBar() {
  const model = useSyncExternalStore(modelBackendStatus.subscribe, modelBackendStatus.get);
  const lab = useSyncExternalStore(labBackendStatus.subscribe, labBackendStatus.get);
  const engine = useSyncExternalStore(engineStatus.subscribe, engineStatus.get);
  return (
    <footer className="status-bar">
      {(model.state !== 'idle' || lab.state === 'idle') && (
        <BackendLine store={modelBackendStatus} label="Backend" idle="not started (starts with the first model)" testId="backend-status" />
      )}
      {engine && (
        <span data-testid="engine-status" aria-live="polite">
          Engine: {engine.label}
        </span>
      )}
      {lab.state !== 'idle' && <BackendLine store={labBackendStatus} label="Lab" idle="" testId="lab-backend-status" />}
    </footer>
  );
}
