/**
 * Layer responses of a trained net (He et al. 2015, §4.2 "Analysis of Layer Responses", Fig. 7): the standard
 * deviation of the output of each 3×3 conv layer after BN and before the nonlinearity (in a residual block's
 * second layer: before the addition). The std is over every element of the response (images, positions,
 * channels). BN uses batch statistics as in the race's training steps; the moving statistics tfjs updates on
 * such calls are restored afterwards.
 */
import * as tf from '@tensorflow/tfjs';
import { type EvalBatch, restoreWeights, snapshotWeights } from './landscape';

export interface LayerResponse {
  /** Keras name of the BN layer (its conv is the same name with `_conv`). */
  readonly id: string;
  /** 1-based position among the 3×3 layers, input to output. */
  readonly index: number;
  readonly std: number;
}

/** The BN layers that directly follow a 3×3 conv, in model order. */
export function responseLayers(model: tf.LayersModel): tf.layers.Layer[] {
  return model.layers.filter((l) => {
    if (l.getClassName() !== 'BatchNormalization') return false;
    const src = l.inboundNodes[0]?.inboundLayers[0];
    if (src?.getClassName() !== 'Conv2D') return false;
    const k = (src.getConfig() as { kernelSize?: number | number[] }).kernelSize;
    return Array.isArray(k) ? k[0] === 3 && k[1] === 3 : k === 3;
  });
}

/** Std of each 3×3 layer's response over the batches (pooled over all elements). */
export async function layerResponseStds(model: tf.LayersModel, batches: readonly EvalBatch[]): Promise<LayerResponse[]> {
  const layers = responseLayers(model);
  if (layers.length === 0) throw new Error(`${model.name} has no BatchNormalization after a 3×3 conv: nothing to measure`);
  // Shares the model's layers and weights; holds no tensors of its own (not disposed: that would free them).
  const probe = tf.model({ inputs: model.inputs, outputs: layers.map((l) => l.output as tf.SymbolicTensor) });
  const sum = new Float64Array(layers.length);
  const sumSq = new Float64Array(layers.length);
  const snapshot = snapshotWeights(model);
  try {
    for (const b of batches) {
      const moments = tf.tidy(() => {
        const outs = probe.apply(b.x, { training: true }) as tf.Tensor[];
        return tf.stack(outs.map((o) => tf.stack([tf.sum(o), tf.sum(tf.square(o))])));
      });
      const v = await moments.data();
      moments.dispose();
      for (let i = 0; i < layers.length; i++) {
        sum[i] += v[2 * i];
        sumSq[i] += v[2 * i + 1];
      }
    }
  } finally {
    restoreWeights(model, snapshot);
  }
  return layers.map((l, i) => {
    const shape = (l.output as tf.SymbolicTensor).shape;
    const perImage = shape.slice(1).reduce((a: number, s) => a * (s ?? 1), 1);
    const n = perImage * batches.reduce((a, b) => a + b.x.shape[0], 0);
    const mean = sum[i] / n;
    return { id: l.name, index: i + 1, std: Math.sqrt(Math.max(0, sumSq[i] / n - mean * mean)) };
  });
}
