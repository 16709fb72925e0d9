/**
 * Every preset is a spec literal. Stage tables: He et al. 2015 Table 1 ([2,2,2,2] … [3,8,36,3]),
 * Keras applications (stack1 / stack2 / stack3), torchvision `models/resnet.py`, CIFAR 6n+2 (He et al. 2015 §4.2)
 * and pre-activation 9n+2 bottlenecks (He et al. 2016 §5).
 */
import { UnknownModelError } from './errors';
import { type ArchSpec, plainTwin, type StageSpec } from './spec';

const IMAGENET_INPUT = [224, 224, 3] as const;
const CIFAR_INPUT = [32, 32, 3] as const;
const KERAS_EPS = 1.001e-5;
/** PyTorch BatchNorm2d default. */
const TORCH_EPS = 1e-5;

const imagenetHead = {
  includeTop: true,
  pooling: 'avg',
  classes: 1000,
  classifierActivation: 'softmax',
  classifierName: 'predictions',
} as const;

const torchHead = { ...imagenetHead, classifierActivation: 'linear' } as const;
const cifarHead = { ...imagenetHead, classes: 10, classifierActivation: 'linear' } as const;

function stages(blocks: readonly number[], widths: readonly number[], firstStride = 1): StageSpec[] {
  return blocks.map((b, i) => ({ blocks: b, width: widths[i], stride: i === 0 ? firstStride : 2 }));
}

const IMAGENET_WIDTHS = [64, 128, 256, 512];

function kerasV1(name: string, blocks: readonly number[]): ArchSpec {
  return {
    name,
    family: 'keras',
    block: 'bottleneck',
    activation: 'post',
    strideAt: 'first1x1',
    downsampleAt: 'first',
    shortcut: 'B',
    residual: true,
    groups: 1,
    expansion: 4,
    convBias: 'all',
    pad3x3: 'same',
    bnEpsilon: KERAS_EPS,
    stem: { kind: 'imagenet', width: 64 },
    stages: stages(blocks, IMAGENET_WIDTHS),
    input: IMAGENET_INPUT,
    head: imagenetHead,
    preprocessing: 'caffe',
  };
}

function kerasV2(name: string, blocks: readonly number[]): ArchSpec {
  // stack2: stride on the 3×3 of each stage's LAST block, conv5 has stride 1 (the stem's pool already halves).
  const st = blocks.map((b, i) => ({ blocks: b, width: IMAGENET_WIDTHS[i], stride: i === blocks.length - 1 ? 1 : 2 }));
  return {
    ...kerasV1(name, blocks),
    activation: 'pre',
    strideAt: '3x3',
    downsampleAt: 'last',
    convBias: 'v2',
    pad3x3: 'explicit',
    stages: st,
    preprocessing: 'tf',
  };
}

function kerasNeXt(name: string, blocks: readonly number[]): ArchSpec {
  // stack3: filters 128/256/512/1024, output (64 // groups) * filters = 2 × filters, cardinality 32.
  return {
    ...kerasV1(name, blocks),
    strideAt: '3x3',
    groups: 32,
    expansion: 2,
    convBias: 'none',
    pad3x3: 'explicit',
    stages: stages(blocks, [128, 256, 512, 1024]),
    preprocessing: 'torch',
  };
}

function torchvision(name: string, block: 'basic' | 'bottleneck', blocks: readonly number[], opts?: { groups?: number; widthPerGroup?: number }): ArchSpec {
  const groups = opts?.groups ?? 1;
  const widthPerGroup = opts?.widthPerGroup ?? 64;
  // torchvision: width = planes × (base_width / 64) × groups; output = planes × 4.
  const widths = IMAGENET_WIDTHS.map((p) => (p * widthPerGroup * groups) / 64);
  const expansion = block === 'basic' ? 1 : (IMAGENET_WIDTHS[0] * 4) / widths[0];
  return {
    name,
    family: 'torchvision',
    block,
    activation: 'post',
    strideAt: '3x3',
    downsampleAt: 'first',
    shortcut: 'B',
    residual: true,
    groups,
    expansion,
    convBias: 'none',
    pad3x3: 'explicit',
    bnEpsilon: TORCH_EPS,
    stem: { kind: 'imagenet', width: 64 },
    stages: stages(blocks, widths),
    input: IMAGENET_INPUT,
    head: torchHead,
    preprocessing: 'torch',
  };
}

