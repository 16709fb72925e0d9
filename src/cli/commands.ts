/** list / summary / compare: pure functions from specs to text or JSON. */
import {
  type Analysis,
  activationBytes,
  type ArchSpec,
  analyze,
  describeSpec,
  expand,
  formatShape,
  kerasClassName,
  kerasLayerOrder,
  nodeIndex,
  PRESETS,
  specNotes,
} from '../core';
import { giga, int, mib, table } from './table';

export interface SummaryJson {
  name: string;
  layers: number;
  weightedLayers: number;
  params: { total: number; trainable: number; nonTrainable: number };
  macs: number;
  flops: number;
  activationBytes: number;
  layerNames: string[];
}

export function summaryJson(spec: ArchSpec): SummaryJson {
  const graph = expand(spec);
  const a = analyze(graph);
  return {
    name: spec.name,
    layers: a.layers,
    weightedLayers: a.weightedLayers,
    params: { ...a.params },
    macs: a.macs,
    flops: a.flops,
    activationBytes: activationBytes(a),
    layerNames: kerasLayerOrder(graph),
  };
}

function totalsLines(a: Analysis): string[] {
  return [
    `Total params: ${int(a.params.total)}`,
    `Trainable params: ${int(a.params.trainable)}`,
    `Non-trainable params: ${int(a.params.nonTrainable)} (BatchNorm moving mean and variance)`,
    `MACs: ${int(a.macs)} (${giga(a.macs)} G multiply-accumulates; papers and torchvision call these "FLOPs")`,
    `FLOPs: ${int(a.flops)} (${giga(a.flops)} G = 2 × MACs)`,
    `Activation memory (batch 1, float32): ${mib(activationBytes(a))} MiB (every layer's output, input excluded)`,
    `Layers: ${a.layers} (Keras len(model.layers), input included); weighted layers: ${a.weightedLayers} (conv, BN, dense)`,
  ];
}

export function summaryText(spec: ArchSpec): string {
  const graph = expand(spec);
  const a = analyze(graph);
  const byId = nodeIndex(graph);
  const rows = kerasLayerOrder(graph).map((id) => {
    const n = byId.get(id)!;
    const c = a.perNode.get(id)!;
    return [
      `${id} (${kerasClassName(n.op)})`,
      `(None, ${n.outShape.join(', ')})`,
      int(c.params.total),
      int(c.macs),
      n.inputs.join(', '),
    ];
  });
  return [
    `Model: "${spec.name}" — ${describeSpec(spec)}`,
    `Input: ${formatShape(spec.input)}`,
    '',
    table(['Layer (type)', 'Output Shape', 'Param #', 'MACs', 'Connected to'], rows, ['left', 'left', 'right', 'right', 'left']),
    '',
    ...totalsLines(a),
    ...specNotes(spec, a).map((n) => `Note: ${n}`),
  ].join('\n');
}

const COMPARE_HEADERS = ['Model', 'Depth', 'Layers', 'Params', 'Trainable', 'GMACs', 'GFLOPs', 'Act. MiB'];

function compareRow(spec: ArchSpec): string[] {
  const a = analyze(expand(spec));
  return [
    spec.name,
    String(a.depth),
    String(a.layers),
    int(a.params.total),
    int(a.params.trainable),
    giga(a.macs),
    giga(a.flops),
    mib(activationBytes(a)),
  ];
}

export function compareText(specs: readonly ArchSpec[]): string {
  return [
    table(COMPARE_HEADERS, specs.map(compareRow)),
    '',
    'Depth: conv and dense layers on the main path. MACs: multiply-accumulates of conv and dense layers; FLOPs = 2 × MACs.',
    'Activation memory: batch 1, float32, every layer output.',
  ].join('\n');
}

export function compareJson(specs: readonly ArchSpec[]): SummaryJson[] {
  return specs.map((s) => {
    const { layerNames: _drop, ...rest } = summaryJson(s);
    return rest as SummaryJson;
  });
}

export function listText(): string {
  const rows = PRESETS.map((p) => {
    const a = analyze(expand(p.spec));
    return [p.spec.name, p.group, int(a.params.trainable), giga(a.macs), String(a.depth)];
  });
  return table(['Model', 'Group', 'Trainable params', 'GMACs', 'Depth'], rows, ['left', 'left', 'right', 'right', 'right']);
}
