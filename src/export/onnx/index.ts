/**
 * ArchGraph + Keras-layout weights → one ONNX file (model.onnx), opset 13, NCHW, batch axis dynamic.
 * Conventions (README "Export → ONNX"): input `input` float32 [batch, C, H, W]; node and tensor names are our
 * Keras layer names; BatchNormalization kept (Keras epsilon per op); Keras 'same' padding as exact asymmetric
 * pads; grouped convs as one Conv with `group`; option-A and max-pool shortcuts as real ops; preprocessing and
 * class names in `metadata_props`. Without weights the parameters become graph inputs ("structure only").
 */
import type { GraphNode } from '../../core';
import { exportPreprocessing } from '../preprocessing';
import { ExportError, type ExportInput, type ExportProgress, type ExportResult } from '../types';
import { metadataProps, preprocessingFormula } from './metadata';
import { layerNodes } from './nodes';
import {
  floatTensor,
  floatValueInfo,
  IR_VERSION,
  type ModelProto,
  type NodeProto,
  onnx,
  OPSET,
  type TensorProto,
  type ValueInfoProto,
} from './proto';
import { expectedShapes, indexWeights, nodeParams } from './weights';

export { OPSET } from './proto';

const INPUT = 'input';
/** Protobuf messages are limited to 2 GiB (int32 sizes); ONNX's external-data files are not written here. */
const PROTOBUF_LIMIT = 2 ** 31 - 1;

const fail = (field: string, received: unknown, reason: string) => new ExportError('onnx', field, received, reason);

function checkInput(input: ExportInput): void {
  const { spec, graph } = input;
  const first = graph.nodes[0];
  if (first?.op.kind !== 'input') throw fail('graph.nodes[0]', first?.id, 'the graph must start with its input node');
  if (graph.name !== spec.name) throw fail('graph.name', graph.name, `must be expand(spec) of ${JSON.stringify(spec.name)}`);
  if (first.outShape.some((d, i) => d !== spec.input[i])) throw fail('spec.input', spec.input, `the graph input is [${first.outShape.join(', ')}]`);
  const p = input.preprocessing;
  if (p && (p.inputSize[0] !== spec.input[0] || p.inputSize[1] !== spec.input[1])) {
    throw fail('preprocessing.inputSize', p.inputSize, `must equal the spec's input size [${spec.input[0]}, ${spec.input[1]}]`);
  }
  const names = input.classNames;
  if (names !== undefined) {
    const out = graph.nodes.find((n) => n.id === graph.outputId);
    if (out?.op.kind !== 'dense') throw fail('classNames', names.length, 'class names need a classifier head (includeTop)');
    if (names.length !== out.op.units) throw fail('classNames', names.length, `the classifier has ${out.op.units} classes`);
  }
}

/** Refuse before converting anything when the weights cannot fit one protobuf message. */
function checkSize(nodes: readonly GraphNode[]): void {
  let bytes = 0;
  for (const node of nodes) for (const shape of expectedShapes(node)) bytes += shape.reduce((a, b) => a * b, 4);
  if (bytes > PROTOBUF_LIMIT) {
    throw fail('weights', `${(bytes / 2 ** 30).toFixed(2)} GiB`, 'an ONNX file is one protobuf message, limited to 2 GiB (export structure only, or a smaller spec)');
  }
}

function outputDims(node: GraphNode): (number | string)[] {
  const s = node.outShape;
  return s.length === 3 ? ['batch', s[2], s[0], s[1]] : ['batch', ...s];
}

