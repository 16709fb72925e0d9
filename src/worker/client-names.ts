/**
 * Names the page gives the model worker (its `name`, read by src/worker/model.worker.ts): started for Classify, the
 * worker will be asked for the default ImageNet weights first and may read them from IndexedDB before asked.
 */
export const MODEL_WORKER_NAME = 'model';
export const CLASSIFY_WORKER_NAME = 'model (classify)';
