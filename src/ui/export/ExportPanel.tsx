/**
 * Export: any spec (Explore: random weights or structure only) or the current model (Classify: its weights, a
 * fine-tuned head's class names) as code for another framework. The exporter runs in the model worker; the files
 * come back as one zip, downloaded straight from the page: nothing is uploaded.
 */
import { useEffect, useState } from 'react';
import type { ArchSpec } from '../../core';
import { EXPORTERS } from '../../export';
import type { ExportSource, ModelInfo } from '../../worker/protocol';
import { fileKind } from './file-kinds';
import { trainHelp } from './train-commands';
import { useExport } from './useExport';
import './export.css';

export type ExportPanelProps =
  | { readonly mode: 'explore'; readonly spec: ArchSpec }
  | { readonly mode: 'classify'; readonly info?: ModelInfo; readonly busy: boolean };

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 ** 2).toFixed(1)} MB`;
}

function folderOf(name: string, format: string): string {
  return `${name.toLowerCase().replace(/[^a-z0-9_.-]+/g, '_')}-${format}`;
}

export function ExportPanel(props: ExportPanelProps) {
  const ex = useExport();
  const [format, setFormat] = useState(EXPORTERS[0].format);
  const [weights, setWeights] = useState<'random' | 'none'>('random');
  const subject = props.mode === 'explore' ? props.spec : props.info;
  const name = props.mode === 'explore' ? props.spec.name : props.info?.name;
  const { clear } = ex;
  // A result belongs to the model and options it was made from.
  // biome-ignore lint/correctness/useExhaustiveDependencies: clear on any change of what would be exported
  useEffect(() => clear(), [subject, format, weights, clear]);

  const source: ExportSource | undefined =
    props.mode === 'explore' ? { kind: 'spec', spec: props.spec, weights } : props.info ? { kind: 'current' } : undefined;
  const disabled = !source || !!ex.running || (props.mode === 'classify' && props.busy);
  const help = trainHelp(format, folderOf(name ?? 'model', format));

  return (
    <details className="export-panel" data-testid="export-panel">
      <summary>
        <b>Export</b> {name ?? 'the model'} as code: {EXPORTERS.map((e) => e.format).join(', ')}
      </summary>
      <div className="export-row">
        <label>
          Format{' '}
          <select aria-label="Export format" value={format} onChange={(e) => setFormat(e.target.value as typeof format)} disabled={!!ex.running}>
            {EXPORTERS.map((e) => (
              <option key={e.format} value={e.format}>
                {e.label}
              </option>
            ))}
          </select>
        </label>
        {props.mode === 'explore' ? (
          <fieldset className="export-weights" disabled={!!ex.running}>
            <legend>Weights</legend>
            <label>
              <input type="radio" name="export-weights" checked={weights === 'random'} onChange={() => setWeights('random')} /> random (untrained)
            </label>
            <label>
              <input type="radio" name="export-weights" checked={weights === 'none'} onChange={() => setWeights('none')} /> structure only
            </label>
          </fieldset>
        ) : (
          <p className="export-muted" data-testid="export-current">
            {props.info ? (
              <>
                Current model: <b>{props.info.name}</b>, weights: {props.info.weights === 'random' ? <b className="export-flag">random (untrained)</b> : props.info.weightsLabel}
                {props.info.classNames && `, ${props.info.classNames.length} classes (${props.info.classNames.slice(0, 4).join(', ')}${props.info.classNames.length > 4 ? ', …' : ''})`}
              </>
            ) : (
              'No model loaded yet.'
            )}
          </p>
        )}
        <button type="button" disabled={disabled} onClick={() => source && void ex.start(format, source)}>
          Export and download .zip
        </button>
      </div>
      {ex.running && (
        <div className="export-progress" role="status">
          <progress max={1} value={ex.running.fraction} aria-label="Export progress" /> {ex.running.message}{' '}
          <button type="button" onClick={ex.running.cancel}>
            Cancel
          </button>
        </div>
      )}
      {ex.error && (
        <p className="export-error" role="alert">
          {ex.error}
        </p>
      )}
      {ex.result && (
        <div className="export-result" data-testid="export-result">
          <p>
            <b>{ex.result.modelName}</b> as {ex.result.format}, weights: {ex.result.weightsLabel}. Runs with: {ex.result.runsWith}.
          </p>
          <table className="export-files">
            <thead>
              <tr>
                <th>File</th>
                <th>Size</th>
                <th>What it is</th>
              </tr>
            </thead>
            <tbody>
              {ex.result.files.map((f) => (
                <tr key={f.path}>
                  <td>
                    <code>
                      {ex.result!.folder}/{f.path}
                    </code>
                  </td>
                  <td className="export-num">{formatBytes(f.bytes)}</td>
                  <td className="export-kind">{fileKind(f.path)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {ex.result.notes.length > 0 && (
            <ul className="export-notes">
              {ex.result.notes.map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
          )}
          <button type="button" onClick={ex.download}>
            Download {ex.result.folder}.zip ({formatBytes(ex.result.zip.byteLength)})
          </button>
        </div>
      )}
      <p className="export-muted">Runs in the model worker, on this machine; the files are made here and never uploaded.</p>
      {help && (
        <section className="export-train" aria-label="Train it for real">
          <h4>Train it for real</h4>
          <p className="export-muted">{help.intro}</p>
          {help.commands.length > 0 && <pre>{help.commands.join('\n')}</pre>}
        </section>
      )}
    </details>
  );
}
