/**
 * graph → tf.LayersModel. The only place tfjs-layers models are assembled. Layer names are the graph's node
 * ids (Keras names), so weights, diagram and tables share one key.
 */
import * as tf from '@tensorflow/tfjs';
import type { Initializer } from '@tensorflow/tfjs-layers/dist/initializers';
import { type ArchGraph, type ArchSpec, expand, type GraphNode } from '../core';
import { GroupConv2D, ZeroPadShortcut } from './layers';

export type KernelInit = 'glorotUniform' | 'heNormal' | Initializer;

export interface BuildOptions {
  /** Conv and dense kernel initializer; Keras' default is Glorot uniform. */
  readonly kernelInitializer?: KernelInit;
  /** Use this symbolic tensor as the input (Keras `input_tensor`); its shape must match the spec's input. */
  readonly inputTensor?: tf.SymbolicTensor;
  /** Called after each layer is created: for progress on large models. */
  readonly onLayer?: (done: number, total: number) => void;
  /**
   * Every weight is set right after building (a weights file, a backend switch): create all of them as zeros
   * instead of running the random initialisers, whose values would be thrown away (tfjs-layers' `addWeight`
   * calls the initializer at build time; Glorot/He draw every kernel element in JavaScript, seconds for
   * ResNet50's 25.6M parameters). Pair with `unassignedWeights` so a weight the source missed cannot stay zero.
   */
  readonly weightsFollow?: boolean;
}

type ZerosClass = new () => Initializer;

/**
 * Zeros for a model whose weights are all overwritten right after the build: one buffer per element count,
 * each weight a reshape of it (a view: tfjs shares the data and counts references). ResNet50's 320 weights
 * (102.5 MB) then take 22 buffers (37.5 MB): the build allocated and zero-filled less (issue 11). Sharing is
 * safe because tfjs never writes into a tensor's data:
 * `Variable.assign` gives the variable its new value's data. Serialises as Keras' `Zeros`.
 */
class SharedZeros {
  private readonly bySize = new Map<string, tf.Tensor>();
  readonly initializer: Initializer;

  constructor() {
    const bySize = this.bySize;
    const Zeros = tf.initializers.zeros().constructor as ZerosClass;
    class Shared extends Zeros {
      static className = 'Zeros';
      override apply(shape: number[], dtype: tf.DataType = 'float32'): tf.Tensor {
        const n = shape.reduce((a, b) => a * b, 1);
        const key = `${dtype}:${n}`;
        let base = bySize.get(key);
        if (!base) {
          base = tf.zeros([n], dtype);
          bySize.set(key, base);
        }
        return tf.reshape(base, shape);
      }
    }
    this.initializer = new Shared();
  }

  /** The variables keep the shared data alive until they are assigned; the build's own references go. */
  dispose(): void {
    tf.dispose([...this.bySize.values()]);
    this.bySize.clear();
  }
}

function initializer(init: KernelInit | undefined, zeros: SharedZeros | undefined): Initializer | undefined {
  if (zeros) return zeros.initializer;
  if (init === undefined || typeof init !== 'string') return init;
  return tf.initializers[init]({});
}

/** Bias, and BatchNormalization's four, when weights follow (else tfjs' defaults: zeros; ones, zeros, zeros, ones). */
function zerosFor(zeros: SharedZeros | undefined, ...names: string[]): Record<string, Initializer> {
  return zeros ? Object.fromEntries(names.map((n) => [n, zeros.initializer])) : {};
}

/** Identity of every weight's current value: a weight still holding its build-time value has the same dataId. */
export function weightIdentities(model: tf.LayersModel): Map<tf.LayerVariable, object> {
  return new Map(model.weights.map((w) => [w, w.read().dataId]));
}

/**
 * Weights not written since `before` was taken (tfjs' Variable.assign gives a variable its new value's data).
 * A model built with `weightsFollow` must have none left, or a layer the source lacks would silently be zeros.
 */
