import type { ShortcutKind } from '../../core';
import { SHORTCUT_STYLE } from './svg-export';

const KINDS: readonly ShortcutKind[] = ['identity', 'projection', 'zeropad', 'subsample'];

/** Which arc is which; kinds the current model uses are marked. */
export function Legend(props: { present: ReadonlySet<ShortcutKind>; residual: boolean }) {
  return (
    <section className="legend" aria-label="Legend">
      <h3>Shortcuts</h3>
      <ul>
        {KINDS.map((k) => {
          const s = SHORTCUT_STYLE[k];
          return (
            <li key={k} className={props.present.has(k) ? 'present' : 'absent'}>
              <svg width="40" height="12" aria-hidden="true">
                <line x1="2" y1="6" x2="38" y2="6" stroke={s.color} strokeWidth={s.width} strokeDasharray={s.dash || undefined} />
              </svg>
              {s.label}
              {props.present.has(k) ? '' : ' (not in this model)'}
            </li>
          );
        })}
        <li>
          <svg width="40" height="12" aria-hidden="true">
            <line x1="2" y1="6" x2="38" y2="6" className="legend-main" />
          </svg>
          main path; labels give each edge's output shape (H×W×C)
        </li>
      </ul>
      {!props.residual && <p className="note">A plain twin: the same layers, no shortcuts, so no arcs.</p>}
    </section>
  );
}
