/**
 * Choose the model and its weights: ImageNet ResNet50 (float32, float16 or uint8 files), random weights, a tfjs model
 * (URL / files), Keras .h5.
 */
import { useState } from 'react';
import { PRESET_NAMES } from '../../core';
import { BACKENDS, type BackendName } from '../../tf/backend-names';
import {
  DEFAULT_IMAGENET_PRECISION,
  formatMiB,
  IMAGENET_PRECISION_INFO,
  IMAGENET_PRECISIONS,
  type ImagenetPrecision,
} from '../../tf/imagenet-precision';
import { describePreprocessing } from '../../tf/preprocess-info';
import type { EngineName } from '../../worker/ort-engine';
import type { ModelSource } from '../../worker/protocol';
import { downloadModel } from './download';
import { formatPhases } from './load-phases';
import { LoadProgress } from './LoadProgress';
import { OpenInExplore } from './OpenInExplore';
import type { ModelState } from './useModel';

type Kind = 'imagenet' | 'random' | 'layers-url' | 'layers-files' | 'h5-file' | 'h5-url';

export function ModelPanel({ model }: { model: ModelState }) {
  const [kind, setKind] = useState<Kind>('imagenet');
  const [precision, setPrecision] = useState<ImagenetPrecision>(DEFAULT_IMAGENET_PRECISION);
  const [preset, setPreset] = useState('ResNet50');
  const [url, setUrl] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const [h5Mode, setH5Mode] = useState<'auto' | 'order' | 'name'>('auto');
  const [downloadError, setDownloadError] = useState<string>();

  const source = (): { source: ModelSource; label: string } | string => {
    switch (kind) {
      case 'imagenet':
        return { source: { kind: 'imagenet', precision }, label: `ImageNet ResNet50 (${precision})` };
      case 'random':
        return { source: { kind: 'random', preset }, label: `${preset} (random weights)` };
      case 'layers-url':
        if (!/^(https?:\/\/|\/)/.test(url)) return 'Enter the http(s) URL of a model.json.';
        return { source: { kind: 'layers-url', url, preset }, label: url };
      case 'layers-files':
        if (files.length === 0) return 'Pick a model.json and its .bin files.';
        return { source: { kind: 'layers-files', files, preset }, label: files.map((f) => f.name).join(', ') };
      case 'h5-file':
        if (files.length !== 1) return 'Pick one .h5 file.';
        return { source: { kind: 'h5', file: files[0], preset, mode: h5Mode }, label: files[0].name };
      case 'h5-url':
        if (!/^(https?:\/\/|\/)/.test(url)) return 'Enter the http(s) URL of an .h5 file.';
        return { source: { kind: 'h5', url, preset, mode: h5Mode }, label: url };
    }
  };
  const pending = source();
  const info = model.info;

  return (
    <section className="cls-model" aria-label="Model">
      <div className="cls-row">
        <label>
          Weights{' '}
          <select value={kind} onChange={(e) => setKind(e.target.value as Kind)} aria-label="Weights source">
            <option value="imagenet">ImageNet ResNet50 (pretrained)</option>
            <option value="random">Random weights</option>
            <option value="layers-url">tfjs model from a URL</option>
            <option value="layers-files">tfjs model files</option>
            <option value="h5-file">Keras .h5 file</option>
            <option value="h5-url">Keras .h5 from a URL</option>
          </select>
        </label>
        {kind === 'imagenet' && (
          <label>
            Precision{' '}
            <select value={precision} onChange={(e) => setPrecision(e.target.value as ImagenetPrecision)} aria-label="Precision">
              {IMAGENET_PRECISIONS.map((p) => (
                <option key={p} value={p}>
                  {p} ({formatMiB(IMAGENET_PRECISION_INFO[p].bytes)} download){IMAGENET_PRECISION_INFO[p].warning ? ' ⚠' : ''}
                </option>
              ))}
            </select>
          </label>
        )}
        {kind === 'imagenet' && IMAGENET_PRECISION_INFO[precision].warning && (
          <span className="cls-warning-inline" role="note">
            ⚠ {IMAGENET_PRECISION_INFO[precision].warning}
          </span>
        )}
        {kind !== 'imagenet' && (
          <label>
            Architecture{' '}
            <select value={preset} onChange={(e) => setPreset(e.target.value)} aria-label="Architecture">
              {PRESET_NAMES.map((n) => (
                <option key={n}>{n}</option>
              ))}
            </select>
          </label>
        )}
        {(kind === 'layers-url' || kind === 'h5-url') && (
          <input type="url" placeholder="https://…" value={url} onChange={(e) => setUrl(e.target.value.trim())} aria-label="Weights URL" size={40} />
        )}
        {(kind === 'layers-files' || kind === 'h5-file') && (
          <input
            type="file"
            aria-label="Weights files"
            multiple={kind === 'layers-files'}
            accept={kind === 'h5-file' ? '.h5,.hdf5' : '.json,.bin,.zip'}
            onChange={(e) => setFiles([...(e.target.files ?? [])])}
          />
        )}
        {kind.startsWith('h5') && (
          <label>
            Match layers{' '}
            <select value={h5Mode} onChange={(e) => setH5Mode(e.target.value as 'auto' | 'order' | 'name')} aria-label="Match layers">
              <option value="auto">by name if all match, else by order</option>
              <option value="order">by order (Keras load_weights)</option>
              <option value="name">by name (Keras by_name=True)</option>
            </select>
          </label>
        )}
        <button
          type="button"
          disabled={typeof pending === 'string' || !!model.loading}
          title={typeof pending === 'string' ? pending : undefined}
          onClick={() => typeof pending !== 'string' && void model.load(pending.source, pending.label)}
        >
          Load
        </button>
        <label>
          Backend{' '}
          <select
            aria-label="Backend"
            disabled={model.backendBusy || !!model.loading}
            defaultValue="auto"
            onChange={(e) => void model.setBackend(e.target.value === 'auto' ? undefined : (e.target.value as BackendName))}
          >
            <option value="auto">auto</option>
            {BACKENDS.map((b) => (
              <option key={b}>{b}</option>
            ))}
          </select>
        </label>
        <label title="What computes the probabilities. onnxruntime-web runs this model's ONNX export; Grad-CAM, training and the lab stay on tfjs.">
          Engine{' '}
          <select
            aria-label="Engine"
            disabled={model.engineBusy || !!model.loading || !info}
            value={model.engine}
            onChange={(e) => void model.setEngine(e.target.value as EngineName)}
          >
            <option value="tfjs">tfjs</option>
            <option value="onnxruntime-web">onnxruntime-web (ONNX export)</option>
          </select>
        </label>
      </div>
      {model.loading && <LoadProgress loading={model.loading} />}
      {model.error && (
        <div className="cls-error" role="alert">
          {model.error}{' '}
          <button type="button" onClick={model.dismissError} aria-label="Dismiss">
            ×
          </button>
        </div>
      )}
      {info && (
        <div className="cls-info" data-testid="model-info">
          <b>{info.name}</b> · {info.params.toLocaleString('en-US')} parameters · weights: {info.weightsLabel}
          {info.precision && (
            <span data-testid="model-precision">
              {' '}
              · precision: {info.precision}
              {info.weightBytes !== undefined ? ` (${formatMiB(info.weightBytes)} of weights)` : ''}
            </span>
          )}
          {info.fromCache ? ' (from the browser cache)' : ''} · loaded in {(info.loadMs / 1000).toFixed(1)} s ·{' '}
          <span title="Preprocessing">{describePreprocessing(info.preprocessing)}</span>{' '}
          <button
            type="button"
            onClick={() => {
              setDownloadError(undefined);
              downloadModel().catch((e: Error) => setDownloadError(e.message));
            }}
          >
            Download model
          </button>{' '}
          <OpenInExplore spec={info.spec} />
          {downloadError && <span className="cls-error-inline">{downloadError}</span>}
          {model.phases && (
            <div className="cls-phases" data-testid="load-phases">
              Last load: {formatPhases(model.phases)}
            </div>
          )}
        </div>
      )}
      {info?.weights === 'random' && (
        <p className="cls-warning" role="note">
          This model has random weights: its predictions mean nothing. Load pretrained weights to classify.
        </p>
      )}
    </section>
  );
}