/** Export one model as ONNX. Throws ExportError (naming the field) for what ONNX or the weights cannot express. */
export function exportOnnx(input: ExportInput, progress?: ExportProgress): ExportResult {
  const started = Date.now();
  checkInput(input);
  const { spec, graph } = input;
  if (input.weights) checkSize(graph.nodes);
  const weights = input.weights ? indexWeights(input.weights, graph.nodes) : undefined;
  const preprocessing = input.preprocessing ?? exportPreprocessing(spec.preprocessing, spec.input);

  const nodes: NodeProto[] = [];
  const initializers: TensorProto[] = [];
  const paramInputs: ValueInfoProto[] = [];
  const tensorOf = (id: string) => (id === graph.inputId ? INPUT : id);
  const epsilons = new Set<number>();
  const paramCount = { tensors: 0, values: 0 };
  const poolInputs = new Set(graph.nodes.filter((n) => n.op.kind === 'maxpool').flatMap((n) => n.inputs));
  let samePadded = 0;
  let grouped = 0;

  graph.nodes.forEach((node, i) => {
    const params = nodeParams(node, weights);
    for (const p of params) {
      paramCount.tensors++;
      paramCount.values += p.dims.reduce((a, b) => a * b, 1);
      if (p.data) initializers.push(floatTensor(p.name, p.dims, p.data, p.doc));
      else paramInputs.push(floatValueInfo(p.name, p.dims, p.doc));
    }
    const made = layerNodes(node, tensorOf, params.map((p) => p.name), poolInputs.has(node.id));
    nodes.push(...made.nodes);
    initializers.push(...made.constants);
    if (node.op.kind === 'bn') epsilons.add(node.op.epsilon);
    if (node.op.kind === 'conv' && node.op.padding === 'same') samePadded++;
    if (node.op.kind === 'conv' && node.op.groups > 1) grouped++;
    if (i % 64 === 0) progress?.((0.5 * i) / graph.nodes.length, `Converting ${node.id}`);
  });

  const structureOnly = weights === undefined;
  const inputNode = graph.nodes[0];
  const outputNode = graph.nodes.find((n) => n.id === graph.outputId)!;
  const [h, w, c] = inputNode.outShape;
  const inputInfo = floatValueInfo(INPUT, ['batch', c, h, w], `float32 NCHW, preprocessed: ${preprocessingFormula(preprocessing)}`);
  const outputName = tensorOf(outputNode.id);
  const weightsLabel = structureOnly ? 'none (structure only)' : (input.weightsLabel ?? 'unspecified');
  const model: ModelProto = {
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'resnet-explorer',
    docString: `${spec.name} exported by ResNet Explorer; weights: ${weightsLabel}.`,
    graph: {
      name: spec.name,
      node: nodes,
      initializer: initializers,
      input: [inputInfo, ...paramInputs],
      output: [floatValueInfo(outputName, outputDims(outputNode))],
    },
    metadataProps: metadataProps({ spec, preprocessing, weightsLabel, structureOnly, classNames: input.classNames, outputName }),
  };
  progress?.(0.5, 'Encoding protobuf');
  const bytes = onnx.ModelProto.encode(model).finish();
  progress?.(1, 'Done');

  const inDims = `[batch, ${c}, ${h}, ${w}]`;
  const outDims = `[${outputDims(outputNode).join(', ')}]`;
  const notes = [
    structureOnly
      ? `structure only: no weights; the ${paramInputs.length} parameter tensors are graph inputs (named layer/weight) with their shapes`
      : `weights: ${weightsLabel} (${paramCount.tensors} parameter tensors, ${paramCount.values.toLocaleString('en-US')} parameters)`,
    `opset ${OPSET} (IR version ${IR_VERSION}); input '${INPUT}' float32 NCHW ${inDims} → output '${outputName}' ${outDims}; batch axis dynamic`,
    `NCHW only: transpose NHWC images to NCHW before feeding (no Transpose inside the graph)`,
    `BatchNormalization kept (not folded), epsilon ${[...epsilons].join(', ') || '—'}`,
    ...(samePadded ? [`Keras 'same' padding written as explicit (asymmetric where TF pads so) pads on ${samePadded} convs`] : []),
    ...(grouped ? [`${grouped} grouped convs as Conv with group = ${spec.groups}`] : []),
    `preprocessing outside the graph (metadata_props): ${preprocessing.mode}, ${preprocessingFormula(preprocessing)}`,
    ...(input.classNames ? [`${input.classNames.length} class names in metadata_props 'class_names'`] : []),
    `${(bytes.length / 2 ** 20).toFixed(1)} MiB, ${nodes.length} nodes, exported in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  ];
  return {
    format: 'onnx',
    files: [{ path: 'model.onnx', bytes }],
    runsWith: 'onnxruntime (Python, C++, C#, Java, web) or any ONNX runtime with opset 13',
    notes,
  };
}
