import type { LoadState } from './useModel';

const MB = (n: number) => (n / 1e6).toFixed(1);

/** Progress of a model load: bytes downloaded, layers built; cancellable. */
export function LoadProgress({ loading }: { loading: LoadState }) {
  const { phase, loaded, total } = loading;
  const what =
    phase === 'download'
      ? total > 0
        ? `downloading weights ${MB(loaded)} / ${MB(total)} MB`
        : 'downloading…'
      : phase === 'cache'
        ? 'reading weights from the browser cache'
        : phase === 'backend'
          ? 'starting the backend'
          : phase === 'build'
            ? `building layers ${loaded} / ${total}`
            : phase === 'warmup'
              ? 'warming up (first inference)'
              : 'assigning weights';
  return (
    <div className="cls-progress" role="status" aria-live="polite">
      <span>
        Loading {loading.label}: {what}
      </span>
      <progress max={total || 1} value={total ? loaded : undefined} />
      <button type="button" onClick={loading.cancel}>
        Cancel
      </button>
    </div>
  );
}
