/**
 * Fine-tune: pick labelled images, train a new softmax head on the current model's pooled features in the
 * worker, watch loss/accuracy per epoch, then use the new model for classification or download it.
 */
import { useEffect, useRef, useState } from 'react';
import { classWarnings } from '../../core/finetune-hygiene';
import { FINETUNE_DEFAULTS } from '../../tf/finetune-options';
import type { ModelState } from '../classify/useModel';
import { DatasetPicker } from './DatasetPicker';
import { type Classes, datasetProblem, groupByClass, mergeClasses, type Rejected } from './dataset';
import { downloadFinetuned } from './download';
import { EpochChart } from './EpochChart';
import { Evaluation } from './Evaluation';
import { KeptModels } from './KeptModels';
import { HEAD_LABELS, Settings, type SettingsValue, settingsProblem } from './Settings';
import { StagePanel } from './StagePanel';
import { useFinetune } from './useFinetune';
import './finetune.css';

export function FinetunePanel({ model }: { model: ModelState }) {
  const ft = useFinetune();
  const [classes, setClasses] = useState<Classes>(new Map());
  const [rejected, setRejected] = useState<Rejected[]>([]);
  const [settings, setSettings] = useState<SettingsValue>({ ...FINETUNE_DEFAULTS, head: 'dense', dropout: 0, patience: 3, prepareStage: true });
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
        features), and only a new head is trained on them, with Adam — one softmax layer, or the Keras tutorial's
        Dense(2048, relu) + softmax. Afterwards conv5 can be fine-tuned too (second phase). Use a folder with one
        sub-folder per class (e.g. <code>pets/cat/*.jpg</code>, <code>pets/dog/*.jpg</code>).
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
      {!problem && classWarnings([...classes.keys()], [...classes.values()].map((f) => f.length)).map((w) => (
        <p key={w} className="cls-warning" role="note" data-testid="dataset-warning">
          {w}
        </p>
      ))}
      <Settings value={settings} onChange={setSettings} disabled={ft.running} />
      <div className="cls-row">
        <button
          type="button"
          disabled={!!(problem ?? settingsProblem(settings)) || !ready || ft.running}
          title={problem ?? settingsProblem(settings) ?? (!ready ? 'Wait for the model to load' : undefined)}
          onClick={() => {
            setDownloadError(undefined);
            const { prepareStage, ...options } = settings;
            void ft.train(classes, options, prepareStage);
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
      <EpochChart
        logs={ft.epochs}
        marks={phase.kind === 'done' || phase.kind === 'used' ? { best: phase.summary.bestEpoch, stoppedEarly: phase.summary.stoppedEarly } : undefined}
      />
      {(phase.kind === 'done' || phase.kind === 'used') && (
        <div className="ft-result" data-testid="finetune-result">
          <p>
            Trained in {phase.seconds.toFixed(1)} s on {phase.summary.trainExamples} examples ({phase.summary.valExamples} held out):
            features {(phase.summary.msPerImage / 1000).toFixed(2)} s per image, {phase.summary.msPerEpoch.toFixed(0)} ms per epoch.
            Final training accuracy {pct(phase.summary.history.at(-1)?.accuracy)}
            {phase.summary.valExamples > 0 && `, validation ${pct(phase.summary.history.at(-1)?.valAccuracy)}`}.
          </p>
          <p data-testid="finetune-head">
            Head: {HEAD_LABELS[phase.summary.head ?? 'dense']}
            {phase.summary.dropout ? `, dropout ${Math.round(phase.summary.dropout * 100)}%` : ''}.
            {phase.summary.bestEpoch !== undefined &&
              ` Weights of epoch ${phase.summary.bestEpoch} kept${phase.summary.stoppedEarly ? ' (stopped early: the validation loss stopped improving)' : ''}.`}
          </p>
          {(phase.summary.warnings?.length ?? 0) > 0 && (
            <div className="cls-warning" role="alert" data-testid="finetune-warnings">
              Check your data:
              <ul className="ft-hygiene">
                {phase.summary.warnings!.map((w) => (
                  <li key={w}>{w}</li>
                ))}
              </ul>
            </div>
          )}
          {phase.summary.skipped.length > 0 && (
            <div className="cls-warning" role="alert" data-testid="finetune-skipped">
              Could not read {phase.summary.skipped.length} file{phase.summary.skipped.length > 1 ? 's' : ''}; trained without them:
              <ul className="ft-hygiene">
                {phase.summary.skipped.map((s) => (
                  <li key={s.name}>
                    <code>{s.name}</code>: {s.reason}
                  </li>
                ))}
              </ul>
            </div>
          )}
          {phase.summary.evaluation && <Evaluation data={{ classNames: phase.summary.classNames, ...phase.summary.evaluation }} fileOf={ft.fileOf} title="Validation (head)" />}
          <StagePanel ft={ft} pending={phase.kind === 'done'} />
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
      <KeptModels model={model} canKeep={phase.kind === 'done' || phase.kind === 'used' || model.info?.weightsDescription.source === 'finetuned'} busy={ft.running} />
    </details>
  );
}

const pct = (v?: number) => (v === undefined ? '—' : `${(v * 100).toFixed(0)}%`);
