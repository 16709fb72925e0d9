/**
 * Published figures, each with its source and the place in that source, so the compare view can put them
 * beside ours and say where they agree and where (and why) they do not.
 *
 * Units are base units: parameters as counts, multiply-adds as counts (not ×10⁹), accuracies and errors in
 * percent. `shown` is the figure as the source prints it; `precision` is one unit of its last printed digit
 * (0 for exact integers), which is how far a rounded figure may lie from ours and still agree.
 */

export type SourceId = 'he2015' | 'he2016' | 'xie2017' | 'kerasApps' | 'kerasCode' | 'torchvision';

export interface Source {
  readonly id: SourceId;
  /** Short citation for tables. */
  readonly short: string;
  readonly title: string;
  readonly url: string;
}

export const SOURCES: Readonly<Record<SourceId, Source>> = {
  he2015: {
    id: 'he2015',
    short: 'He et al. 2015',
    title: 'He, Zhang, Ren, Sun. Deep Residual Learning for Image Recognition (CVPR 2016, arXiv:1512.03385)',
    url: 'https://arxiv.org/abs/1512.03385',
  },
  he2016: {
    id: 'he2016',
    short: 'He et al. 2016',
    title: 'He, Zhang, Ren, Sun. Identity Mappings in Deep Residual Networks (ECCV 2016, arXiv:1603.05027)',
    url: 'https://arxiv.org/abs/1603.05027',
  },
  xie2017: {
    id: 'xie2017',
    short: 'Xie et al. 2017',
    title: 'Xie, Girshick, Dollár, Tu, He. Aggregated Residual Transformations for Deep Neural Networks (CVPR 2017, arXiv:1611.05431)',
    url: 'https://arxiv.org/abs/1611.05431',
  },
  kerasApps: {
    id: 'kerasApps',
    short: 'keras.io',
    title: 'Keras Applications, table of available models (keras.io/api/applications)',
    url: 'https://keras.io/api/applications/',
  },
  kerasCode: {
    id: 'kerasCode',
    short: 'tf.keras summary',
    title: 'tf.keras applications resnet.py / resnet_v2.py, model.summary() (Total / Trainable params)',
    url: 'https://github.com/keras-team/keras/blob/master/keras/src/applications/resnet.py',
  },
  torchvision: {
    id: 'torchvision',
    short: 'torchvision',
    title: 'torchvision models/resnet.py, weights meta (num_params, _ops = GFLOPS, acc@1, acc@5; IMAGENET1K_V1)',
    url: 'https://github.com/pytorch/vision/blob/main/torchvision/models/resnet.py',
  },
};

export type Metric =
  | 'paramsTotal'
  | 'paramsTrainable'
  | 'macs'
  | 'top1Acc'
  | 'top5Acc'
  | 'top1Err'
  | 'top5Err'
  | 'cifar10Err';

export const METRIC_LABEL: Readonly<Record<Metric, string>> = {
  paramsTotal: 'params (total)',
  paramsTrainable: 'params (trainable)',
  macs: 'multiply-adds',
  top1Acc: 'top-1 accuracy %',
  top5Acc: 'top-5 accuracy %',
  top1Err: 'top-1 error %',
  top5Err: 'top-5 error %',
  cifar10Err: 'CIFAR-10 test error %',
};

/** Metrics our analysis can reproduce; the others (accuracies, errors) are shown for context only. */
export const COMPUTABLE: ReadonlySet<Metric> = new Set(['paramsTotal', 'paramsTrainable', 'macs']);

export interface ReferenceFigure {
  /** The model as the source names it. */
  readonly model: string;
  /** Our preset it describes (a preset name), or undefined for models we do not build (VGG). */
  readonly preset?: string;
  readonly metric: Metric;
  readonly value: number;
  /** As printed: `3.8`, `25.6M`, `25,557,032`. */
  readonly shown: string;
  /** One unit of the last printed digit, in base units; 0 when the figure is exact. */
  readonly precision: number;
  readonly source: SourceId;
  /** Table, figure or field in the source. */
  readonly where: string;
}

