/**
 * Why our figures and published ones differ, computed from the graphs so each claim is arithmetic a test can
 * check: `left − right = Σ steps` for every explanation, with the steps derived node by node (not by subtracting
 * two totals, which would prove nothing).
 */
import { analyze } from './analysis';
import { expand } from './expand';
import type { ArchGraph } from './graph';
import { getPreset } from './presets';
import { type ArchSpec, plainTwin } from './spec';
import { agreement, type Citation, type Ours, published, type ReferenceFigure } from './references';
import { gmacs, type StrideDepth, stridePairs, strideNote } from './stride';

export type ExplanationId = 'stride' | 'convBias' | 'bnStats' | 'gconv' | 'shortcutAB' | 'bnAffine';

export interface Step {
  readonly label: string;
  /** How the value is made, in words and numbers. */
  readonly formula: string;
  readonly value: number;
}

export interface Explanation {
  readonly id: ExplanationId;
  readonly title: string;
  readonly text: string;
  readonly unit: 'params' | 'MACs';
  /** The claim: left.value − right.value = Σ steps[].value. */
  readonly left: { readonly label: string; readonly value: number };
  readonly right: { readonly label: string; readonly value: number };
  readonly steps: readonly Step[];
  /** Where the published figures the text quotes are printed. */
  readonly cites: readonly Citation[];
}

const area = (s: readonly number[]) => s[0] * s[1];
const fmt = (n: number) => n.toLocaleString('en-US');

/**
 * MACs a stride-2 bottleneck saves by striding its first 1×1 instead of its 3×3: that 1×1 runs at the output
 * resolution instead of the input one: (H·W − H'·W') · C_in · width. The 3×3 runs at H'·W' either way.
 */
export function strideShiftSteps(graph: ArchGraph): Step[] {
  const steps: Step[] = [];
  for (const b of graph.blocks) {
    if (b.stride === 1) continue;
    const conv = graph.nodes.find((n) => n.id === `${b.id}_1_conv`);
    if (conv?.op.kind !== 'conv' || conv.op.kernel !== 1) continue;
    const cin = conv.inShapes[0][2];
    const hwIn = area(b.inShape);
    const hwOut = area(b.outShape);
    const value = (hwIn - hwOut) * cin * conv.op.filters;
    steps.push({
      label: `${b.id}_1_conv`,
      formula: `(${b.inShape[0]}·${b.inShape[1]} − ${b.outShape[0]}·${b.outShape[1]}) · ${cin} in · ${conv.op.filters} out`,
      value,
    });
  }
  return steps;
}

/** torchvision resnet50 (stride on the 3×3) against Keras ResNet50 (stride on the first 1×1). */
export function explainStride(depth: StrideDepth = 50): Explanation {
  const pair = stridePairs().find((p) => p.depth === depth)!;
  const note = strideNote();
  return {
    id: 'stride',
    title: `Where the stride sits: ${gmacs(pair.first1x1)} vs ${gmacs(pair.on3x3)} GMACs`,
    text:
      `The paper’s released Caffe models and Keras (V1) put the stride-2 of each downsampling bottleneck on its first 1×1 conv; torchvision ` +
      `(“ResNet v1.5”) puts it on the 3×3, which lets that 1×1 run at 4× the pixels. ${note.text}`,
    unit: 'MACs',
    left: { label: `torchvision resnet${depth} (stride on 3×3)`, value: pair.on3x3 },
    right: { label: `Keras ResNet${depth} (stride on first 1×1)`, value: pair.first1x1 },
    steps: strideShiftSteps(expand(getPreset(`ResNet${depth}`))),
    cites: note.cites,
  };
}

/** Conv biases per section (Keras V1 uses use_bias=True on every conv; torchvision none). */
function biasSteps(graph: ArchGraph): Step[] {
  const bySection = new Map<string, { convs: number; filters: number }>();
  for (const n of graph.nodes) {
    if (n.op.kind !== 'conv' || !n.op.bias) continue;
    const s = bySection.get(n.section) ?? { convs: 0, filters: 0 };
    s.convs++;
    s.filters += n.op.filters;
    bySection.set(n.section, s);
  }
  return [...bySection].map(([section, s]) => ({
    label: section,
    formula: `${s.convs} convs, one bias per output channel: Σ filters = ${fmt(s.filters)}`,
    value: s.filters,
  }));
}

