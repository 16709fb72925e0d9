/** A WeightSet with seeded random values for every weighted layer of a graph, in Keras' shapes (no tfjs). */
import type { ArchGraph } from '../../../src/core';
import { expectedShapes } from '../../../src/export/onnx/weights';
import type { WeightSet } from '../../../src/export/types';

/** mulberry32: a small seeded generator, uniform in [0, 1). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAMES: Record<string, readonly string[]> = {
  conv: ['kernel', 'bias'],
  groupconv: ['depthwise_kernel', 'bias'],
  bn: ['gamma', 'beta', 'moving_mean', 'moving_variance'],
  dense: ['kernel', 'bias'],
};

export function randomWeightSet(graph: ArchGraph, seed = 1): WeightSet {
  const next = random(seed);
  const layers = graph.nodes.map((node) => {
    const op = node.op;
    const names = NAMES[op.kind === 'conv' && op.groups > 1 ? 'groupconv' : op.kind] ?? [];
    const weights = expectedShapes(node).map((shape, i) => {
      const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
      // Variances must stay positive: moving_variance in [0.5, 1.5); everything else in [−0.5, 0.5).
      const offset = names[i] === 'moving_variance' ? 0.5 : -0.5;
      for (let j = 0; j < data.length; j++) data[j] = next() + offset;
      return { name: `${node.id}/${names[i]}:0`, shape, data };
    });
    return { layer: node.id, weights };
  });
  return { layers };
}
