/**
 * The default ImageNet weights' download, started by the model worker's entry when IndexedDB does not have them,
 * while tfjs and the rest of the worker's code load (issue 11: on a first visit the download used to start only once
 * that code had run, ≈ 1.4 s after the page). The host's first download of the same URL takes it over: it gets the
 * progress so far and what follows, and its cancel aborts it. Nobody claiming it within `keepMs` aborts it too.
 */
import { type FetchOptions, fetchLayersModel } from '../tf/layers-model-io';

/** What the host calls to download a layers model. */
export type Download = typeof fetchLayersModel;

/**
 * A download function that serves `url` from a download started as soon as `start` resolves true (IndexedDB
 * missed); other URLs, later calls and a `start` that resolves false go to the network as usual.
 */
export function prefetchingDownload(url: string, start: Promise<boolean>, opts: { readonly fetch?: typeof fetch; readonly keepMs?: number } = {}): Download {
  const ctl = new AbortController();
  let last: readonly [number, number] | undefined;
  let follow: FetchOptions['onProgress'];
  let claimed = false;
  const early = start.then(
    (go) => {
      if (!go || ctl.signal.aborted) return undefined;
      const p = fetchLayersModel(url, {
        signal: ctl.signal,
        fetch: opts.fetch,
        onProgress: (loaded, total) => {
          last = [loaded, total];
          follow?.(loaded, total);
        },
      });
      p.catch(() => undefined); // a failure reaches the host when it claims the download
      return { artifacts: p }; // wrapped: `early` must not take on (and leave unhandled) the download's failure
    },
    () => undefined,
  );
  const timer = setTimeout(() => {
    if (!claimed) ctl.abort();
  }, opts.keepMs ?? 60_000);

  return async (u, o = {}) => {
    if (u !== url || claimed) return fetchLayersModel(u, o);
    claimed = true;
    clearTimeout(timer);
    const download = await early;
    if (!download) return fetchLayersModel(u, o);
    if (o.signal?.aborted) ctl.abort();
    else o.signal?.addEventListener('abort', () => ctl.abort(), { once: true });
    follow = o.onProgress;
    if (last) follow?.(...last);
    return download.artifacts;
  };
}
