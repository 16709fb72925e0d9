/**
 * Put named weights into a model's layers, checking every name and shape first so a bad file changes nothing.
 * Used for tfjs layers models (by name), the legacy ImageNet ResNet50 (renamed) and Keras HDF5 by-name loading.
 */
import * as tf from '@tensorflow/tfjs';
import { fmtShape, WeightsMismatchError } from './errors';

/** Keys are `layerName/weightName` (`conv1_conv/kernel`, `conv1_bn/moving_mean`). */
export type NamedWeights = ReadonlyMap<string, tf.Tensor>;

/** The weight's own name without the layer scope (`conv1_conv/kernel` → `kernel`). */
export function weightSuffix(v: tf.LayerVariable): string {
  const n = v.originalName;
  return n.slice(n.lastIndexOf('/') + 1);
}

export interface AssignOptions {
  /** Fail when the source holds weights no layer takes (default true: a different model must not half-load). */
  readonly strict?: boolean;
  /** Where the weights come from, for messages. */
  readonly source?: string;
}

/**
 * Assign `named` to every weighted layer of `model`. Throws WeightsMismatchError naming the first layer (in model
 * order) that is missing a weight or whose shape differs; nothing is assigned then. Does not dispose `named`.
 */
export function assignNamedWeights(model: tf.LayersModel, named: NamedWeights, opts: AssignOptions = {}): void {
  const src = opts.source ? ` in ${opts.source}` : '';
  const plan: [tf.layers.Layer, tf.Tensor[]][] = [];
  const used = new Set<string>();
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    const values: tf.Tensor[] = [];
    for (const w of layer.weights) {
      // Weight shapes are always concrete (only activation shapes have a null batch dimension).
      const shape = w.shape as number[];
      const key = `${layer.name}/${weightSuffix(w)}`;
      const t = named.get(key);
      if (!t) {
        throw new WeightsMismatchError(
          `layer "${layer.name}" needs the weight "${key}" ${fmtShape(w.shape)}, which is not${src}` +
            ` (it has ${named.size} weights, e.g. ${[...named.keys()].slice(0, 3).join(', ')}).`,
          layer.name,
          shape,
        );
      }
      if (!tf.util.arraysEqual(t.shape, shape)) {
        throw new WeightsMismatchError(
          `layer "${layer.name}": weight "${key}" has shape ${fmtShape(t.shape)}${src}, the model expects ${fmtShape(w.shape)}.`,
          layer.name,
          shape,
          t.shape,
        );
      }
      used.add(key);
      values.push(t);
    }
    plan.push([layer, values]);
  }
  if (opts.strict ?? true) {
    const extra = [...named.keys()].filter((k) => !used.has(k));
    if (extra.length > 0) {
      const layer = extra[0].slice(0, extra[0].lastIndexOf('/'));
      throw new WeightsMismatchError(
        `${extra.length} weights${src} match no layer of ${model.name}, first "${extra[0]}" ${fmtShape(named.get(extra[0])!.shape)}: the weights are for another model.`,
        layer,
        undefined,
        named.get(extra[0])!.shape,
      );
    }
  }
  for (const [layer, values] of plan) layer.setWeights(values);
}