/** CIFAR ResNet-(6n+2), 16/32/64 filters, option A (He et al. 2015 §4.2, Table 6). */
function cifar(depth: number): ArchSpec {
  const n = (depth - 2) / 6;
  return {
    name: `ResNet-${depth}`,
    family: 'cifar',
    block: 'basic',
    activation: 'post',
    strideAt: '3x3',
    downsampleAt: 'first',
    shortcut: 'A',
    residual: true,
    groups: 1,
    expansion: 1,
    convBias: 'none',
    pad3x3: 'explicit',
    bnEpsilon: TORCH_EPS,
    stem: { kind: 'cifar', width: 16 },
    stages: stages([n, n, n], [16, 32, 64]),
    input: CIFAR_INPUT,
    head: cifarHead,
    preprocessing: 'torch',
  };
}

/** Pre-activation bottleneck CIFAR ResNet-(9n+2) (He et al. 2016, Table 3: ResNet-164, ResNet-1001). */
function cifarPreact(depth: number): ArchSpec {
  const n = (depth - 2) / 9;
  return {
    ...cifar(depth),
    name: `PreAct-ResNet-${depth}`,
    block: 'bottleneck',
    activation: 'pre',
    // The authors' Torch code (resnet-1k-layers) strides the first 1×1 of the bottleneck.
    strideAt: 'first1x1',
    shortcut: 'B',
    expansion: 4,
    stages: stages([n, n, n], [16, 32, 64]),
  };
}

const RESIDUAL: readonly ArchSpec[] = [
  kerasV1('ResNet50', [3, 4, 6, 3]),
  kerasV1('ResNet101', [3, 4, 23, 3]),
  kerasV1('ResNet152', [3, 8, 36, 3]),
  kerasV2('ResNet50V2', [3, 4, 6, 3]),
  kerasV2('ResNet101V2', [3, 4, 23, 3]),
  kerasV2('ResNet152V2', [3, 8, 36, 3]),
  kerasNeXt('ResNeXt50', [3, 4, 6, 3]),
  kerasNeXt('ResNeXt101', [3, 4, 23, 3]),
  torchvision('resnet18', 'basic', [2, 2, 2, 2]),
  torchvision('resnet34', 'basic', [3, 4, 6, 3]),
  torchvision('resnet50', 'bottleneck', [3, 4, 6, 3]),
  torchvision('resnet101', 'bottleneck', [3, 4, 23, 3]),
  torchvision('resnet152', 'bottleneck', [3, 8, 36, 3]),
  torchvision('resnext50_32x4d', 'bottleneck', [3, 4, 6, 3], { groups: 32, widthPerGroup: 4 }),
  torchvision('resnext101_32x8d', 'bottleneck', [3, 4, 23, 3], { groups: 32, widthPerGroup: 8 }),
  torchvision('wide_resnet50_2', 'bottleneck', [3, 4, 6, 3], { widthPerGroup: 128 }),
  ...[20, 32, 44, 56, 110, 1202].map(cifar),
  cifarPreact(164),
  cifarPreact(1001),
];

export type PresetGroup = 'Keras' | 'torchvision' | 'CIFAR' | 'Plain twins';

export interface Preset {
  readonly spec: ArchSpec;
  readonly group: PresetGroup;
}

/** Every preset: the residual networks, then their plain twins. */
export const PRESETS: readonly Preset[] = [
  ...RESIDUAL.map((spec) => ({
    spec,
    group: (spec.family === 'keras' ? 'Keras' : spec.family === 'torchvision' ? 'torchvision' : 'CIFAR') as PresetGroup,
  })),
  ...RESIDUAL.map((spec) => ({ spec: plainTwin(spec), group: 'Plain twins' as const })),
];

const BY_NAME = new Map(PRESETS.map((p) => [p.spec.name, p.spec]));

export const PRESET_NAMES: readonly string[] = PRESETS.map((p) => p.spec.name);

/** Find a preset by name, case-insensitively. Throws UnknownModelError naming the value and the choices. */
export function getPreset(name: string): ArchSpec {
  const spec = findPreset(name);
  if (!spec) throw new UnknownModelError(name, PRESET_NAMES);
  return spec;
}

/**
 * Exact name first (`ResNet50` is Keras', `resnet50` torchvision's); otherwise a case-insensitive match
 * when it is unambiguous (`resnet-56` → `ResNet-56`).
 */
export function findPreset(name: string): ArchSpec | undefined {
  const key = name.trim();
  const exact = BY_NAME.get(key);
  if (exact) return exact;
  const loose = PRESETS.filter((p) => p.spec.name.toLowerCase() === key.toLowerCase());
  return loose.length === 1 ? loose[0].spec : undefined;
}
