/**
 * One graph node (a Keras layer) → ONNX nodes, NCHW. A layer becomes one node named after it, or a short chain
 * whose last node carries the Keras name (earlier ones are `<name>/<Op>`); the layer's output tensor is named
 * after the layer too, so a Netron view and our diagram share names. Constant inputs (pads, slice bounds, a pad
 * value) are initializers named `<name>/<what>`.
 */
import type { GraphNode } from '../../core';
import { ExportError } from '../types';
import { samePads } from './pads';
import { floatAttr, floatTensor, int64Tensor, intAttr, intsAttr, type NodeProto, type TensorProto } from './proto';

export interface LayerNodes {
  readonly nodes: NodeProto[];
  /** Constant inputs the nodes read (int64 pads and slice bounds; the −0.0 pad value). */
  readonly constants: TensorProto[];
}

/**
 * @param tensorOf the ONNX tensor holding a graph node's output (`input` for the graph input).
 * @param params the names of the node's parameter tensors in ONNX input order (see weights.ts).
 * @param feedsMaxPool the node's output goes into a MaxPool (a zero-pad there needs care, see below).
 */
export function layerNodes(node: GraphNode, tensorOf: (id: string) => string, params: readonly string[], feedsMaxPool = false): LayerNodes {
  const name = node.id;
  const ins = node.inputs.map(tensorOf);
  const op = node.op;
  const one = (opType: string, inputs: string[], attribute: NodeProto['attribute'] = []): LayerNodes => ({
    nodes: [{ name, opType, input: inputs, output: [name], attribute }],
    constants: [],
  });
  switch (op.kind) {
    case 'zeropad': {
      // ZeroPadding2D((ph, pw)): pads are [x1_begin, x2_begin, …, x1_end, x2_end, …] over N, C, H, W.
      const [ph, pw] = op.padding;
      const pads = int64Tensor(`${name}/pads`, [0, 0, ph, pw, 0, 0, ph, pw]);
      if (!feedsMaxPool) {
        return { nodes: [{ name, opType: 'Pad', input: [ins[0], pads.name!], output: [name], attribute: [] }], constants: [pads] };
      }
      // Keras zero-pads before its stem max-pool; ONNX MaxPool's own pads act as −∞. onnxruntime's PadFusion
      // (onnxruntime/core/optimizer/pad_fusion.cc) still folds a Pad whose constant is all zero bytes into a
      // following MaxPool, which changes the result wherever a border window is all negative (V2's stem pools
      // conv1_conv directly). −0.0 pads the same value (−0 = 0) and is not all zero bytes, so it stays a Pad.
      const value = floatTensor(`${name}/constant_value`, [], new Float32Array([-0]), '−0.0: zero, kept out of MaxPool pad fusion');
      return {
        nodes: [{ name, opType: 'Pad', input: [ins[0], pads.name!, value.name!], output: [name], attribute: [] }],
        constants: [pads, value],
      };
    }
    case 'conv': {
      const [h, w] = node.inShapes[0];
      const pads = op.padding === 'same' ? samePads(h, w, op.kernel, op.stride) : [0, 0, 0, 0];
      return one('Conv', [ins[0], ...params], [
        intsAttr('kernel_shape', [op.kernel, op.kernel]),
        intsAttr('strides', [op.stride, op.stride]),
        intsAttr('pads', pads),
        intsAttr('dilations', [1, 1]),
        intAttr('group', op.groups),
      ]);
    }
    case 'bn':
      // Kept as an op (not folded into the conv) so the file holds Keras' own arrays; runtimes fold it at load.
      return one('BatchNormalization', [ins[0], ...params], [floatAttr('epsilon', op.epsilon)]);
    case 'relu':
      return one('Relu', ins);
    case 'maxpool':
      return one('MaxPool', ins, [
        intsAttr('kernel_shape', [op.pool, op.pool]),
        intsAttr('strides', [op.stride, op.stride]),
        intsAttr('pads', [0, 0, 0, 0]),
      ]);
    case 'zeroPadShortcut': {
      // Option A: keep every stride-th pixel (Slice with steps), then zero channels before and after (Pad).
      const [h, w, c] = node.inShapes[0];
      const [before, after] = op.channelPad;
      const constants: TensorProto[] = [];
      const nodes: NodeProto[] = [];
      let x = ins[0];
      if (op.stride > 1) {
        const bounds = [
          int64Tensor(`${name}/starts`, [0, 0]),
          int64Tensor(`${name}/ends`, [h, w]),
          int64Tensor(`${name}/axes`, [2, 3]),
          int64Tensor(`${name}/steps`, [op.stride, op.stride]),
        ];
        constants.push(...bounds);
        const sliced = before + after > 0 ? `${name}/Slice` : name;
        nodes.push({ name: sliced, opType: 'Slice', input: [x, ...bounds.map((b) => b.name!)], output: [sliced], attribute: [] });
        x = sliced;
      }
      if (before + after > 0 || nodes.length === 0) {
        const pads = int64Tensor(`${name}/pads`, [0, before, 0, 0, 0, after, 0, 0]);
        constants.push(pads);
        nodes.push({ name, opType: 'Pad', input: [x, pads.name!], output: [name], attribute: [] });
      }
      if (c + before + after !== node.outShape[2]) throw new ExportError('onnx', `graph.nodes[${JSON.stringify(name)}].op.channelPad`, op.channelPad, 'does not give the node’s output channels');
      return { nodes, constants };
    }
    case 'add':
      return one('Add', ins);
    case 'globalAvgPool':
      // One node, [N, C, H, W] → [N, C], as Keras GlobalAveragePooling2D.
      return one('ReduceMean', ins, [intsAttr('axes', [2, 3]), intAttr('keepdims', 0)]);
    case 'globalMaxPool':
      return one('ReduceMax', ins, [intsAttr('axes', [2, 3]), intAttr('keepdims', 0)]);
    case 'dense': {
      if (op.activation === 'linear') return one('Gemm', [ins[0], ...params]);
      const act = op.activation === 'softmax' ? 'Softmax' : op.activation === 'relu' ? 'Relu' : undefined;
      if (!act) {
        throw new ExportError('onnx', `graph.nodes[${JSON.stringify(name)}].op.activation`, op.activation, "allowed: 'softmax', 'linear', 'relu'");
      }
      const logits = `${name}/Gemm`;
      return {
        nodes: [
          { name: logits, opType: 'Gemm', input: [ins[0], ...params], output: [logits], attribute: [] },
          { name, opType: act, input: [logits], output: [name], attribute: act === 'Softmax' ? [intAttr('axis', -1)] : [] },
        ],
        constants: [],
      };
    }
    case 'dropout':
      // Keras Dropout is the identity at inference; an Identity node keeps the layer's name in the file.
      return one('Identity', ins);
    case 'input':
      return { nodes: [], constants: [] };
    default: {
      const kind = (op as { kind: unknown }).kind;
      throw new ExportError('onnx', `graph.nodes[${JSON.stringify(name)}].op.kind`, kind, 'not an op this exporter knows');
    }
  }
}
