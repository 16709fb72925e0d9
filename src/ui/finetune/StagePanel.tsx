/**
 * Fine-tune conv5 after the head (Keras' second phase, https://keras.io/guides/transfer_learning/): in the
 * worker on the cached conv4 outputs, learning rate 10× below the head's, BatchNormalization in inference mode,
 * early stopping with the head's patience. Shows progress with cancel, time per epoch, the validation accuracy
 * before → after and which epoch's weights were kept.
 */
import { useState } from 'react';
import { EpochChart } from './EpochChart';
import { Evaluation } from './Evaluation';
import type { FinetuneState } from './useFinetune';

const pct = (v?: number) => (v === undefined ? '—' : `${(v * 100).toFixed(1)}%`);

export function StagePanel({ ft, pending }: { ft: FinetuneState; pending: boolean }) {
  const [epochs, setEpochs] = useState(1);
  const { phase, stage } = ft;
  if (phase.kind !== 'done' && phase.kind !== 'used') return null;
  const ready = !!phase.summary.stageReady;
  const why = !pending
    ? 'The head is in use already: train again to fine-tune conv5 before using it.'
    : !ready
      ? 'Train again with "prepare conv5 fine-tuning" ticked: it keeps the conv4 outputs conv5 trains on.'
      : undefined;
  const s = stage?.kind === 'done' ? stage.summary : undefined;
  const gain = s?.before && s.after ? s.after.valAccuracy - s.before.valAccuracy : undefined;
  return (
    <section className="ft-stage" aria-label="Fine-tune conv5">
      <h4>Second phase: fine-tune conv5</h4>
      <p className="cls-muted">
        Unfreezes the last stage (conv5, 3 blocks) and trains it with the head at a 10× smaller learning rate;
        BatchNormalization stays in inference mode (as Keras advises), so its statistics do not drift on a small set.
      </p>
      <div className="cls-row">
        <label>
          {/* Not labelled "Epochs": the head's own setting has that name. */}
          Train conv5 for{' '}
          <select aria-label="conv5 passes" value={epochs} disabled={ft.running} onChange={(e) => setEpochs(Number(e.target.value))}>
            {[1, 2, 3, 5].map((n) => (
              <option key={n} value={n}>
                {n} epoch{n > 1 ? 's' : ''}
              </option>
            ))}
          </select>
        </label>
        <button type="button" disabled={!!why || ft.running} title={why} onClick={() => void ft.tuneStage(epochs)}>
          Fine-tune conv5
        </button>
        {stage?.kind === 'running' && (
          <>
            <span role="status" className="cls-progress">
              conv5 epoch {stage.epoch}/{stage.epochs}, batch {stage.done}/{stage.total || '…'}{' '}
              <progress max={stage.total || 1} value={stage.done} />
            </span>
            <button type="button" onClick={ft.cancel}>
              Cancel conv5
            </button>
          </>
        )}
        {why && <span className="cls-muted">{why}</span>}
      </div>
      {ft.stageEpochs.length > 0 && <EpochChart logs={ft.stageEpochs} marks={s ? { best: s.bestEpoch, stoppedEarly: s.stoppedEarly } : undefined} />}
      {s && stage?.kind === 'done' && (
        <div data-testid="stage-result">
          <p>
            conv5 fine-tuned in {stage.seconds.toFixed(1)} s: {(s.msPerEpoch / 1000).toFixed(1)} s per epoch (learning rate {s.learningRate}).
            {s.before && s.after && (
              <>
                {' '}
                Validation accuracy {pct(s.before.valAccuracy)} → {pct(s.after.valAccuracy)} (
                <span data-testid="stage-gain" data-gain={gain}>
                  {gain === undefined ? '' : gain > 0 ? `gain ${pct(gain)}` : gain < 0 ? `loss ${pct(-gain)}` : 'no change'}
                </span>
                ), loss {s.before.valLoss.toFixed(4)} → {s.after.valLoss.toFixed(4)}.
              </>
            )}
            {s.bestEpoch !== s.history.length &&
              ` Weights of epoch ${s.bestEpoch} kept${s.stoppedEarly ? ' (stopped early: the validation loss stopped improving)' : ''}.`}
          </p>
          {s.evaluation && <Evaluation data={{ classNames: phase.summary.classNames, ...s.evaluation }} fileOf={ft.fileOf} title="Validation after conv5" />}
        </div>
      )}
    </section>
  );
}