const G = 1e9;
const M = 1e6;

type Row = Omit<ReferenceFigure, 'source' | 'where'>;

/** One unit of the last printed digit of a decimal figure: 4.089 → 0.001, 4.23 → 0.01. */
export function lastDigit(x: number): number {
  const decimals = (String(x).split('.')[1] ?? '').length;
  return 10 ** -decimals;
}
const from = (source: SourceId, where: string, rows: readonly Row[]): ReferenceFigure[] =>
  rows.map((r) => ({ ...r, source, where }));

/** Paper Table 1 ("FLOPs" = multiply-adds, 224×224). Its 50/101/152 are the stride-on-1×1 design (Keras V1). */
const HE2015_TABLE1 = from('he2015', 'Table 1 (FLOPs, i.e. multiply-adds)', [
  { model: '18-layer', preset: 'resnet18', metric: 'macs', value: 1.8 * G, shown: '1.8×10⁹', precision: 0.1 * G },
  { model: '34-layer', preset: 'resnet34', metric: 'macs', value: 3.6 * G, shown: '3.6×10⁹', precision: 0.1 * G },
  { model: '50-layer', preset: 'ResNet50', metric: 'macs', value: 3.8 * G, shown: '3.8×10⁹', precision: 0.1 * G },
  { model: '101-layer', preset: 'ResNet101', metric: 'macs', value: 7.6 * G, shown: '7.6×10⁹', precision: 0.1 * G },
  { model: '152-layer', preset: 'ResNet152', metric: 'macs', value: 11.3 * G, shown: '11.3×10⁹', precision: 0.1 * G },
  // The same rows seen from torchvision's "v1.5" models, which move the stride to the 3×3 (see explain.ts).
  { model: '50-layer', preset: 'resnet50', metric: 'macs', value: 3.8 * G, shown: '3.8×10⁹', precision: 0.1 * G },
  { model: '101-layer', preset: 'resnet101', metric: 'macs', value: 7.6 * G, shown: '7.6×10⁹', precision: 0.1 * G },
  { model: '152-layer', preset: 'resnet152', metric: 'macs', value: 11.3 * G, shown: '11.3×10⁹', precision: 0.1 * G },
  // §3.3: "VGG-16/19 nets (15.3/19.6 billion FLOPs)"; we do not build VGG, the figure is context.
  { model: 'VGG-16', metric: 'macs', value: 15.3 * G, shown: '15.3×10⁹', precision: 0.1 * G },
  { model: 'VGG-19', metric: 'macs', value: 19.6 * G, shown: '19.6×10⁹', precision: 0.1 * G },
]);

/** Paper Table 3, ImageNet validation, 10-crop testing (error %). */
const HE2015_TABLE3 = from('he2015', 'Table 3 (ImageNet val, 10-crop)', [
  { model: 'plain-34', preset: 'plain-resnet34', metric: 'top1Err', value: 28.54, shown: '28.54', precision: 0.01 },
  { model: 'plain-34', preset: 'plain-resnet34', metric: 'top5Err', value: 10.02, shown: '10.02', precision: 0.01 },
  { model: 'ResNet-34 B', preset: 'resnet34', metric: 'top1Err', value: 24.52, shown: '24.52', precision: 0.01 },
  { model: 'ResNet-34 B', preset: 'resnet34', metric: 'top5Err', value: 7.46, shown: '7.46', precision: 0.01 },
  { model: 'ResNet-50', preset: 'ResNet50', metric: 'top1Err', value: 22.85, shown: '22.85', precision: 0.01 },
  { model: 'ResNet-50', preset: 'ResNet50', metric: 'top5Err', value: 6.71, shown: '6.71', precision: 0.01 },
  { model: 'ResNet-101', preset: 'ResNet101', metric: 'top1Err', value: 21.75, shown: '21.75', precision: 0.01 },
  { model: 'ResNet-101', preset: 'ResNet101', metric: 'top5Err', value: 6.05, shown: '6.05', precision: 0.01 },
  { model: 'ResNet-152', preset: 'ResNet152', metric: 'top1Err', value: 21.43, shown: '21.43', precision: 0.01 },
  { model: 'ResNet-152', preset: 'ResNet152', metric: 'top5Err', value: 5.71, shown: '5.71', precision: 0.01 },
]);

