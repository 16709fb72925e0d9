import { format } from 'd3';
import { useMemo } from 'react';
import { analyze } from '../../core/analysis';
import type { CompareRow } from '../../core/compare';
import { expand } from '../../core/expand';
import { explanationFor, explanations } from '../../core/explain';
import { getPreset } from '../../core/presets';
import { agreement, METRIC_LABEL, type Ours, REFERENCES, SOURCES } from '../../core/references';
import { Cites } from '../shared/Cites';
import { formatInt } from './format';

const giga3 = format('.3f');

const oursCache = new Map<string, Ours>();
/** Ours at the preset's own input size: published figures are for 224×224 (ImageNet) or 32×32 (CIFAR). */
function oursFor(name: string): Ours {
  let o = oursCache.get(name);
  if (!o) {
    const a = analyze(expand(getPreset(name)));
    o = { paramsTotal: a.params.total, paramsTrainable: a.params.trainable, macs: a.macs };
    oursCache.set(name, o);
  }
  return o;
}

function show(metric: string, v: number): string {
  if (metric === 'macs') return `${giga3(v / 1e9)}×10⁹`;
  return formatInt(v);
}

/** Published figures for the selected presets beside ours, with the reason where they differ. */
export function ReferencesPanel({ rows }: { readonly rows: readonly CompareRow[] }) {
  const names = rows.filter((r) => r.group !== 'Custom').map((r) => r.name);
  const titles = useMemo(() => new Map(explanations().map((e) => [e.id, e.title])), []);
  const refs = REFERENCES.filter((r) => r.preset && names.includes(r.preset));
  const context = REFERENCES.filter((r) => !r.preset);
  if (!refs.length) return <p className="cmp-hint">No published figures for this selection.</p>;
  return (
    <div className="cmp-table-wrap">
      <table className="cmp-refs" aria-label="Published figures">
        <thead>
          <tr>
            <th scope="col">Model (ours)</th>
            <th scope="col">As published</th>
            <th scope="col">Figure</th>
            <th scope="col">Published</th>
            <th scope="col">Ours</th>
            <th scope="col">Status</th>
            <th scope="col">Source</th>
          </tr>
        </thead>
        <tbody>
          {refs.map((r) => {
            const ours = oursFor(r.preset!);
            const ag = agreement(r, ours);
            const why = explanationFor(r, getPreset(r.preset!), ours);
            return (
              <tr key={`${r.preset}|${r.source}|${r.where}|${r.model}|${r.metric}`} data-ref-status={ag.kind}>
                <th scope="row">{r.preset}</th>
                <td>{r.model}</td>
                <td>{METRIC_LABEL[r.metric]}</td>
                <td>{r.shown}</td>
                <td>{ag.kind === 'context' ? '—' : show(r.metric, ag.ours)}</td>
                <td>
                  {ag.kind === 'agrees' && <span className="cmp-ok">agrees</span>}
                  {ag.kind === 'context' && <span className="cmp-hint">for context</span>}
                  {ag.kind === 'differs' &&
                    (why ? (
                      <a href={`#explain-${why}`} className="cmp-diff">
                        differs: {titles.get(why)}
                      </a>
                    ) : (
                      <span className="cmp-diff">differs (unexplained)</span>
                    ))}
                </td>
                <td>
                  <a href={SOURCES[r.source].url} target="_blank" rel="noreferrer" title={SOURCES[r.source].title}>
                    {SOURCES[r.source].short}
                  </a>{' '}
                  <span className="cmp-hint">{r.where}</span>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p className="cmp-hint">
        For scale: {context.map((c) => `${c.model} ${c.shown} multiply-adds`).join(', ')} <Cites cites={context} />. Our figures here
        are at each model’s own input size, whatever the input setting above.
      </p>
    </div>
  );
}
