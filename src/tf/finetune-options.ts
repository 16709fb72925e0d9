/**
 * Fine-tuning options, their defaults and the per-epoch log: plain data without tfjs, so the UI (main thread)
 * can import them without pulling tfjs into its bundle (the model worker owns tfjs).
 */

/** The new classifier on the pooled features. */
export type HeadKind = 'dense' | 'dense2048';
export const HEAD_KINDS: readonly HeadKind[] = ['dense', 'dense2048'];
/** Hidden width of the `dense2048` head (the Keras flow_from_directory tutorial's `Dense(2048, relu)`). */
export const HIDDEN_UNITS = 2048;

export interface FinetuneOptions {
  /** Passes over the training features (default 10). */
  readonly epochs?: number;
  readonly batchSize?: number;
  /** Adam learning rate (default 1e-3, Keras' default). */
  readonly learningRate?: number;
  /** Fraction of each class's images held out for validation (default 0.2; 0 for none). */
  readonly validationSplit?: number;
  /** Also train on the left-right mirror of each training image (not of validation images). */
  readonly flip?: boolean;
  /** Seeds the head's initialisation, dropout masks and every shuffle (default 42). */
  readonly seed?: number;
  /**
   * 'dense': pooled → [Dropout] → Dense(N, softmax) `predictions` (default). 'dense2048': pooled →
   * Dense(2048, relu) `fc1` → [Dropout] → Dense(N, softmax) `predictions`.
   */
  readonly head?: HeadKind;
  /** Dropout rate in [0, 1) before `predictions` (layer `dropout`); 0 (default) adds no Dropout layer. */
  readonly dropout?: number;
  /**
   * Early stopping on validation loss (Keras `EarlyStopping(monitor='val_loss', patience=P,
   * restore_best_weights=True)`): stop after P epochs without a lower validation loss and return the best
   * epoch's weights. 0 (default) = off: all epochs run and the last epoch's weights are returned.
   */
  readonly patience?: number;
}

export const FINETUNE_DEFAULTS = {
  epochs: 10,
  batchSize: 16,
  learningRate: 1e-3,
  validationSplit: 0.2,
  flip: true,
  seed: 42,
  head: 'dense' as HeadKind,
  dropout: 0,
  patience: 0,
} as const;

export interface EpochLog {
  /** 1-based. */
  readonly epoch: number;
  readonly epochs: number;
  /** Mean cross-entropy and accuracy over the epoch's training batches (as Keras reports them). */
  readonly loss: number;
  readonly accuracy: number;
  /** On the held-out images after the epoch; absent without a validation set. */
  readonly valLoss?: number;
  readonly valAccuracy?: number;
  readonly ms: number;
}

/**
 * One epoch's log from its running sums: mean training loss and accuracy over `n` examples, the validation
 * figures when there is a validation set, and the time since `startedAt` (performance.now()).
 */
export function epochLog(
  epoch: number,
  epochs: number,
  train: { readonly lossSum: number; readonly correct: number; readonly n: number },
  val: { readonly loss: number; readonly accuracy: number } | undefined,
  startedAt: number,
): EpochLog {
  return {
    epoch,
    epochs,
    loss: train.lossSum / train.n,
    accuracy: train.correct / train.n,
    ...(val ? { valLoss: val.loss, valAccuracy: val.accuracy } : {}),
    ms: performance.now() - startedAt,
  };
}
