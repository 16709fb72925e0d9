/**
 * The tfjs kernels one training step of a lab net runs (forward, backward and the optimizer update), for
 * every lab variant: plain / residual, BN on / off, option A / B shortcuts, Adam / SGD. Recorded with
 * tf.profile on the cpu backend (test/unit/training-kernels.test.ts re-derives it and fails when it drifts).
 * A backend missing one of these cannot train the lab's nets; tfjs would only say so mid-step.
 */
import * as tf from '@tensorflow/tfjs';

export const TRAINING_KERNELS: readonly string[] = [
  'Add', 'ArgMax', 'AvgPool', 'AvgPoolGrad', 'BatchMatMul', 'Cast', 'Conv2DBackpropFilter', 'Conv2DBackpropInput',
  'Equal', 'Exp', 'FusedBatchNorm', 'FusedConv2D', 'Identity', 'Log', 'Max', 'Mean', 'Multiply', 'Neg', 'OneHot',
  'PadV2', 'RealDiv', 'Relu', 'Reshape', 'Rsqrt', 'Slice', 'Sqrt', 'Square', 'Step', 'Sub', 'Sum', 'Tile',
  'ZerosLike', '_FusedMatMul',
];

/** Training kernels not registered for `backend` (empty when it can train). */
export function missingTrainingKernels(backend: string): string[] {
  return TRAINING_KERNELS.filter((k) => !tf.getKernel(k, backend));
}

/** Why `backend` cannot train, or undefined when every kernel is there. */
export function trainingProblem(backend: string): string | undefined {
  const missing = missingTrainingKernels(backend);
  if (missing.length === 0) return undefined;
  return `cannot train here: tfjs ${tf.version.tfjs} has no ${missing.join(', ')} kernel${missing.length > 1 ? 's' : ''} for ${backend}`;
}
