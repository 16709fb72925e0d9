/**
 * Gradient flow at initialisation: one forward/backward pass on a batch, the gradient norm of every weighted
 * layer (conv and dense kernels), for a plain net and its residual twin. BN runs in training mode (batch
 * statistics), as in the first step of training.
 */
import * as tf from '@tensorflow/tfjs';
import { type ArchGraph, expand, type GraphNode } from '../core';
import { dropBatchNorm, labSpec, type LabNetOptions } from '../core/lab/variants';
import { buildModel } from './build';
import { type InitKind, reinitialize } from './init';

export interface ProbeNetOptions extends LabNetOptions {
  readonly batchNorm: boolean;
  readonly init: InitKind;
  readonly seed: number;
}

export interface LayerGradient {
  /** Keras layer name (graph id). */
  readonly id: string;
  /** 1-based position among the weighted layers on the main path (the x axis of the chart); 0 on a shortcut. */
  readonly depth: number;
  readonly path: 'main' | 'shortcut';
  readonly kind: 'conv' | 'dense';
  /** ‖∂L/∂W‖₂ of the layer's kernel. */
  readonly norm: number;
}

/** The graph of a lab net, without BN if asked. */
export function probeGraph(opts: ProbeNetOptions): ArchGraph {
  const graph = expand(labSpec(opts));
  return opts.batchNorm ? graph : dropBatchNorm(graph);
}

/** Build and initialise a lab net (exact He or Glorot variance, seeded). */
export function buildProbeNet(opts: ProbeNetOptions): { model: tf.LayersModel; graph: ArchGraph } {
  const graph = probeGraph(opts);
  const model = buildModel(graph);
  reinitialize(model, { init: opts.init, seed: opts.seed });
  return { model, graph };
}

function weighted(graph: ArchGraph): GraphNode[] {
  return graph.nodes.filter((n) => n.op.kind === 'conv' || n.op.kind === 'dense');
}

/** Mean softmax cross-entropy of the model's logits; BN uses batch statistics when `training` (the default). */
export function batchLoss(model: tf.LayersModel, x: tf.Tensor4D, labels: tf.Tensor1D, training = true): tf.Scalar {
  return tf.tidy(() => {
    const logits = model.apply(x, { training }) as tf.Tensor2D;
    return tf.losses.softmaxCrossEntropy(tf.oneHot(labels, logits.shape[1]), logits) as tf.Scalar;
  });
}

/**
 * ∂L/∂kernel for every weighted layer, keyed by layer name. The caller owns the returned tensors.
 */
export function kernelGradients(
  model: tf.LayersModel,
  graph: ArchGraph,
  x: tf.Tensor4D,
  labels: tf.Tensor1D,
  training = true,
): Map<string, tf.Tensor> {
  const layers = weighted(graph).map((n) => model.getLayer(n.id));
  const kernels = layers.map((l) => l.weights[0].read() as tf.Variable);
  const { grads, value } = tf.variableGrads(() => batchLoss(model, x, labels, training), kernels);
  value.dispose();
  const byVarName = new Map(Object.entries(grads));
  const out = new Map<string, tf.Tensor>();
  layers.forEach((l, i) => {
    const g = byVarName.get(kernels[i].name);
    if (!g) throw new Error(`no gradient for ${l.name}'s kernel`);
    out.set(l.name, g);
    byVarName.delete(kernels[i].name);
  });
  tf.dispose([...byVarName.values()]);
  return out;
}

/** Per-layer gradient norms in graph order. Synchronous read-back: cpu / wasm (see gradientNormsAsync). */
export function gradientNorms(
  model: tf.LayersModel,
  graph: ArchGraph,
  x: tf.Tensor4D,
  labels: tf.Tensor1D,
  training = true,
): LayerGradient[] {
  const { ids, norms } = normTensor(model, graph, x, labels, training);
  try {
    return labelNorms(graph, ids, norms.dataSync());
  } finally {
    norms.dispose();
  }
}

/** gradientNorms with asynchronous read-back (a synchronous one in a worker on WebGPU returned zeros here). */
export async function gradientNormsAsync(
  model: tf.LayersModel,
  graph: ArchGraph,
  x: tf.Tensor4D,
  labels: tf.Tensor1D,
  training = true,
): Promise<LayerGradient[]> {
  const { ids, norms } = normTensor(model, graph, x, labels, training);
  try {
    return labelNorms(graph, ids, await norms.data());
  } finally {
    norms.dispose();
  }
}

/** All layers' norms in one tensor: one read-back instead of one per layer. */
function normTensor(model: tf.LayersModel, graph: ArchGraph, x: tf.Tensor4D, labels: tf.Tensor1D, training: boolean) {
  const grads = kernelGradients(model, graph, x, labels, training);
  const ids = [...grads.keys()];
  const norms = tf.tidy(() => tf.stack(ids.map((id) => tf.norm(grads.get(id)!))));
  tf.dispose([...grads.values()]);
  return { ids, norms };
}

function labelNorms(graph: ArchGraph, ids: readonly string[], values: ArrayLike<number>): LayerGradient[] {
  const norms = new Map(ids.map((id, i) => [id, values[i]]));
  let depth = 0;
  return weighted(graph).map((n) => ({
    id: n.id,
    depth: n.path === 'main' ? ++depth : 0,
    path: n.path,
    kind: n.op.kind === 'dense' ? 'dense' : 'conv',
    norm: norms.get(n.id)!,
  }));
}

export interface GradientProbe {
  readonly plain: readonly LayerGradient[];
  readonly residual: readonly LayerGradient[];
}

/** probePair with asynchronous read-back (every backend). */
export async function probePairAsync(opts: Omit<ProbeNetOptions, 'residual'>, x: tf.Tensor4D, labels: tf.Tensor1D): Promise<GradientProbe> {
  const run = async (residual: boolean) => {
    const { model, graph } = buildProbeNet({ ...opts, residual });
    try {
      return await gradientNormsAsync(model, graph, x, labels);
    } finally {
      model.dispose();
    }
  };
  return { plain: await run(false), residual: await run(true) };
}

/** Plain-N and ResNet-N at initialisation on the same batch, same seed. */
export function probePair(opts: Omit<ProbeNetOptions, 'residual'>, x: tf.Tensor4D, labels: tf.Tensor1D): GradientProbe {
  const run = (residual: boolean) => {
    const { model, graph } = buildProbeNet({ ...opts, residual });
    try {
      return gradientNorms(model, graph, x, labels);
    } finally {
      model.dispose();
    }
  };
  return { plain: run(false), residual: run(true) };
}
