/** Top-k classes as bars; clicking one shows its Grad-CAM. */
import type { Prediction } from '../../tf/classify';

export function TopBars({ top, selected, onSelect }: { top: readonly Prediction[]; selected?: number; onSelect: (index: number) => void }) {
  return (
    <ol className="cls-bars" aria-label="Top classes">
      {top.map((p) => (
        <li key={p.index} data-index={p.index} data-probability={p.probability}>
          <button type="button" aria-pressed={p.index === selected} onClick={() => onSelect(p.index)} title={`Show Grad-CAM for ${p.label}`}>
            <span className="cls-bar-label">
              {p.label.replaceAll('_', ' ')} <small>#{p.index}</small>
            </span>
            <span className="cls-bar-track">
              <span className="cls-bar-fill" style={{ width: `${Math.max(0.5, p.probability * 100)}%` }} />
            </span>
            <span className="cls-bar-value">{(p.probability * 100).toFixed(1)}%</span>
          </button>
        </li>
      ))}
    </ol>
  );
}
