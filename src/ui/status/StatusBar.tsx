import { useSyncExternalStore } from 'react';
import { getBackendStatus, subscribeBackendStatus } from '../../worker/backend-status';
import './status.css';

/** The shell's status bar: the tfjs backend in use and the reason each faster backend was not used. */
export function StatusBar() {
  const s = useSyncExternalStore(subscribeBackendStatus, getBackendStatus);
  let text: string;
  switch (s.state) {
    case 'idle':
      text = 'Backend: not started (starts with the first model)';
      break;
    case 'starting':
      text = `Backend: starting${s.requested ? ` ${s.requested}` : ''}…`;
      break;
    case 'failed':
      text = `Backend: failed — ${s.message}`;
      break;
    case 'ready':
      text = `Backend: ${s.choice.name}${s.choice.attempts.at(-1)?.detail ? ` (${s.choice.attempts.at(-1)!.detail})` : ''}`;
      break;
  }
  const skipped = s.state === 'ready' ? s.choice.attempts.filter((a) => !a.ok) : [];
  return (
    <footer className="status-bar">
      <span data-testid="backend-status" aria-live="polite">{text}</span>
      {skipped.length > 0 && (
        <details className="status-fallbacks">
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
    </footer>
  );
}
