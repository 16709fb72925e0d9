/**
 * The lab worker's backend: the same choice as the model worker (webgpu → webgl → wasm → cpu, software GPUs
 * skipped unless asked for, reasons recorded), plus one condition: the backend must have every kernel a
 * training step uses (src/tf/training-kernels.ts), else the choice falls back with that reason.
 * Under Vite the .wasm files must be passed to setWasmPaths as URLs (src/worker/wasm-paths.ts).
 */
import { type BackendChoice, type BackendName, chooseBackend } from '../tf/backend';
import { trainingProblem } from '../tf/training-kernels';
import { registerWasmTrainingKernels } from '../tf/wasm-train';
import { WASM_PATHS } from './wasm-paths';

export async function initTrainingBackend(prefer?: BackendName): Promise<{ choice: BackendChoice; note?: string }> {
  // Kernels registered for 'wasm' only: the fast backprop-filter/input and Tile (wasm lacks or has slow ones);
  // the GPU backends keep their own.
  registerWasmTrainingKernels();
  const choice = await chooseBackend({
    prefer,
    wasmPaths: WASM_PATHS,
    accept: trainingProblem,
  });
  const notes: string[] = [];
  if (prefer && choice.name !== prefer) {
    const failed = choice.attempts.find((a) => a.name === prefer);
    notes.push(`${prefer} could not be used for training (${failed?.reason ?? 'unknown reason'}); the lab trains on ${choice.name}.`);
  }
  if (choice.name === 'cpu') notes.push('Training on the cpu backend is slow.');
  return { choice, note: notes.length > 0 ? notes.join(' ') : undefined };
}
