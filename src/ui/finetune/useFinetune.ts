/** Fine-tuning state for the panel: the picked classes, a run in the worker (progress, epochs, cancel), its result. */
import { useCallback, useRef, useState } from 'react';
import type { EpochLog, FinetuneOptions } from '../../tf/finetune';
import { modelClient } from '../../worker/client';
import type { FinetuneImage, FinetuneSummary, ModelInfo } from '../../worker/protocol';
import type { Classes } from './dataset';

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
  train(classes: Classes, options: FinetuneOptions): Promise<void>;
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
  const running = phase.kind === 'features' || phase.kind === 'training';

  const train = useCallback(async (classes: Classes, options: FinetuneOptions) => {
    const classNames = [...classes.keys()];
    const images: FinetuneImage[] = classNames.flatMap((c, label) => (classes.get(c) ?? []).map((f) => ({ name: `${c}/${f.name}`, label, image: f })));
    setError(undefined);
    setEpochs([]);
    setPhase({ kind: 'features', done: 0, total: images.length, name: '' });
    const t0 = performance.now();
    const job = modelClient().finetune(images, classNames, options, {
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
  }, [phase]);

  return { phase, epochs, error, running, train, cancel: () => {
      userCancelled.current = true;
      cancelRef.current?.();
    }, use, setError, modelReplaced };
}
