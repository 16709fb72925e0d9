/**
 * Fine-tuning state for the panel: the picked classes, a run in the worker (progress, epochs, cancel), its
 * result, then optionally conv5 fine-tuned on top (progress per batch, cancel keeps the head-only result).
 */
import { useCallback, useRef, useState } from 'react';
import type { EpochLog, FinetuneOptions } from '../../tf/finetune-options';
import { modelClient } from '../../worker/client';
import type { FinetuneImage, FinetuneSummary, ModelInfo, StageSummary } from '../../worker/protocol';
import type { Classes } from './dataset';

export type StageRun =
  | { readonly kind: 'running'; readonly done: number; readonly total: number; readonly epoch: number; readonly epochs: number }
  | { readonly kind: 'done'; readonly summary: StageSummary; readonly seconds: number };

export type Phase =
  | { readonly kind: 'idle' }
  | { readonly kind: 'features'; readonly done: number; readonly total: number; readonly name: string }
  | { readonly kind: 'training' }
  | { readonly kind: 'done'; readonly summary: FinetuneSummary; readonly seconds: number }
  | { readonly kind: 'used'; readonly summary: FinetuneSummary; readonly seconds: number };

export interface FinetuneState {
  readonly phase: Phase;
  readonly epochs: readonly EpochLog[];
  readonly error?: string;
  readonly running: boolean;
  /** conv5 fine-tuning of the pending result: running or done. */
  readonly stage?: StageRun;
  readonly stageEpochs: readonly EpochLog[];
  train(classes: Classes, options: FinetuneOptions, prepareStage?: boolean): Promise<void>;
  tuneStage(epochs: number): Promise<void>;
  /** The picked file an image name (`class/file.jpg`) of the last run came from. */
  fileOf(name: string): Blob | undefined;
  cancel(): void;
  use(): Promise<ModelInfo | undefined>;
  setError(message: string | undefined): void;
  /** The worker's model was replaced: a trained, unused head is gone; a used one is no longer current. */
  modelReplaced(): void;
}

export function useFinetune(): FinetuneState {
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const [epochs, setEpochs] = useState<EpochLog[]>([]);
  const [error, setError] = useState<string>();
  const cancelRef = useRef<(() => void) | undefined>(undefined);
  /** Whether the user pressed Cancel: a run can also be cancelled by the worker when another model is loaded. */
  const userCancelled = useRef(false);
  const [stage, setStage] = useState<StageRun>();
  const [stageEpochs, setStageEpochs] = useState<EpochLog[]>([]);
  const files = useRef(new Map<string, Blob>());
  const running = phase.kind === 'features' || phase.kind === 'training' || stage?.kind === 'running';

  const train = useCallback(async (classes: Classes, options: FinetuneOptions, prepareStage = false) => {
    const classNames = [...classes.keys()];
    const images: FinetuneImage[] = classNames.flatMap((c, label) => (classes.get(c) ?? []).map((f) => ({ name: `${c}/${f.name}`, label, image: f })));
    files.current = new Map(images.map((im) => [im.name, im.image as Blob]));
    setError(undefined);
    setEpochs([]);
    setStage(undefined);
    setStageEpochs([]);
    setPhase({ kind: 'features', done: 0, total: images.length, name: '' });
    const t0 = performance.now();
    const job = modelClient().finetune(images, classNames, options, prepareStage, {
      onImage: (done, total, name) => setPhase(done < total ? { kind: 'features', done, total, name } : { kind: 'training' }),
      onEpoch: (log) => {
        setPhase({ kind: 'training' });
        setEpochs((xs) => [...xs, log]);
      },
    });
    cancelRef.current = job.cancel;
    userCancelled.current = false;
    try {
      const summary = await job.promise;
      setPhase({ kind: 'done', summary, seconds: (performance.now() - t0) / 1000 });
    } catch (e) {
      const err = e as Error;
      setPhase({ kind: 'idle' });
      setError(
        err.name !== 'CancelledError'
          ? `Fine-tuning failed: ${err.message}`
          : userCancelled.current
            ? 'Fine-tuning was cancelled; the current model is unchanged.'
            : 'Fine-tuning stopped because another model was loaded or the backend changed; train again to use the new one.',
      );
    } finally {
      cancelRef.current = undefined;
    }
  }, []);

  const tuneStage = useCallback(async (n: number) => {
    setError(undefined);
    setStageEpochs([]);
    setStage({ kind: 'running', done: 0, total: 0, epoch: 1, epochs: n });
    const t0 = performance.now();
    const job = modelClient().finetuneStage(n, {
      onBatch: (done, total, epoch) => setStage({ kind: 'running', done, total, epoch, epochs: n }),
      onEpoch: (log) => setStageEpochs((xs) => [...xs, log]),
    });
    cancelRef.current = job.cancel;
    userCancelled.current = false;
    try {
      const summary = await job.promise;
      setStage({ kind: 'done', summary, seconds: (performance.now() - t0) / 1000 });
    } catch (e) {
      const err = e as Error;
      setStage(undefined);
      setError(
        err.name === 'CancelledError' && userCancelled.current
          ? 'Fine-tuning conv5 was cancelled; the trained head is kept as it was.'
          : `Fine-tuning conv5 failed: ${err.message}`,
      );
    } finally {
      cancelRef.current = undefined;
    }
  }, []);

  const use = useCallback(async () => {
    if (phase.kind !== 'done') return undefined;
    try {
      const info = await modelClient().useFinetuned();
      setPhase({ ...phase, kind: 'used' });
      return info;
    } catch (e) {
      setError((e as Error).message);
      return undefined;
    }
  }, [phase]);

  const modelReplaced = useCallback(() => {
    if (phase.kind === 'done') setError('Another model was loaded, so the trained head was dropped: train again to use it.');
    if (phase.kind === 'done' || phase.kind === 'used') setPhase({ kind: 'idle' });
    setStage(undefined);
  }, [phase]);

  return {
    phase,
    epochs,
    error,
    running,
    stage,
    stageEpochs,
    train,
    tuneStage,
    fileOf: (name) => files.current.get(name),
    cancel: () => {
      userCancelled.current = true;
      cancelRef.current?.();
    },
    use,
    setError,
    modelReplaced,
  };
}
