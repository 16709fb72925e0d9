/**
 * Classify: a pretrained (or loaded, or random) ResNet classifies images from files, drag and drop, paste or
 * the camera, with top-5 bars, latency, backend and a Grad-CAM heat map. All model work runs in the worker.
 */
import { useCallback, useRef, useState } from 'react';
import { modelClient } from '../../worker/client';
import type { ModelSource } from '../../worker/protocol';
import { Camera } from '../classify/Camera';
import { ImageInput } from '../classify/ImageInput';
import { LesionPanel } from '../classify/LesionPanel';
import { ModelPanel } from '../classify/ModelPanel';
import { ResultCard } from '../classify/ResultCard';
import type { Item } from '../classify/types';
import { useModel } from '../classify/useModel';
import { ExportPanel } from '../export/ExportPanel';
import { FinetunePanel } from '../finetune/FinetunePanel';
import { registerServiceWorker } from '../service-worker';
import '../classify/classify.css';

const DEFAULT_SOURCE: ModelSource = { kind: 'imagenet' };

export default function ClassifyView() {
  const model = useModel(DEFAULT_SOURCE);
  const [items, setItems] = useState<Item[]>([]);
  const [resize, setResize] = useState<'center-crop' | 'squash'>('center-crop');
  const [notice, setNotice] = useState<string>();
  const nextKey = useRef(1);
  const lastClassified = useRef<number | undefined>(undefined);
  const queue = useRef(Promise.resolve());

  const update = useCallback(
    (key: number, patch: Partial<Item>) => setItems((xs) => xs.map((x) => (x.key === key ? { ...x, ...patch } : x))),
    [],
  );

  const run = useCallback(
    (key: number, blob: Blob, name: string, classIndex?: number) => {
      // One image at a time: the worker runs requests in order anyway, and results arrive in order.
      queue.current = queue.current.then(async () => {
        try {
          // The worker decodes the file itself (JPEG with the command line's decoder) and says why it cannot.
          const result = await modelClient().classify(blob, name, { resize });
          lastClassified.current = key;
          const heat = classIndex === undefined || classIndex === result.heat?.classIndex ? undefined : await modelClient().gradcam(classIndex);
          update(key, { status: 'done', result, heat, error: undefined });
          registerServiceWorker(); // the start is over: the app's files may be cached for offline use now
        } catch (e) {
          update(key, { status: 'error', error: (e as Error).message });
        }
      });
    },
    [resize, update],
  );

  const addFiles = (files: File[]) => {
    setNotice(undefined);
    const added = files.map((f) => ({ key: nextKey.current++, name: f.name || 'pasted image', blob: f, status: 'running' as const }));
    setItems((xs) => [...added.slice().reverse(), ...xs].slice(0, 24));
    for (const it of added) run(it.key, it.blob, it.name);
  };

  const selectClass = async (item: Item, index: number) => {
    if (item.key === lastClassified.current) {
      try {
        update(item.key, { heat: await modelClient().gradcam(index) });
      } catch (e) {
        update(item.key, { error: (e as Error).message });
      }
    } else if (item.blob) {
      run(item.key, item.blob, item.name, index);
    }
  };

  const ready = !!model.info && !model.loading;
  return (
    <section aria-label="Classify" className="cls">
      <ModelPanel model={model} />
      <FinetunePanel model={model} />
      <ExportPanel mode="classify" info={model.info} busy={!!model.loading} />
      <div className="cls-row">
        <ImageInput
          disabled={!model.info}
          onFiles={addFiles}
          onRejected={(names) => setNotice(`Not images, skipped: ${names.join(', ')}`)}
        />
        <label>
          Resize{' '}
          <select value={resize} onChange={(e) => setResize(e.target.value as 'center-crop' | 'squash')} aria-label="Resize">
            <option value="center-crop">shorter side, centre crop</option>
            <option value="squash">squash whole image</option>
          </select>
        </label>
        <Camera enabled={ready} resize={resize} />
        {items.length > 0 && (
          <button type="button" onClick={() => setItems([])}>
            Clear
          </button>
        )}
      </div>
      {model.backendNotice && (
        <p className="cls-error" role="alert" data-testid="backend-notice">
          {model.backendNotice}
        </p>
      )}
      {notice && (
        <p className="cls-error" role="alert">
          {notice}
        </p>
      )}
      {!model.info && !model.loading && !model.error && <p className="cls-muted">Starting…</p>}
      <LesionPanel model={model} item={items.find((it) => it.status === 'done' && it.blob)} resize={resize} />
      <div className="cls-results">
        {items.map((it) => (
          <ResultCard key={it.key} item={it} onSelectClass={selectClass} />
        ))}
      </div>
    </section>
  );
}