export function unassignedWeights(model: tf.LayersModel, before: ReadonlyMap<tf.LayerVariable, object>): string[] {
  return model.weights.filter((w) => before.get(w) === w.read().dataId).map((w) => w.originalName);
}

function layerFor(node: GraphNode, opts: BuildOptions, zeros: SharedZeros | undefined): tf.layers.Layer {
  const name = node.id;
  const op = node.op;
  switch (op.kind) {
    case 'zeropad':
      return tf.layers.zeroPadding2d({ name, padding: [[op.padding[0], op.padding[0]], [op.padding[1], op.padding[1]]] });
    case 'conv':
      if (op.groups > 1) {
        return new GroupConv2D({
          name,
          filters: op.filters,
          kernelSize: op.kernel,
          strides: op.stride,
          groups: op.groups,
          padding: op.padding,
          useBias: op.bias,
          kernelInitializer: initializer(opts.kernelInitializer, zeros),
        });
      }
      return tf.layers.conv2d({
        name,
        filters: op.filters,
        kernelSize: op.kernel,
        strides: op.stride,
        padding: op.padding,
        useBias: op.bias,
        kernelInitializer: initializer(opts.kernelInitializer, zeros),
        ...zerosFor(zeros, 'biasInitializer'),
      });
    case 'bn':
      return tf.layers.batchNormalization({ name, axis: -1, epsilon: op.epsilon, momentum: 0.99, ...zerosFor(zeros, 'gammaInitializer', 'betaInitializer', 'movingMeanInitializer', 'movingVarianceInitializer') });
    case 'relu':
      return tf.layers.activation({ name, activation: 'relu' });
    case 'maxpool':
      return tf.layers.maxPooling2d({ name, poolSize: op.pool, strides: op.stride, padding: 'valid' });
    case 'zeroPadShortcut':
      return new ZeroPadShortcut({ name, stride: op.stride, channelPad: op.channelPad });
    case 'add':
      return tf.layers.add({ name });
    case 'globalAvgPool':
      return tf.layers.globalAveragePooling2d({ name });
    case 'globalMaxPool':
      return tf.layers.globalMaxPooling2d({ name });
    case 'dense':
      return tf.layers.dense({
        name,
        units: op.units,
        activation: op.activation,
        kernelInitializer: initializer(opts.kernelInitializer, zeros),
        ...zerosFor(zeros, 'biasInitializer'),
      });
    case 'dropout':
      return tf.layers.dropout({ name, rate: op.rate });
    case 'input':
      throw new Error('the input node is not a layer');
  }
}

/** Build the tfjs model of a graph (or a spec, expanded first). */
export function buildModel(source: ArchSpec | ArchGraph, opts: BuildOptions = {}): tf.LayersModel {
  const graph = 'nodes' in source ? source : expand(source);
  const tensors = new Map<string, tf.SymbolicTensor>();
  const input = graph.nodes[0];
  const inputTensor = opts.inputTensor ?? tf.input({ shape: [...input.outShape], name: input.id });
  const got = inputTensor.shape.slice(1);
  if (got.length !== input.outShape.length || got.some((d, i) => d !== input.outShape[i])) {
    throw new Error(`inputTensor has shape [${got.join(', ')}]; the model expects [${input.outShape.join(', ')}]`);
  }
  tensors.set(input.id, inputTensor);
  const total = graph.nodes.length;
  const zeros = opts.weightsFollow ? new SharedZeros() : undefined;
  try {
    graph.nodes.forEach((node, i) => {
      if (i === 0) return;
      const layer = layerFor(node, opts, zeros);
      const ins = node.inputs.map((id) => tensors.get(id)!);
      const out = layer.apply(ins.length === 1 ? ins[0] : ins) as tf.SymbolicTensor;
      tensors.set(node.id, out);
      opts.onLayer?.(i + 1, total);
    });
  } finally {
    zeros?.dispose();
  }
  return tf.model({ inputs: inputTensor, outputs: tensors.get(graph.outputId)!, name: graph.name.toLowerCase() });
}
