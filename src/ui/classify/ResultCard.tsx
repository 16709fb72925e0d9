/** One classified image: what the model saw with its heat map, the top-5 bars, latency and backend. */
import { useState } from 'react';
import { HeatCanvas } from './HeatCanvas';
import { TopBars } from './TopBars';
import type { Item } from './types';

export function ResultCard({ item, onSelectClass }: { item: Item; onSelectClass: (item: Item, index: number) => void }) {
  const [showHeat, setShowHeat] = useState(true);
  const r = item.result;
  return (
    <article className={`cls-card cls-${item.status}`} aria-label={`Result for ${item.name}`} aria-busy={item.status === 'running'}>
      <header>
        <b className="cls-name">{item.name}</b>
        {r && (
          <small className="cls-meta" data-testid="latency">
            {r.timing.predict.toFixed(0)} ms on {r.engine?.startsWith('onnxruntime') ? r.engine : r.backend}
            {r.heat ? ` · Grad-CAM ${r.timing.gradcam.toFixed(0)} ms` : ''} · source {r.source.width}×{r.source.height}
          </small>
        )}
      </header>
      {item.status === 'running' && <p className="cls-muted">Classifying…</p>}
      {item.status === 'error' && (
        <p className="cls-error" role="alert">
          {item.error}
        </p>
      )}
      {r && (
        <div className="cls-card-body">
          <figure>
            <HeatCanvas preview={r.preview} heat={item.heat ?? r.heat} showHeat={showHeat} />
            <figcaption>
              <label>
                <input type="checkbox" checked={showHeat} onChange={(e) => setShowHeat(e.target.checked)} /> Grad-CAM
                {(item.heat ?? r.heat) && ` (${(item.heat ?? r.heat)!.layer})`}
              </label>
            </figcaption>
          </figure>
          <TopBars top={r.top} selected={(item.heat ?? r.heat)?.classIndex} onSelect={(i) => onSelectClass(item, i)} />
        </div>
      )}
    </article>
  );
}
