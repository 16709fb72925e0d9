import { useEffect, useState } from 'react';
import { type CompareState, compareQuery, parseCompareQuery } from '../../core/compare';

/**
 * The compare selection, read once from the URL and written back (replaceState) whenever it changes, so a link
 * reproduces the view. Malformed URL values become defaults plus notices.
 */
export function useCompareState(): [CompareState, (s: CompareState) => void, readonly string[], () => void] {
  const [init] = useState(() => parseCompareQuery(window.location.search));
  const [state, setState] = useState<CompareState>(init.state);
  const [notices, setNotices] = useState<readonly string[]>(init.notices);
  useEffect(() => {
    const url = new URL(window.location.href);
    // The user may already have switched views (this effect can run after the click that left): never write
    // compare's query over another view's URL.
    if (url.searchParams.get('view') !== 'compare') return;
    const next = compareQuery(state);
    if (url.search !== next) {
      url.search = next;
      window.history.replaceState(window.history.state, '', url);
    }
  }, [state]);
  return [state, setState, notices, () => setNotices([])];
}
