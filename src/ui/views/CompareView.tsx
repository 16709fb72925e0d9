import { useMemo } from 'react';
import { compareRows, type Entry, presetEntry, shortcutCosts, sortRows } from '../../core/compare';
import { toCsv } from '../compare/csv';
import { DepthChart } from '../compare/charts/DepthChart';
import { ShortcutPairs } from '../compare/charts/ShortcutPairs';
import { StageBars } from '../compare/charts/StageBars';
import { CompareTable } from '../compare/CompareTable';
import { Controls } from '../compare/Controls';
import { ExplanationsPanel } from '../compare/ExplanationsPanel';
import { downloadText } from '../shared/download';
import { ModelPicker } from '../compare/ModelPicker';
import { ReferencesPanel } from '../compare/ReferencesPanel';
import { useCompareState } from '../compare/useCompareState';
import '../compare/compare.css';

/** Compare: params, MACs/FLOPs and memory across depths, variants, plain vs residual, beside published figures. */
export default function CompareView() {
  const [state, setState, notices, dismiss] = useCompareState();
  const { models, custom, settings, unit, sort } = state;
  const entries = useMemo<Entry[]>(
    () => [
      ...models.map((m) => presetEntry(m)).filter((e): e is Entry => e !== undefined),
      ...custom.map((spec) => ({ spec, group: 'Custom' as const })),
    ],
    [models, custom],
  );
  const rows = useMemo(() => compareRows(entries, settings), [entries, settings]);
  const sorted = useMemo(() => sortRows(rows, sort), [rows, sort]);
  const pairs = useMemo(() => shortcutCosts(rows, settings), [rows, settings]);
  const remove = (name: string) =>
    setState({ ...state, models: models.filter((m) => m !== name), custom: custom.filter((c) => c.name !== name) });
  return (
    <section aria-label="Compare" className="cmp">
      {notices.length > 0 && (
        <div role="status" className="cmp-notice">
          <ul>
            {notices.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
          <button type="button" onClick={dismiss}>
            Dismiss
          </button>
        </div>
      )}
      <ModelPicker
        models={models}
        custom={custom}
        onModels={(m) => setState({ ...state, models: m })}
        onQuickSet={(m) => setState({ ...state, models: m, custom: [] })}
        onAddCustom={(spec) => setState({ ...state, custom: [...custom, spec] })}
        onRemoveCustom={(name) => setState({ ...state, custom: custom.filter((c) => c.name !== name) })}
      />
      <Controls
        settings={settings}
        unit={unit}
        onSettings={(s) => setState({ ...state, settings: s })}
        onUnit={(u) => setState({ ...state, unit: u })}
      />
      <div className="cmp-toolbar">
        <h2>Table</h2>
        <button type="button" onClick={() => downloadText(toCsv(sorted, settings), 'resnet-compare.csv')}>
          Export CSV
        </button>
      </div>
      {rows.length === 0 ? (
        <p className="cmp-hint">Nothing selected: pick a quick set or presets above.</p>
      ) : (
        <CompareTable
          rows={sorted}
          settings={settings}
          unit={unit}
          sort={sort}
          onSort={(s) => setState({ ...state, sort: s })}
          onRemove={remove}
        />
      )}
      <h2>Charts</h2>
      <div className="cmp-charts">
        <DepthChart rows={rows} metric="params" unit={unit} />
        <DepthChart rows={rows} metric="ops" unit={unit} />
        <StageBars rows={sorted} unit={unit} />
        <ShortcutPairs pairs={pairs} unit={unit} />
      </div>
      <h2>Published figures</h2>
      <ReferencesPanel rows={rows} />
      <h2>Why figures differ</h2>
      <ExplanationsPanel />
    </section>
  );
}
