import { lazy, Suspense, useEffect, useState } from 'react';
import { StatusBar } from './status/StatusBar';

/**
 * The app shell: one tab per view. Each view lives in its own folder under src/ui/ and is loaded lazily so
 * tfjs and d3 code is fetched only when needed.
 */
const VIEWS = {
  explore: { label: 'Explore', Component: lazy(() => import('./views/ExploreView')) },
  compare: { label: 'Compare', Component: lazy(() => import('./views/CompareView')) },
  classify: { label: 'Classify', Component: lazy(() => import('./views/ClassifyView')) },
  lab: { label: 'Residual lab', Component: lazy(() => import('./views/LabView')) },
} as const;

export type ViewId = keyof typeof VIEWS;

/** The query string each view last had in this page session. */
const lastQuery = new Map<ViewId, string>();

function viewFromUrl(): ViewId {
  const v = new URLSearchParams(window.location.search).get('view');
  return v && v in VIEWS ? (v as ViewId) : 'explore';
}

export function App() {
  const [view, setView] = useState<ViewId>(viewFromUrl);
  useEffect(() => {
    const onPop = () => setView(viewFromUrl());
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const go = (v: ViewId) => {
    if (v === view) return;
    // Each view keeps its own query (model, selection, compare set …) while the user visits the others.
    lastQuery.set(view, window.location.search);
    const url = new URL(window.location.href);
    url.search = lastQuery.get(v) ?? '';
    url.searchParams.set('view', v);
    window.history.pushState(null, '', url);
    setView(v);
  };
  const { Component } = VIEWS[view];
  return (
    <div className="app">
      <header className="app-header">
        <h1>ResNet Explorer</h1>
        <nav aria-label="Views">
          {(Object.keys(VIEWS) as ViewId[]).map((id) => (
            <button key={id} type="button" aria-current={id === view ? 'page' : undefined} onClick={() => go(id)}>
              {VIEWS[id].label}
            </button>
          ))}
        </nav>
      </header>
      <main>
        <Suspense fallback={<p className="loading">Loading…</p>}>
          <Component />
        </Suspense>
      </main>
      <StatusBar />
    </div>
  );
}
