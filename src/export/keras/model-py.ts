/**
 * graph → model.py: a Keras functional model, one line per layer in the graph's creation order, each layer
 * named as in the app (and in `export --format h5`), so `model.load_weights('weights.h5', by_name=True)` works.
 *
 * Straight-line code rather than loops: what the file declares is exactly the graph, and the unit test reads the
 * layer calls back from the file and checks names, shapes and parameter counts against `expand(spec)`.
 */
import { analyze, type ArchGraph, type ArchSpec, type GraphNode } from '../../core';
import type { ExportPreprocessing } from '../types';
import { GROUP_CONV_PY, ZERO_PAD_SHORTCUT_PY } from './custom-layers';
import { layerCall } from './layer-call';
import { pyIdent, pyList, pyNum, pyStr, pyTuple } from './python';

export interface ModelPyOptions {
  readonly spec: ArchSpec;
  readonly graph: ArchGraph;
  readonly preprocessing?: ExportPreprocessing;
  readonly classNames?: readonly string[];
  readonly weightsFile?: string;
  readonly weightsLabel?: string;
}

/** The feature map the classifier head starts from (what train.py keeps as its frozen base). */
export function featuresNode(graph: ArchGraph): GraphNode {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  let node = byId.get(graph.outputId)!;
  while (node.outShape.length !== 3) node = byId.get(node.inputs[0])!;
  return node;
}

/** Variable holding each node's output: `x` when only the next line reads it, else a name of its own. */
function variables(graph: ArchGraph): Map<string, string> {
  const consumers = new Map<string, number[]>();
  graph.nodes.forEach((n, i) => {
    for (const src of n.inputs) consumers.set(src, [...(consumers.get(src) ?? []), i]);
  });
  const vars = new Map<string, string>();
  graph.nodes.forEach((n, i) => {
    const c = consumers.get(n.id) ?? [];
    if (n.op.kind === 'input') vars.set(n.id, 'inputs');
    else vars.set(n.id, c.every((j) => j === i + 1) ? 'x' : pyIdent(n.id));
  });
  return vars;
}

function blockComment(graph: ArchGraph, node: GraphNode, prev: GraphNode | undefined): string | undefined {
  if (node.block && node.block !== prev?.block) {
    const b = graph.blocks.find((x) => x.id === node.block)!;
    const shortcut = b.shortcut === 'none' ? 'no shortcut (plain)' : `${b.shortcut} shortcut`;
    return `    # ${b.id}: ${b.inShape.join('x')} -> ${b.outShape.join('x')}, stride ${b.stride}, ${shortcut}`;
  }
  if (!node.block && node.section !== prev?.section) return `    # ${node.section}`;
  if (!node.block && prev?.block) return `    # ${node.section}`;
  return undefined;
}

function buildFunction(graph: ArchGraph): string[] {
  const vars = variables(graph);
  const lines: string[] = [];
  graph.nodes.forEach((node, i) => {
    const comment = blockComment(graph, node, graph.nodes[i - 1]);
    if (comment) lines.push(comment);
    const call = layerCall(node);
    const target = vars.get(node.id)!;
    if (node.op.kind === 'input') {
      lines.push(`    ${target} = ${call}`);
      return;
    }
    const args = node.inputs.map((id) => vars.get(id)!);
    const applied = node.op.kind === 'add' ? `[${args.join(', ')}]` : args[0];
    lines.push(`    ${target} = ${call}(${applied})`);
  });
  lines.push(`    return keras.Model(inputs, ${vars.get(graph.outputId)}, name=MODEL_NAME)`);
  return lines;
}

function fmtInt(n: number): string {
  return n.toLocaleString('en-US');
}

