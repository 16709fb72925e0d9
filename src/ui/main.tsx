import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { modelClient } from '../worker/client';
import { App } from './App';
import { registerServiceWorkerWhenIdle } from './service-worker';
import './styles.css';

// Opening on Classify: start its model worker now, so the worker's script (tfjs, ~1.3 MB) is fetched and
// evaluated while React renders and the view's chunk loads, not after, and reads the cached weights meanwhile
// (issue 11: time to first prediction).
// The service worker (offline use) registers after Classify's first result (src/ui/views/ClassifyView.tsx; or a
// while after its model is ready, src/ui/classify/useModel.ts), or once the page is idle in any other view.
if (new URLSearchParams(window.location.search).get('view') === 'classify') modelClient({ forClassify: true });
else registerServiceWorkerWhenIdle();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
