/**
 * Trained CIFAR-10 ResNets of akamaster/pytorch_resnet_cifar10 (option A; the test errors its README gives are in
 * core/references.ts) loaded into our CIFAR presets. Their state dicts (PyTorch layout, saved as .npz) map onto our Keras names:
 *
 *   module.conv1.weight [O,I,H,W]              → conv1_conv kernel [H,W,I,O]
 *   module.bn1.{weight,bias,running_mean,running_var} → conv1_bn [gamma, beta, moving_mean, moving_variance]
 *   module.layer{s}.{b}.conv{j}.weight         → conv{s+1}_block{b+1}_{j}_conv
 *   module.layer{s}.{b}.bn{j}.*                → conv{s+1}_block{b+1}_{j}_bn
 *   module.linear.{weight [10,64], bias}       → predictions [64,10], bias
 *
 * The architecture facts that make outputs match (BN eps 1e-5, symmetric 3×3 padding, x[:, :, ::2, ::2]
 * subsampling with planes//4 zero channels each side) are in the CIFAR preset and the zero-pad shortcut.
 */
import * as tf from '@tensorflow/tfjs';
import { CIFAR10_CLASSES, type WeightsDescription, weightsPreprocessing } from '../core';
import type { NpyArray } from '../core/npz';
import { normalize } from './preprocess';

/**
 * The weights' description: inputs are RGB/255 normalised with ImageNet's mean and std (the repository's
 * trainer.py, `transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])`, i.e. Keras' 'torch'
 * mode), 32×32 CIFAR-10 images, CIFAR-10's classes.
 */
export function akamasterWeights(file: string): WeightsDescription {
  return {
    id: `akamaster:${file}`,
    label: `akamaster/pytorch_resnet_cifar10 ${file}`,
    source: 'akamaster',
    preprocessing: weightsPreprocessing('torch'),
    labels: CIFAR10_CLASSES,
    inputSize: [32, 32],
  };
}

export class WeightsMismatchError extends Error {
  override readonly name = 'WeightsMismatchError';
}

/** The state-dict prefix for one of our layer names, or undefined for layers that have none. */
export function akamasterKey(layerName: string): string | undefined {
  if (layerName === 'conv1_conv') return 'module.conv1';
  if (layerName === 'conv1_bn') return 'module.bn1';
  if (layerName === 'predictions') return 'module.linear';
  const m = /^conv(\d)_block(\d+)_([12])_(conv|bn)$/.exec(layerName);
  if (!m) return undefined;
  const [, stage, block, j, kind] = m;
  return `module.layer${Number(stage) - 1}.${Number(block) - 1}.${kind}${j}`;
}

function take(arrays: ReadonlyMap<string, NpyArray>, key: string, used: Set<string>): NpyArray {
  const a = arrays.get(key);
  if (!a) throw new WeightsMismatchError(`the weights file has no '${key}'`);
  used.add(key);
  return a;
}

/**
 * Set every weighted layer of a CIFAR option-A model from an akamaster state dict. Throws WeightsMismatchError
 * naming the layer and key when a layer has no counterpart, a shape differs, or the file has arrays left over
 * (e.g. ResNet-56 weights into ResNet-20).
 */
export function loadAkamasterWeights(model: tf.LayersModel, arrays: ReadonlyMap<string, NpyArray>): void {
  const used = new Set<string>();
  const assignments: [tf.layers.Layer, tf.Tensor[]][] = [];
  try {
    for (const layer of model.layers) {
      if (layer.weights.length === 0) continue;
      const prefix = akamasterKey(layer.name);
      if (!prefix) throw new WeightsMismatchError(`layer '${layer.name}' has no counterpart in an akamaster CIFAR ResNet (option A only)`);
      const cls = layer.getClassName();
      let values: tf.Tensor[];
      if (cls === 'Conv2D') {
        const w = take(arrays, `${prefix}.weight`, used);
        values = [tf.tidy(() => tf.transpose(tf.tensor(w.data, [...w.shape]), [2, 3, 1, 0]))];
      } else if (cls === 'BatchNormalization') {
        values = ['weight', 'bias', 'running_mean', 'running_var'].map((s) => {
          const a = take(arrays, `${prefix}.${s}`, used);
          return tf.tensor(a.data, [...a.shape]);
        });
      } else if (cls === 'Dense') {
        const w = take(arrays, `${prefix}.weight`, used);
        const b = take(arrays, `${prefix}.bias`, used);
        values = [tf.tidy(() => tf.transpose(tf.tensor(w.data, [...w.shape]))), tf.tensor(b.data, [...b.shape])];
      } else {
        throw new WeightsMismatchError(`layer '${layer.name}' (${cls}) cannot take akamaster weights`);
      }
      const want = layer.weights.map((v) => v.shape.join('×'));
      const got = values.map((v) => v.shape.join('×'));
      assignments.push([layer, values]);
      if (want.join() !== got.join()) {
        throw new WeightsMismatchError(`layer '${layer.name}' expects [${want.join(', ')}], '${prefix}' gives [${got.join(', ')}]`);
      }
    }
    const left = [...arrays.keys()].filter((k) => !used.has(k) && !k.endsWith('num_batches_tracked'));
    if (left.length > 0) {
      throw new WeightsMismatchError(`the weights file has ${left.length} arrays the model does not use, e.g. '${left[0]}' (deeper network?)`);
    }
    for (const [layer, values] of assignments) layer.setWeights(values);
  } finally {
    for (const [, values] of assignments) tf.dispose(values);
  }
}

/** NHWC float32 pixels in 0…255 → the network's normalised input, with the weights' own preprocessing. */
export function akamasterPreprocess(rgb255: tf.Tensor4D, weights: WeightsDescription = akamasterWeights('')): tf.Tensor4D {
  return normalize(rgb255, weights.preprocessing) as tf.Tensor4D;
}