/** Paper Table 2, ImageNet validation, 10-crop: plain vs residual at 18 and 34 layers (top-1 error %). */
const HE2015_TABLE2 = from('he2015', 'Table 2 (ImageNet val top-1 error, 10-crop)', [
  // Table 2's residual nets use option A (zero-padding) shortcuts; our resnet18/34 use B. Context only.
  { model: 'plain-18', preset: 'plain-resnet18', metric: 'top1Err', value: 27.94, shown: '27.94', precision: 0.01 },
  { model: 'ResNet-18 (option A)', preset: 'resnet18', metric: 'top1Err', value: 27.88, shown: '27.88', precision: 0.01 },
  { model: 'plain-34', preset: 'plain-resnet34', metric: 'top1Err', value: 28.54, shown: '28.54', precision: 0.01 },
  { model: 'ResNet-34 (option A)', preset: 'resnet34', metric: 'top1Err', value: 25.03, shown: '25.03', precision: 0.01 },
]);

/** Paper Table 6, CIFAR-10 (params as printed; error % of the best run, 110 also 6.61±0.16 over 5 runs). */
const HE2015_TABLE6 = from('he2015', 'Table 6 (CIFAR-10 test)', [
  ...(
    [
      [20, 0.27, '0.27M', 8.75],
      [32, 0.46, '0.46M', 7.51],
      [44, 0.66, '0.66M', 7.17],
      [56, 0.85, '0.85M', 6.97],
      [110, 1.7, '1.7M', 6.43],
      [1202, 19.4, '19.4M', 7.93],
    ] as const
  ).flatMap(([depth, millions, shown, err]): Row[] => [
    {
      model: `ResNet-${depth}`,
      preset: `ResNet-${depth}`,
      metric: 'paramsTrainable',
      value: millions * M,
      shown,
      precision: depth >= 110 ? 0.1 * M : 0.01 * M,
    },
    { model: `ResNet-${depth}`, preset: `ResNet-${depth}`, metric: 'cifar10Err', value: err, shown: String(err), precision: 0.01 },
  ]),
]);

/** Identity Mappings paper, Table 3/4 (CIFAR-10 test error %, pre-activation). */
const HE2016 = from('he2016', 'Table 3 (CIFAR-10 test, pre-activation)', [
  { model: 'ResNet-164 (pre-act)', preset: 'PreAct-ResNet-164', metric: 'paramsTrainable', value: 1.7 * M, shown: '1.7M', precision: 0.1 * M },
  { model: 'ResNet-164 (pre-act)', preset: 'PreAct-ResNet-164', metric: 'cifar10Err', value: 5.46, shown: '5.46', precision: 0.01 },
  { model: 'ResNet-1001 (pre-act)', preset: 'PreAct-ResNet-1001', metric: 'paramsTrainable', value: 10.2 * M, shown: '10.2M', precision: 0.1 * M },
  { model: 'ResNet-1001 (pre-act)', preset: 'PreAct-ResNet-1001', metric: 'cifar10Err', value: 4.92, shown: '4.92', precision: 0.01 },
]);

