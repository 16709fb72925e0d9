/**
 * Fine-tuned models kept in this browser (IndexedDB, in the worker): keep the current fine-tuned model under a
 * name, list the kept ones, load one back (through the normal model load, so Classify and Explore use it) or
 * delete it. Failures (quota, a corrupt row, a taken name) are shown and change nothing.
 */
import { useCallback, useEffect, useState } from 'react';
import type { KeptModelInfo } from '../../tf/finetuned-store';
import { modelClient } from '../../worker/client';
import type { ModelState } from '../classify/useModel';

const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MB`;

export function KeptModels({ model, canKeep, busy }: { model: ModelState; canKeep: boolean; busy: boolean }) {
  const [models, setModels] = useState<readonly KeptModelInfo[]>();
  const [name, setName] = useState('');
  const [error, setError] = useState<string>();
  const [note, setNote] = useState<string>();
  const [working, setWorking] = useState(false);

  const refresh = useCallback(async (remove?: string) => {
    try {
      setModels(await modelClient().keptModels(remove));
    } catch (e) {
      setError((e as Error).message);
    }
  }, []);
  useEffect(() => {
    void refresh();
  }, [refresh]);

  const keep = async (replace: boolean) => {
    setError(undefined);
    setNote(undefined);
    setWorking(true);
    try {
      const r = await modelClient().keepFinetuned(name, replace);
      setModels(r.models);
      setNote(`Kept as "${r.saved?.name}" (${mb(r.saved?.bytes ?? 0)}).`);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setWorking(false);
    }
  };
  const taken = !!models?.some((m) => m.name === name.trim());
  const disabled = busy || working || !!model.loading;

  return (
    <section className="ft-kept" aria-label="Kept models">
      <h4>Kept in this browser</h4>
      {canKeep && (
        <div className="cls-row">
          <label>
            Name{' '}
            <input type="text" size={18} maxLength={80} value={name} aria-label="Name to keep the model under" onChange={(e) => setName(e.target.value)} />
          </label>
          <button type="button" disabled={disabled || name.trim() === '' || taken} onClick={() => void keep(false)}>
            Keep in browser
          </button>
          {taken && (
            <button type="button" disabled={disabled} onClick={() => void keep(true)}>
              Replace "{name.trim()}"
            </button>
          )}
          {working && <span role="status">Saving…</span>}
        </div>
      )}
      {note && (
        <p className="cls-muted" role="status" data-testid="kept-note">
          {note}
        </p>
      )}
      {error && (
        <p className="cls-error" role="alert">
          {error}
        </p>
      )}
      {models && models.length === 0 && <p className="cls-muted">No kept models yet.</p>}
      {models && models.length > 0 && (
        <table className="ft-table" aria-label="Kept models list">
          <thead>
            <tr>
              <th>name</th>
              <th>classes</th>
              <th>size</th>
              <th>saved</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {models.map((m) => (
              <tr key={m.name} data-name={m.name}>
                <td>{m.name}</td>
                <td title={m.classNames.join(', ')}>{m.problem ? <span className="cls-error-inline">{m.problem}</span> : m.classNames.join(', ')}</td>
                <td>{mb(m.bytes)}</td>
                <td>{m.savedAt ? new Date(m.savedAt).toLocaleString() : '—'}</td>
                <td>
                  <button
                    type="button"
                    disabled={disabled || !!m.problem}
                    aria-label={`Load kept model ${m.name}`}
                    onClick={() => {
                      setError(undefined);
                      void model.load({ kind: 'kept', name: m.name }, `kept model "${m.name}"`);
                    }}
                  >
                    Load
                  </button>{' '}
                  <button
                    type="button"
                    disabled={disabled}
                    aria-label={`Delete kept model ${m.name}`}
                    onClick={() => {
                      setError(undefined);
                      setNote(undefined);
                      void refresh(m.name);
                    }}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