/** Keras ResNet50 trainable params against torchvision resnet50's num_params. */
export function explainConvBias(): Explanation {
  const keras = getPreset('ResNet50');
  const left = analyze(expand(keras)).params.trainable;
  const right = analyze(expand(getPreset('resnet50'))).params.trainable;
  return {
    id: 'convBias',
    title: `Conv bias: Keras ResNet50 has ${fmt(left - right)} more trainable params than torchvision resnet50`,
    text:
      'Keras ResNet50 (V1) builds every Conv2D with a bias although a BatchNorm follows and cancels it; torchvision ' +
      '(bias=False) does not. Strides differ too but cost no parameters. Both counts are the ones the libraries print.',
    unit: 'params',
    left: { label: 'Keras ResNet50 trainable', value: left },
    right: { label: 'torchvision resnet50 num_params', value: right },
    steps: biasSteps(expand(keras)),
    cites: [published('kerasCode', 'ResNet50', 'paramsTrainable'), published('torchvision', 'resnet50', 'paramsTrainable')].map(
      ({ source, where }) => ({ source, where }),
    ),
  };
}

/** BN moving mean and variance per section: 2 numbers per channel, not trained. */
function bnStatSteps(graph: ArchGraph, perChannel: 2 | 'affine'): Step[] {
  const bySection = new Map<string, { layers: number; channels: number }>();
  for (const n of graph.nodes) {
    if (n.op.kind !== 'bn') continue;
    const s = bySection.get(n.section) ?? { layers: 0, channels: 0 };
    s.layers++;
    s.channels += n.outShape[n.outShape.length - 1];
    bySection.set(n.section, s);
  }
  const what = perChannel === 2 ? 'moving mean + moving variance' : 'γ + β';
  return [...bySection].map(([section, s]) => ({
    label: section,
    formula: `${s.layers} BN layers, Σ channels ${fmt(s.channels)} × 2 (${what})`,
    value: 2 * s.channels,
  }));
}

export function explainBnStats(preset = 'resnet50'): Explanation {
  const spec = getPreset(preset);
  const a = analyze(expand(spec));
  return {
    id: 'bnStats',
    title: 'BatchNorm statistics: total vs trainable params',
    text:
      'Each BatchNorm keeps a moving mean and a moving variance per channel. Keras counts them in “Total params” as ' +
      '“Non-trainable params”; torchvision’s num_params and the papers count parameters only (they are buffers in ' +
      'PyTorch). Our “total” includes them, “trainable” does not.',
    unit: 'params',
    left: { label: `${preset} total (with BN statistics)`, value: a.params.total },
    right: { label: `${preset} trainable`, value: a.params.trainable },
    steps: bnStatSteps(expand(spec), 2),
    cites: [],
  };
}

/** keras-applications ResNeXt: the frozen constant 1×1 `_2_gconv` after a depthwise conv. */
export function explainGconv(preset = 'ResNeXt50'): Explanation {
  const spec = getPreset(preset);
  const graph = expand(spec);
  const a = analyze(graph);
  const bySection = new Map<string, { convs: number; value: number; f: number; c: number }>();
  for (const n of graph.nodes) {
    if (n.op.kind !== 'conv' || n.op.groups === 1) continue;
    const f = n.op.filters;
    const c = f / n.op.groups;
    const s = bySection.get(n.section) ?? { convs: 0, value: 0, f, c };
    s.convs++;
    s.value += f * c * f;
    bySection.set(n.section, s);
  }
  return {
    id: 'gconv',
    title: `Keras ${preset}: ${fmt(a.params.total)} + ${fmt(a.kerasGconvConstantParams)} constant kernel weights (computed)`,
    text:
      'keras-applications builds the grouped 3×3 as a DepthwiseConv2D (depth_multiplier = filters/32, the same ' +
      'weights as a grouped conv) followed by a frozen 1×1 Conv2D `_2_gconv` whose 0/1 kernel sums each group. That ' +
      'constant kernel would be counted as (non-trainable) params although nothing learns it. A real grouped ' +
      'convolution, as here and in torchvision, has no such layer. The total is computed here from the layers ' +
      'keras-applications builds; no Keras documentation prints it.',
    unit: 'params',
    left: { label: `Keras ${preset} model.count_params()`, value: a.params.total + a.kerasGconvConstantParams },
    right: { label: `${preset} total (grouped conv)`, value: a.params.total },
    steps: [...bySection].map(([section, s]) => ({
      label: section,
      formula: `${s.convs} blocks × ${fmt(s.f)} filters · ${s.c} (=${fmt(s.f)}/32) · ${fmt(s.f)} filters`,
      value: s.value,
    })),
    cites: [],
  };
}