/** ResNeXt paper Table 1 (params, FLOPs = multiply-adds) and Table 3 (ImageNet val top-1 error %, 224 single crop). */
const XIE2017 = [
  ...from('xie2017', 'Table 1', [
    { model: 'ResNet-50', preset: 'resnet50', metric: 'paramsTrainable', value: 25.5 * M, shown: '25.5×10⁶', precision: 0.1 * M },
    { model: 'ResNet-50', preset: 'resnet50', metric: 'macs', value: 4.1 * G, shown: '4.1×10⁹', precision: 0.1 * G },
    { model: 'ResNeXt-50 (32×4d)', preset: 'resnext50_32x4d', metric: 'paramsTrainable', value: 25.0 * M, shown: '25.0×10⁶', precision: 0.1 * M },
    { model: 'ResNeXt-50 (32×4d)', preset: 'resnext50_32x4d', metric: 'macs', value: 4.2 * G, shown: '4.2×10⁹', precision: 0.1 * G },
    { model: 'ResNeXt-50 (32×4d)', preset: 'ResNeXt50', metric: 'macs', value: 4.2 * G, shown: '4.2×10⁹', precision: 0.1 * G },
  ]),
  ...from('xie2017', 'Table 3 (ImageNet-1K val, 224 single crop)', [
    { model: 'ResNet-50 (1×64d)', preset: 'resnet50', metric: 'top1Err', value: 23.9, shown: '23.9', precision: 0.1 },
    { model: 'ResNeXt-50 (32×4d)', preset: 'resnext50_32x4d', metric: 'top1Err', value: 22.2, shown: '22.2', precision: 0.1 },
    { model: 'ResNet-101 (1×64d)', preset: 'resnet101', metric: 'top1Err', value: 22.0, shown: '22.0', precision: 0.1 },
    { model: 'ResNeXt-101 (32×4d)', preset: 'ResNeXt101', metric: 'top1Err', value: 21.2, shown: '21.2', precision: 0.1 },
  ]),
];

/** keras.io "Available models" table: Size (MB), Top-1/Top-5 accuracy, Parameters, Depth. */
const KERAS_APPS = from('kerasApps', 'Available models table', [
  ...(
    [
      ['ResNet50', 25.6, 74.9, 92.1],
      ['ResNet101', 44.7, 76.4, 92.8],
      ['ResNet152', 60.4, 76.6, 93.1],
      ['ResNet50V2', 25.6, 76.0, 93.0],
      ['ResNet101V2', 44.7, 77.2, 93.8],
      ['ResNet152V2', 60.4, 78.0, 94.2],
    ] as const
  ).flatMap(([name, params, top1, top5]): Row[] => [
    { model: name, preset: name, metric: 'paramsTotal', value: params * M, shown: `${params}M`, precision: 0.1 * M },
    { model: name, preset: name, metric: 'top1Acc', value: top1, shown: `${top1.toFixed(1)}%`, precision: 0.1 },
    { model: name, preset: name, metric: 'top5Acc', value: top5, shown: `${top5.toFixed(1)}%`, precision: 0.1 },
  ]),
]);

/** Exact counts from tf.keras model.summary() (include_top=True, 224×224×3); DESIGN.md §2. */
const KERAS_SUMMARY = from('kerasCode', 'model.summary()', [
  ...(
    [
      ['ResNet50', 25_636_712, 25_583_592],
      ['ResNet101', 44_707_176, 44_601_832],
      ['ResNet152', 60_419_944, 60_268_520],
      ['ResNet50V2', 25_613_800, 25_568_360],
      ['ResNet101V2', 44_675_560, 44_577_896],
      ['ResNet152V2', 60_380_648, 60_236_904],
    ] as const
  ).flatMap(([name, total, trainable]): Row[] => [
    { model: name, preset: name, metric: 'paramsTotal', value: total, shown: total.toLocaleString('en-US'), precision: 0 },
    {
      model: name,
      preset: name,
      metric: 'paramsTrainable',
      value: trainable,
      shown: trainable.toLocaleString('en-US'),
      precision: 0,
    },
  ]),
  // keras-applications resnet_common.ResNeXt50: its Total params include the frozen constant `_2_gconv`
  // kernels (see explain.ts, kerasGconvConstantParams): 25,097,128 + 128,122,880 = 153,220,008.
  // Quoted to the million as DESIGN.md §2 gives it (not our own 153,220,008, which is derived, not published).
  { model: 'ResNeXt50', preset: 'ResNeXt50', metric: 'paramsTotal', value: 153 * M, shown: '153M', precision: 1 * M },
]);