export function modelPy(o: ModelPyOptions): string {
  const { spec, graph } = o;
  const a = analyze(graph);
  const kinds = new Set(graph.nodes.map((n) => (n.op.kind === 'conv' && n.op.groups > 1 ? 'group' : n.op.kind)));
  const features = featuresNode(graph);
  const lastStage = graph.stages.at(-1)?.id ?? 'conv1';
  const p = o.preprocessing;
  const weights = o.weightsFile ?? 'weights.h5';
  const pre = p
    ? `{'mode': ${pyStr(p.mode)}, 'channel_order': ${pyStr(p.channelOrder)}, 'scale': ${pyNum(p.scale)}, 'mean': ${pyTuple(p.mean)}, 'std': ${pyTuple(p.std)}}`
    : 'None';
  const out: string[] = [
    '"""',
    `${spec.name} in Keras, with ResNet Explorer's layer names (generated from its ArchSpec; do not edit by hand).`,
    '',
    'Every layer carries the name the app and `resnet-explorer export --format h5` give it, so',
    '',
    '    model = build_model()',
    `    model.load_weights(${pyStr(weights)}, by_name=True)`,
    '',
    'loads such a Keras 2 `save_weights` file (tf.keras 2.x, and Keras 3 for legacy .h5 files). Layers and',
    'shapes follow the app graph line for line; Keras model.summary() should report',
    `Total params: ${fmtInt(a.params.total)} (trainable ${fmtInt(a.params.trainable)}, non-trainable ${fmtInt(a.params.nonTrainable)}).`,
    ...(o.weightsLabel ? [`Weights exported with this file: ${o.weightsLabel}.`] : []),
    '',
    'Input: float images, 0-255 RGB, through preprocess() below (it is not part of the model).',
    '"""',
    'import tensorflow as tf',
    '',
    '# tf.keras is Keras 2 up to TensorFlow 2.15 and Keras 3 from 2.16; both load legacy .h5 weights by name.',
    'keras = tf.keras',
    'layers = keras.layers',
    '',
    `MODEL_NAME = ${pyStr(graph.name.toLowerCase().replace(/[^a-z0-9_]+/g, '_'))}`,
    `INPUT_SHAPE = ${pyTuple(spec.input)}`,
    `# Output of the last residual stage (after V2's post_bn/post_relu): the frozen base of train.py.`,
    `FEATURES_LAYER = ${pyStr(features.id)}`,
    `LAST_STAGE = ${pyStr(lastStage)}`,
    `CLASSES = ${spec.head.includeTop ? spec.head.classes : 'None'}`,
    `CLASS_NAMES = ${o.classNames ? pyList(o.classNames) : 'None'}`,
    `# Keras preprocess_input mode of the weights: out = (pixel * scale - mean) / std, channels in channel_order.`,
    `PREPROCESSING = ${pre}`,
    `WEIGHTS_FILE = ${pyStr(weights)}`,
    '',
  ];
  if (kinds.has('group')) out.push('', GROUP_CONV_PY);
  if (kinds.has('zeroPadShortcut')) out.push('', ZERO_PAD_SHORTCUT_PY);
  out.push(
    '',
    'CUSTOM_OBJECTS = {' +
      [kinds.has('group') ? "'GroupConv2D': GroupConv2D" : '', kinds.has('zeroPadShortcut') ? "'ZeroPadShortcut': ZeroPadShortcut" : '']
        .filter(Boolean)
        .join(', ') +
      '}',
    '',
    '',
    'def preprocess(images):',
    '    """0-255 RGB float images [..., 3] -> what the weights expect (Keras preprocess_input)."""',
    '    if PREPROCESSING is None:',
    '        return images',
    "    if PREPROCESSING['channel_order'] == 'BGR':",
    '        images = images[..., ::-1]',
    "    return (images * PREPROCESSING['scale'] - tf.constant(PREPROCESSING['mean'], images.dtype)) / tf.constant(PREPROCESSING['std'], images.dtype)",
    '',
    '',
    'def build_model():',
    `    """${spec.name}: ${graph.nodes.length} layers (input included), ${fmtInt(a.params.total)} params."""`,
    ...buildFunction(graph),
    '',
    '',
    "if __name__ == '__main__':",
    '    import os',
    '    model = build_model()',
    '    model.summary()',
    '    if os.path.exists(WEIGHTS_FILE):',
    '        model.load_weights(WEIGHTS_FILE, by_name=True)',
    "        print(f'loaded {WEIGHTS_FILE}')",
    '',
  );
  return out.join('\n');
}