/** Cost of the shortcuts of a spec, node by node: every weighted node on a shortcut path. */
export function shortcutSteps(graph: ArchGraph): Step[] {
  const a = analyze(graph);
  const steps: Step[] = [];
  for (const b of graph.blocks) {
    let value = 0;
    const parts: string[] = [];
    for (const n of graph.nodes) {
      if (n.block !== b.id || n.path !== 'shortcut') continue;
      const c = a.perNode.get(n.id)!;
      if (c.params.total === 0) continue;
      value += c.params.total;
      if (n.op.kind === 'conv') parts.push(`1×1 conv ${n.inShapes[0][2]}·${n.op.filters}${n.op.bias ? ` + ${n.op.filters} bias` : ''}`);
      else if (n.op.kind === 'bn') parts.push(`BN 4·${n.outShape[2]}`);
    }
    if (value) steps.push({ label: b.id, formula: parts.join(' + '), value });
  }
  return steps;
}

/** CIFAR ResNet-20 with option B against option A (which is its plain twin's params exactly). */
export function explainShortcutAB(preset = 'ResNet-20'): Explanation {
  const a = getPreset(preset);
  const b: ArchSpec = { ...a, shortcut: 'B' };
  return {
    id: 'shortcutAB',
    title: 'Option A vs B: what the shortcuts cost',
    text:
      'Option A (the paper’s CIFAR nets) makes every shortcut an identity; where the shape changes it subsamples and ' +
      'pads the new channels with zeros, so it adds no parameter over the plain twin. Option B projects with a 1×1 ' +
      'conv + BN where the shape changes (the ImageNet models); option C projects in every block.',
    unit: 'params',
    left: { label: `${preset} option B total`, value: analyze(expand(b)).params.total },
    right: { label: `${preset} option A total (= plain twin ${analyze(expand(plainTwin(a))).params.total.toLocaleString('en-US')})`, value: analyze(expand(a)).params.total },
    steps: shortcutSteps(expand(b)),
    cites: [],
  };
}

/** He et al. 2016's parameter count for ResNet-1001 (Table 4): our trainable count without BN γ/β. */
export function explainBnAffine(preset = 'PreAct-ResNet-1001'): Explanation {
  const spec = getPreset(preset);
  const a = analyze(expand(spec));
  const steps = bnStatSteps(expand(spec), 'affine');
  const affine = steps.reduce((s, x) => s + x.value, 0);
  const ref = published('he2016', preset, 'paramsTrainable');
  return {
    id: 'bnAffine',
    title: `${preset}: ${ref.shown} in the paper, ${(a.params.trainable / 1e6).toFixed(2)}M here`,
    text:
      `The Identity Mappings paper prints ${ref.shown} for ${ref.model}. Our trainable count includes BatchNorm’s scale γ ` +
      `and shift β; without them it is ${fmt(a.params.trainable - affine)}, so the paper’s figure appears to count ` +
      `convolution and classifier weights only. This is our reading of the arithmetic; the paper does not say.`,
    unit: 'params',
    left: { label: `${preset} trainable`, value: a.params.trainable },
    right: { label: 'conv + dense weights', value: a.params.trainable - affine },
    steps,
    cites: [{ source: ref.source, where: ref.where }],
  };
}

let cache: Explanation[] | undefined;

/** All explanations at the presets' own input sizes (computed once). */
export function explanations(): readonly Explanation[] {
  cache ??= [explainStride(), explainConvBias(), explainBnStats(), explainGconv(), explainShortcutAB(), explainBnAffine()];
  return cache;
}

/**
 * The explanation for a published figure that disagrees with ours, if we have one. The spec is the one the
 * figure was compared with (the preset at its own input size).
 */
export function explanationFor(ref: ReferenceFigure, spec: ArchSpec, ours: Ours): ExplanationId | undefined {
  const ag = agreement(ref, ours);
  if (ag.kind !== 'differs') return undefined;
  if (ref.metric === 'macs' && ref.source === 'he2015' && spec.block === 'bottleneck' && spec.strideAt === '3x3') return 'stride';
  if (ref.metric === 'paramsTrainable' && ref.source === 'he2016') return 'bnAffine';
  return undefined;
}

/** Σ steps: the right-hand side of an explanation's claim. */
export function stepsTotal(e: Explanation): number {
  return e.steps.reduce((s, x) => s + x.value, 0);
}
