/**
 * Fine-tune: pick labelled images, train a new softmax head on the current model's pooled features in the
 * worker, watch loss/accuracy per epoch, then use the new model for classification or download it.
 */
import { useEffect, useRef, useState } from 'react';
import { FINETUNE_DEFAULTS } from '../../tf/finetune';
import type { ModelState } from '../classify/useModel';
import { type Classes, datasetProblem, groupByClass, mergeClasses, type Rejected } from './dataset';
import { DatasetPicker } from './DatasetPicker';
import { downloadFinetuned } from './download';
import { EpochChart } from './EpochChart';
import { Settings, type SettingsValue, settingsProblem } from './Settings';
import { useFinetune } from './useFinetune';
import './finetune.css';

export function FinetunePanel({ model }: { model: ModelState }) {
  const ft = useFinetune();
  const [classes, setClasses] = useState<Classes>(new Map());
  const [rejected, setRejected] = useState<Rejected[]>([]);
  const [settings, setSettings] = useState<SettingsValue>({ ...FINETUNE_DEFAULTS });
  const [downloadError, setDownloadError] = useState<string>();
  const problem = datasetProblem(classes);
  const ready = !!model.info && !model.loading;
  const { phase } = ft;
  // A model loaded from the Model panel replaces the one trained on (or the fine-tuned one in use).
  const seen = useRef(model.info);
  const adopted = useRef<unknown>(undefined);
  const { modelReplaced } = ft;
  useEffect(() => {
    if (model.info === seen.current) return;
    seen.current = model.info;
    if (model.info !== adopted.current) modelReplaced();
  }, [model.info, modelReplaced]);
  const total = [...classes.values()].reduce((a, f) => a + f.length, 0);

  return (
    <details className="ft cls-model">
      <summary>
        <b>Fine-tune</b> a new head on your own images
      </summary>
      <p className="cls-muted ft-intro">
        The pretrained network stays fixed: each image goes once through it up to its global pooling (ResNet50: 2048
        features), and only a new softmax layer is trained, with Adam. Use a folder with one sub-folder per class
        (e.g. <code>pets/cat/*.jpg</code>, <code>pets/dog/*.jpg</code>).
      </p>
      <DatasetPicker
        disabled={ft.running}
        onPicked={(files, loose) => {
          const g = groupByClass(files, loose);
          setClasses((c) => mergeClasses(c, g.classes));
          setRejected(g.rejected);
        }}
      />
      {rejected.length > 0 && (
        <div className="cls-warning" role="alert">
          Skipped {rejected.length} file{rejected.length > 1 ? 's' : ''}:
          <ul className="ft-rejected">
            {rejected.slice(0, 12).map((r) => (
              <li key={r.path}>
                <code>{r.path}</code>: {r.reason}
              </li>
            ))}
            {rejected.length > 12 && <li>… and {rejected.length - 12} more</li>}
          </ul>
        </div>
      )}
      {classes.size > 0 && (
        <table className="ft-table ft-classes" aria-label="Classes">
          <thead>
            <tr>
              <th>#</th>
              <th>class</th>
              <th>images</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {[...classes.entries()].map(([name, files], i) => (
              <tr key={name} data-class={name} data-count={files.length}>
                <td>{i}</td>
                <td>{name}</td>
                <td>{files.length}</td>
                <td>
                  <button
                    type="button"
                    disabled={ft.running}
                    aria-label={`Remove class ${name}`}
                    onClick={() => setClasses((c) => new Map([...c].filter(([k]) => k !== name)))}
                  >
                    ×
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {problem && <p className="cls-muted" data-testid="dataset-problem">{problem}</p>}
      <Settings value={settings} onChange={setSettings} disabled={ft.running} />
      <div className="cls-row">
        <button
          type="button"
          disabled={!!(problem ?? settingsProblem(settings)) || !ready || ft.running}
          title={problem ?? settingsProblem(settings) ?? (!ready ? 'Wait for the model to load' : undefined)}
          onClick={() => {
            setDownloadError(undefined);
            void ft.train(classes, settings);
          }}
        >
          Train on {total} image{total === 1 ? '' : 's'}
        </button>
        {classes.size > 0 && (
          <button
            type="button"
            disabled={ft.running}
            onClick={() => {
              setClasses(new Map());
              setRejected([]);
            }}
          >
            Clear images
          </button>
        )}
        {ft.running && (
          <button type="button" onClick={ft.cancel}>
            Cancel
          </button>
        )}
        {phase.kind === 'features' && (
          <span role="status" className="cls-progress">
            Extracting features {phase.done}/{phase.total} <progress max={phase.total} value={phase.done} />
          </span>
        )}
        {phase.kind === 'training' && <span role="status">Training the head…</span>}
      </div>
      {model.info?.weights === 'random' && (
        <p className="cls-warning" role="note">
          The current model has random weights: its features carry little information. Load the ImageNet weights first.
        </p>
      )}
      {ft.error && (
        <p className="cls-error" role="alert">
          {ft.error}
        </p>
      )}
      <EpochChart logs={ft.epochs} />
      {(phase.kind === 'done' || phase.kind === 'used') && (
        <div className="ft-result" data-testid="finetune-result">
          <p>
            Trained in {phase.seconds.toFixed(1)} s on {phase.summary.trainExamples} examples ({phase.summary.valExamples} held out):
            features {(phase.summary.msPerImage / 1000).toFixed(2)} s per image, {phase.summary.msPerEpoch.toFixed(0)} ms per epoch.
            Final training accuracy {pct(phase.summary.history.at(-1)?.accuracy)}
            {phase.summary.valExamples > 0 && `, validation ${pct(phase.summary.history.at(-1)?.valAccuracy)}`}.
          </p>
          {phase.summary.skipped.length > 0 && (
            <p className="cls-warning" role="alert">
              Could not read {phase.summary.skipped.map((s) => `${s.name} (${s.reason})`).join('; ')}; trained without them.
            </p>
          )}
          <div className="cls-row">
            {phase.kind === 'done' ? (
              <button
                type="button"
                onClick={async () => {
                  const info = await ft.use();
                  if (info) {
                    adopted.current = info;
                    model.adopted(info);
                  }
                }}
              >
                Use this model
              </button>
            ) : (
              <span data-testid="finetune-used">
                Classification now uses the new classes: {phase.summary.classNames.join(', ')}.
              </span>
            )}
            {(['tfjs', 'h5'] as const).map((f) => (
              <button
                key={f}
                type="button"
                onClick={() => {
                  setDownloadError(undefined);
                  downloadFinetuned(f).catch((e: Error) => setDownloadError(e.message));
                }}
              >
                Download {f === 'tfjs' ? 'tfjs model' : 'Keras .h5'}
              </button>
            ))}
            {downloadError && <span className="cls-error-inline">{downloadError}</span>}
          </div>
        </div>
      )}
    </details>
  );
}

const pct = (v?: number) => (v === undefined ? '—' : `${(v * 100).toFixed(0)}%`);
