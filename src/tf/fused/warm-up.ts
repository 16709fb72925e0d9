/**
 * The smallest input that sets up every kernel of an inference runner as the model's own input size does.
 *
 * On wasm, a model's first forward pass is slow mostly because XNNPACK creates one operator per convolution and
 * packs its filter then (tfjs-backend-wasm `conv2d_impl.cc` keeps the operator in a cache keyed by the filter,
 * the padding, strides and channels — not by the input's height and width). A warm-up on a small input therefore
 * pays that set-up without the arithmetic of a full-size pass, provided every convolution pads exactly as it does
 * at full size. WebGL and WebGPU compile programs per shape, so they still warm up at full size (see engine-host).
 */
import type { ArchGraph, ArchSpec, GraphNode } from '../../core';
import { expand } from '../../core';

/** TF's SAME padding along one axis (tfjs-core conv_util `computePaddingInfo`): [before, after]. */
export function samePadding(inSize: number, kernel: number, stride: number): [number, number] {
  const out = Math.ceil(inSize / stride);
  const total = Math.max((out - 1) * stride + kernel - inSize, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

const samePads = (n: GraphNode): string => {
  if (n.op.kind !== 'conv' || n.op.padding !== 'same') return '';
  const [h, w] = n.inShapes[0];
  return [...samePadding(h, n.op.kernel, n.op.stride), ...samePadding(w, n.op.kernel, n.op.stride)].join();
};

/**
 * [h, w, c] for the warm-up: the model's input divided by its last feature map's size (so that map is 1×1) when
 * that graph has the same nodes and every SAME-padded conv pads alike; else the model's own input.
 */
export function warmUpInput(spec: ArchSpec, graph: ArchGraph = expand(spec)): readonly number[] {
  const full = spec.input;
  const pool = graph.nodes.find((n) => n.op.kind === 'globalAvgPool' || n.op.kind === 'globalMaxPool');
  const fmap = pool && graph.nodes.find((n) => n.id === pool.inputs[0]);
  if (!fmap) return full;
  const [fh, fw] = fmap.outShape;
  const [h, w, c] = full;
  if (h % fh !== 0 || w % fw !== 0 || (fh === 1 && fw === 1)) return full;
  let small: ArchGraph;
  try {
    small = expand({ ...spec, input: [h / fh, w / fw, c] });
  } catch {
    return full;
  }
  if (small.nodes.length !== graph.nodes.length) return full;
  const alike = graph.nodes.every((n, i) => {
    const m = small.nodes[i];
    return m.id === n.id && m.outShape.every((d) => d >= 1) && samePads(m) === samePads(n);
  });
  return alike ? [h / fh, w / fw, c] : full;
}
