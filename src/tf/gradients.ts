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

/** Per-layer gradient norms in graph order. */
export function gradientNorms(
  model: tf.LayersModel,
  graph: ArchGraph,
  x: tf.Tensor4D,
  labels: tf.Tensor1D,
  training = true,
): LayerGradient[] {
  const grads = kernelGradients(model, graph, x, labels, training);
  const norms = new Map<string, number>();
  for (const [id, g] of grads) {
    norms.set(id, tf.tidy(() => tf.norm(g).dataSync()[0]));
    g.dispose();
  }
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
