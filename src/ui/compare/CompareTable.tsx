import { Fragment, useState } from 'react';
import type { CompareRow, CompareSettings, Sort, SortKey, Unit } from '../../core/compare';
import { formatInt, formatMB, formatOps, formatShare, UNIT_LABEL } from './format';

interface Props {
  readonly rows: readonly CompareRow[];
  readonly settings: CompareSettings;
  readonly unit: Unit;
  readonly sort: Sort | null;
  readonly onSort: (s: Sort | null) => void;
  readonly onRemove: (name: string) => void;
}

interface Col {
  readonly key: SortKey;
  readonly label: string;
  readonly title: string;
}

/** Sortable comparison table; each numeric cell carries its exact value in data-value. */
export function CompareTable({ rows, settings, unit, sort, onSort, onRemove }: Props) {
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const cols: Col[] = [
    { key: 'name', label: 'Model', title: 'Preset or custom spec name' },
    { key: 'depth', label: 'Depth', title: 'Conv + dense layers on the main path, as the papers count' },
    { key: 'weightedLayers', label: 'Weighted layers', title: 'Layers holding weights (conv, BN, dense), projections included' },
    { key: 'paramsTotal', label: 'Params (total)', title: 'All weights including BN moving mean/variance (Keras “Total params”)' },
    { key: 'paramsTrainable', label: 'Trainable', title: 'Trainable params (torchvision num_params, papers)' },
    { key: 'macs', label: `${UNIT_LABEL[unit]} / image`, title: unit === 'macs' ? 'Multiply-accumulates per image (“FLOPs” in papers and torchvision)' : 'FLOPs = 2 × MACs per image' },
    {
      key: 'activationBytes',
      label: `Activations (batch ${settings.batch}, ${settings.dtype})`,
      title: 'Sum of every layer output kept for a backward pass',
    },
    { key: 'weightBytes', label: `Weights (${settings.dtype})`, title: 'All params in the chosen dtype' },
  ];
  const clickSort = (key: SortKey) => {
    if (sort?.key !== key) onSort({ key, dir: key === 'name' ? 'asc' : 'desc' });
    else if (sort.dir === (key === 'name' ? 'asc' : 'desc')) onSort({ key, dir: sort.dir === 'asc' ? 'desc' : 'asc' });
    else onSort(null);
  };
  const toggle = (name: string) => {
    const next = new Set(open);
    if (next.has(name)) next.delete(name);
    else next.add(name);
    setOpen(next);
  };
  return (
    <div className="cmp-table-wrap">
      <table className="cmp-table" aria-label="Comparison">
        <thead>
          <tr>
            {cols.map((c) => (
              <th
                key={c.key}
                scope="col"
                data-col={c.key}
                aria-sort={sort?.key === c.key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
              >
                <button type="button" title={c.title} onClick={() => clickSort(c.key)}>
                  {c.label}
                  <span aria-hidden="true">{sort?.key === c.key ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}</span>
                </button>
              </th>
            ))}
            <th scope="col">
              <span className="cmp-sr">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <Fragment key={r.name}>
              <tr data-model={r.name} className={r.ok ? undefined : 'cmp-row-error'}>
                <th scope="row" data-col="name">
                  {r.name}
                  <span className="cmp-group">
                    {r.group} · {r.spec.input.slice(0, 2).join('×')}
                  </span>
                </th>
                {r.ok ? (
                  <>
                    <td data-col="depth" data-value={r.depth}>{r.depth}</td>
                    <td data-col="weightedLayers" data-value={r.weightedLayers}>{r.weightedLayers}</td>
                    <td data-col="paramsTotal" data-value={r.paramsTotal}>{formatInt(r.paramsTotal)}</td>
                    <td data-col="paramsTrainable" data-value={r.paramsTrainable}>{formatInt(r.paramsTrainable)}</td>
                    <td data-col="macs" data-value={unit === 'flops' ? r.flops : r.macs}>{formatOps(r.macs, unit)}</td>
                    <td data-col="activationBytes" data-value={r.activationBytes}>{formatMB(r.activationBytes)}</td>
                    <td data-col="weightBytes" data-value={r.weightBytes}>{formatMB(r.weightBytes)}</td>
                  </>
                ) : (
                  <td colSpan={7} role="alert" className="cmp-error">
                    {r.error}
                  </td>
                )}
                <td>
                  <div className="cmp-actions">
                  {r.ok && (
                    <button type="button" aria-expanded={open.has(r.name)} onClick={() => toggle(r.name)} aria-label={`Stages of ${r.name}`}>
                      stages
                    </button>
                  )}
                  <button type="button" onClick={() => onRemove(r.name)} aria-label={`Remove ${r.name}`}>
                    ×
                  </button>
                  </div>
                </td>
              </tr>
              {r.ok && open.has(r.name) && (
                <tr className="cmp-stages" data-stages-of={r.name}>
                  <td colSpan={cols.length + 1}>
                    <table>
                      <thead>
                        <tr>
                          <th scope="col">Section</th>
                          <th scope="col">Params</th>
                          <th scope="col">{UNIT_LABEL[unit]}</th>
                          <th scope="col">Share of {UNIT_LABEL[unit]}</th>
                          <th scope="col">Activations (batch {settings.batch})</th>
                        </tr>
                      </thead>
                      <tbody>
                        {r.stages.map((s) => (
                          <tr key={s.section}>
                            <th scope="row">{s.section}</th>
                            <td data-value={s.params}>{formatInt(s.params)}</td>
                            <td data-value={s.macs}>{formatOps(s.macs, unit)}</td>
                            <td>{formatShare(r.macs ? s.macs / r.macs : 0)}</td>
                            <td>{formatMB((r.activationBytes * s.activations) / Math.max(1, r.analysis.activations))}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </td>
                </tr>
              )}
            </Fragment>
          ))}
        </tbody>
      </table>
    </div>
  );
}