/** torchvision weights meta, IMAGENET1K_V1 (num_params counts parameters only, not BN buffers). */
const TORCHVISION = from('torchvision', 'Weights meta, IMAGENET1K_V1', [
  ...(
    [
      ['resnet18', 11_689_512, 1.814, 69.758, 89.078],
      ['resnet34', 21_797_672, 3.664, 73.314, 91.42],
      ['resnet50', 25_557_032, 4.089, 76.13, 92.862],
      ['resnet101', 44_549_160, 7.801, 77.374, 93.546],
      ['resnet152', 60_192_808, 11.514, 78.312, 94.046],
      ['resnext50_32x4d', 25_028_904, 4.23, 77.618, 93.698],
      ['resnext101_32x8d', 88_791_336, 16.414, 79.312, 94.526],
      ['wide_resnet50_2', 68_883_240, 11.398, 78.468, 94.086],
    ] as const
  ).flatMap(([name, params, gflops, top1, top5]): Row[] => [
    {
      model: name,
      preset: name,
      metric: 'paramsTrainable',
      value: params,
      shown: params.toLocaleString('en-US'),
      precision: 0,
    },
    // torchvision's "GFLOPS" column (`_ops`) counts multiply-adds, printed to 3 decimals (2 for 4.23, 16.41 in docs).
    { model: name, preset: name, metric: 'macs', value: gflops * G, shown: `${gflops} GFLOPS`, precision: lastDigit(gflops) * G },
    { model: name, preset: name, metric: 'top1Acc', value: top1, shown: String(top1), precision: 0.001 },
    { model: name, preset: name, metric: 'top5Acc', value: top5, shown: String(top5), precision: 0.001 },
  ]),
]);

export const REFERENCES: readonly ReferenceFigure[] = [
  ...HE2015_TABLE1,
  ...HE2015_TABLE2,
  ...HE2015_TABLE3,
  ...HE2015_TABLE6,
  ...HE2016,
  ...XIE2017,
  ...KERAS_APPS,
  ...KERAS_SUMMARY,
  ...TORCHVISION,
];

/** Every published figure for one of our presets (by exact name). */
export function referencesFor(preset: string): ReferenceFigure[] {
  return REFERENCES.filter((r) => r.preset === preset);
}

/** Our value of a computable metric. */
export interface Ours {
  readonly paramsTotal: number;
  readonly paramsTrainable: number;
  readonly macs: number;
}

export type Agreement =
  /** Equal within the printed precision (exact figures must be equal). */
  | { readonly kind: 'agrees'; readonly ours: number; readonly diff: number }
  /** Further apart than the printed precision: explain.ts should have a reason. */
  | { readonly kind: 'differs'; readonly ours: number; readonly diff: number }
  /** Accuracy, error: not something a graph can compute. */
  | { readonly kind: 'context' };

/**
 * Does our figure agree with the published one? Rounded figures agree when ours lies within one unit of the
 * last printed digit: the ResNet paper truncates rather than rounds (ResNet-34: 3.664 → "3.6"), so half a unit
 * is too strict for it.
 */
export function agreement(ref: ReferenceFigure, ours: Ours): Agreement {
  if (!COMPUTABLE.has(ref.metric)) return { kind: 'context' };
  const value = ours[ref.metric as keyof Ours];
  const diff = value - ref.value;
  const ok = ref.precision === 0 ? diff === 0 : Math.abs(diff) < ref.precision;
  return { kind: ok ? 'agrees' : 'differs', ours: value, diff };
}
