/**
 * Published figures, each with its source and the place in that source, so the compare view can put them
 * beside ours and say where they agree and where (and why) they do not. This is the one table of quoted
 * figures: the app, the explanations and the tests read them from here (presets.golden.ts holds only what the
 * app does not quote). Each figure is typed once; a figure that describes several of our presets lists them.
 *
 * Units are base units: parameters as counts, multiply-adds as counts (not ×10⁹), accuracies and errors in
 * percent. `shown` is the figure as the source prints it; `precision` is one unit of its last printed digit
 * (0 for exact integers), which is how far a rounded figure may lie from ours and still agree.
 */

export type SourceId =
  | 'he2015'
  | 'he2016'
  | 'xie2017'
  | 'heInit2015'
  | 'ioffe2015'
  | 'yang2019'
  | 'kerasApps'
  | 'kerasCode'
  | 'torchvision'
  | 'akamaster';

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
  heInit2015: {
    id: 'heInit2015',
    short: 'He et al. 2015b',
    title: 'He, Zhang, Ren, Sun. Delving Deep into Rectifiers: Surpassing Human-Level Performance on ImageNet Classification (ICCV 2015, arXiv:1502.01852)',
    url: 'https://arxiv.org/abs/1502.01852',
  },
  ioffe2015: {
    id: 'ioffe2015',
    short: 'Ioffe & Szegedy 2015',
    title: 'Ioffe, Szegedy. Batch Normalization: Accelerating Deep Network Training by Reducing Internal Covariate Shift (ICML 2015, arXiv:1502.03167)',
    url: 'https://arxiv.org/abs/1502.03167',
  },
  yang2019: {
    id: 'yang2019',
    short: 'Yang et al. 2019',
    title: 'Yang, Pennington, Rao, Sohl-Dickstein, Schoenholz. A Mean Field Theory of Batch Normalization (ICLR 2019, arXiv:1902.08129)',
    url: 'https://arxiv.org/abs/1902.08129',
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
  akamaster: {
    id: 'akamaster',
    short: 'akamaster/pytorch_resnet_cifar10',
    title: 'Idelbayev. Proper ResNet implementation for CIFAR10/CIFAR100 in PyTorch (github.com/akamaster/pytorch_resnet_cifar10), README',
    url: 'https://github.com/akamaster/pytorch_resnet_cifar10#pretrained-models-for-download',
  },
};

/** A place in a source: for claims in teaching text as well as for figures. */
export interface Citation {
  readonly source: SourceId;
  /** Table, section, equation or field in the source. */
  readonly where: string;
}

/** "He et al. 2015, §4.1". */
export const citationText = (c: Citation): string => `${SOURCES[c.source].short}, ${c.where}`;

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

export interface ReferenceFigure extends Citation {
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
}

const G = 1e9;
const M = 1e6;

/** One figure as typed: it may describe several presets, and may name a more precise place than its group. */
interface Row {
  readonly model: string;
  readonly presets?: readonly string[];
  readonly metric: Metric;
  readonly value: number;
  readonly shown: string;
  readonly precision: number;
  readonly where?: string;
}

/** One unit of the last printed digit of a decimal figure: 4.089 → 0.001, 4.23 → 0.01. */
export function lastDigit(x: number): number {
  return printedUnit(String(x));
}

/** One unit of the last digit of the first number printed in a string: "25.0×10⁶" → 0.1, "6.90" → 0.01. */
export function printedUnit(shown: string): number {
  const m = /\d+(?:\.(\d+))?/.exec(shown);
  if (!m) throw new RangeError(`no number in ${JSON.stringify(shown)}`);
  return 10 ** -(m[1]?.length ?? 0);
}

const from = (source: SourceId, where: string, rows: readonly Row[]): ReferenceFigure[] =>
  rows.flatMap(({ presets, where: own, ...r }) =>
    (presets?.length ? presets : [undefined]).map((preset) => ({ ...r, ...(preset ? { preset } : {}), source, where: own ?? where })),
  );

/** A figure printed as "v×10⁹" (the papers' multiply-adds). */
const giga = (model: string, presets: readonly string[], v: number): Row => ({
  model,
  presets,
  metric: 'macs',
  value: v * G,
  shown: `${v}×10⁹`,
  precision: printedUnit(String(v)) * G,
});

/** A percentage printed with its decimals (errors, accuracies). */
const pct = (model: string, presets: readonly string[], metric: Metric, v: number, shown = String(v)): Row => ({
  model,
  presets,
  metric,
  value: v,
  shown,
  precision: printedUnit(shown),
});

/** An exact integer count, printed with separators. */
const exact = (model: string, presets: readonly string[], metric: Metric, v: number): Row => ({
  model,
  presets,
  metric,
  value: v,
  shown: v.toLocaleString('en-US'),
  precision: 0,
});

/** A count printed in millions, `shown` as the source prints it. */
const millions = (model: string, presets: readonly string[], metric: Metric, v: number, shown: string): Row => ({
  model,
  presets,
  metric,
  value: v * M,
  shown,
  precision: printedUnit(shown) * M,
});

/**
 * He et al. 2015, Table 1 ("FLOPs", i.e. multiply-adds, 224×224). Its 50/101/152 stride the first 1×1 of a
 * downsampling block (Keras V1); the same rows are shown beside torchvision's "v1.5" builds, which stride the
 * 3×3 (explain.ts, 'stride').
 */
const HE2015_TABLE1 = from('he2015', 'Table 1, row “FLOPs”', [
  giga('18-layer', ['resnet18'], 1.8),
  giga('34-layer', ['resnet34'], 3.6),
  giga('50-layer', ['ResNet50', 'resnet50'], 3.8),
  giga('101-layer', ['ResNet101', 'resnet101'], 7.6),
  giga('152-layer', ['ResNet152', 'resnet152'], 11.3),
]);

/**
 * He et al. 2015, §4.1: "VGG-16/19 nets (15.3/19.6 billion FLOPs)" (VGG-19's 19.6 also in §3.3). We do not
 * build VGG; the figures are context.
 */
const HE2015_VGG = from('he2015', '§4.1', [giga('VGG-16', [], 15.3), giga('VGG-19', [], 19.6)]);

/**
 * He et al. 2015, Table 2: top-1 error (%, 10-crop) on ImageNet val, plain vs residual. Its residual nets use
 * option A (zero-padding) shortcuts; our resnet18/34 use B, so these are context. (plain-34's 28.54 is in
 * Table 3 as well, listed there.)
 */
const HE2015_TABLE2 = from('he2015', 'Table 2 (ImageNet val top-1 error, 10-crop)', [
  pct('plain-18', ['plain-resnet18'], 'top1Err', 27.94),
  pct('ResNet-18 (option A)', ['resnet18'], 'top1Err', 27.88),
  pct('ResNet-34 (option A)', ['resnet34'], 'top1Err', 25.03),
]);

/** He et al. 2015, Table 3: error rates (%, 10-crop) on ImageNet val; ResNet-50/101/152 are option B. */
const HE2015_TABLE3 = from('he2015', 'Table 3 (ImageNet val, 10-crop)', [
  pct('plain-34', ['plain-resnet34'], 'top1Err', 28.54),
  pct('plain-34', ['plain-resnet34'], 'top5Err', 10.02),
  pct('ResNet-34 B', ['resnet34'], 'top1Err', 24.52),
  pct('ResNet-34 B', ['resnet34'], 'top5Err', 7.46),
  pct('ResNet-50', ['ResNet50'], 'top1Err', 22.85),
  pct('ResNet-50', ['ResNet50'], 'top5Err', 6.71),
  pct('ResNet-101', ['ResNet101'], 'top1Err', 21.75),
  pct('ResNet-101', ['ResNet101'], 'top5Err', 6.05),
  pct('ResNet-152', ['ResNet152'], 'top1Err', 21.43),
  pct('ResNet-152', ['ResNet152'], 'top5Err', 5.71),
]);

/**
 * He et al. 2015, Table 6: CIFAR-10 params (as printed) and test error %. For ResNet-110 the table prints the
 * best of 5 runs, "6.43 (6.61±0.16)"; the other depths have one figure each.
 */
const HE2015_TABLE6 = from(
  'he2015',
  'Table 6 (CIFAR-10 test)',
  (
    [
      [20, 0.27, 8.75],
      [32, 0.46, 7.51],
      [44, 0.66, 7.17],
      [56, 0.85, 6.97],
      [110, 1.7, 6.43],
      [1202, 19.4, 7.93],
    ] as const
  ).flatMap(([depth, params, err]): Row[] => [
    millions(`ResNet-${depth}`, [`ResNet-${depth}`], 'paramsTrainable', params, `${params}M`),
    pct(depth === 110 ? 'ResNet-110 (best of 5 runs)' : `ResNet-${depth}`, [`ResNet-${depth}`], 'cifar10Err', err),
  ]),
);

/** He et al. 2016 (Identity Mappings): pre-activation ResNets on CIFAR-10. */
const HE2016 = [
  ...from('he2016', 'Table 4 (params in brackets)', [
    millions('ResNet-164 (pre-act)', ['PreAct-ResNet-164'], 'paramsTrainable', 1.7, '1.7M'),
    millions('ResNet-1001 (pre-act)', ['PreAct-ResNet-1001'], 'paramsTrainable', 10.2, '10.2M'),
  ]),
  ...from('he2016', 'Table 3 (CIFAR-10 test error, pre-activation unit)', [
    pct('ResNet-164 (pre-act)', ['PreAct-ResNet-164'], 'cifar10Err', 5.46),
    pct('ResNet-1001 (pre-act)', ['PreAct-ResNet-1001'], 'cifar10Err', 4.92),
  ]),
];

/** Xie et al. 2017: Table 1 (params, FLOPs = multiply-adds) and Table 3 (ImageNet-1K val top-1 error %, 224 single crop). */
const XIE2017 = [
  ...from('xie2017', 'Table 1', [
    millions('ResNet-50', ['resnet50'], 'paramsTrainable', 25.5, '25.5×10⁶'),
    giga('ResNet-50', ['resnet50'], 4.1),
    millions('ResNeXt-50 (32×4d)', ['resnext50_32x4d', 'ResNeXt50'], 'paramsTrainable', 25, '25.0×10⁶'),
    giga('ResNeXt-50 (32×4d)', ['resnext50_32x4d', 'ResNeXt50'], 4.2),
  ]),
  ...from('xie2017', 'Table 3 (ImageNet-1K val, 224 single crop)', [
    pct('ResNet-50 (1×64d)', ['resnet50'], 'top1Err', 23.9),
    pct('ResNeXt-50 (32×4d)', ['resnext50_32x4d'], 'top1Err', 22.2),
    pct('ResNet-101 (1×64d)', ['resnet101'], 'top1Err', 22, '22.0'),
    pct('ResNeXt-101 (32×4d)', ['ResNeXt101'], 'top1Err', 21.2),
  ]),
];

/** keras.io "Available models" table: Parameters, Top-1 and Top-5 accuracy. */
const KERAS_APPS = from(
  'kerasApps',
  'Available models table',
  (
    [
      ['ResNet50', 25.6, 74.9, 92.1],
      ['ResNet101', 44.7, 76.4, 92.8],
      ['ResNet152', 60.4, 76.6, 93.1],
      ['ResNet50V2', 25.6, 76.0, 93.0],
      ['ResNet101V2', 44.7, 77.2, 93.8],
      ['ResNet152V2', 60.4, 78.0, 94.2],
    ] as const
  ).flatMap(([name, params, top1, top5]): Row[] => [
    millions(name, [name], 'paramsTotal', params, `${params}M`),
    pct(name, [name], 'top1Acc', top1, `${top1.toFixed(1)}%`),
    pct(name, [name], 'top5Acc', top5, `${top5.toFixed(1)}%`),
  ]),
);

/**
 * Exact counts printed by tf.keras model.summary() for the applications (include_top=True, 224×224×3).
 * keras-applications' ResNeXt50 is not here: no Keras source prints its count; explain.ts ('gconv') computes it.
 */
const KERAS_SUMMARY = from(
  'kerasCode',
  'model.summary()',
  (
    [
      ['ResNet50', 25_636_712, 25_583_592],
      ['ResNet101', 44_707_176, 44_601_832],
      ['ResNet152', 60_419_944, 60_268_520],
      ['ResNet50V2', 25_613_800, 25_568_360],
      ['ResNet101V2', 44_675_560, 44_577_896],
      ['ResNet152V2', 60_380_648, 60_236_904],
    ] as const
  ).flatMap(([name, total, trainable]): Row[] => [
    { ...exact(name, [name], 'paramsTotal', total), where: 'model.summary(), “Total params”' },
    { ...exact(name, [name], 'paramsTrainable', trainable), where: 'model.summary(), “Trainable params”' },
  ]),
);

/**
 * torchvision weights meta, IMAGENET1K_V1: num_params (parameters only, not BN buffers), `_ops` ("GFLOPS",
 * which counts multiply-adds, to 3 decimals), acc@1 and acc@5 in `_metrics`.
 */
const TORCHVISION = (
  [
    ['resnet18', 'ResNet18_Weights', 11_689_512, 1.814, 69.758, 89.078],
    ['resnet34', 'ResNet34_Weights', 21_797_672, 3.664, 73.314, 91.42],
    ['resnet50', 'ResNet50_Weights', 25_557_032, 4.089, 76.13, 92.862],
    ['resnet101', 'ResNet101_Weights', 44_549_160, 7.801, 77.374, 93.546],
    ['resnet152', 'ResNet152_Weights', 60_192_808, 11.514, 78.312, 94.046],
    ['resnext50_32x4d', 'ResNeXt50_32X4D_Weights', 25_028_904, 4.23, 77.618, 93.698],
    ['resnext101_32x8d', 'ResNeXt101_32X8D_Weights', 88_791_336, 16.414, 79.312, 94.526],
    ['wide_resnet50_2', 'Wide_ResNet50_2_Weights', 68_883_240, 11.398, 78.468, 94.086],
  ] as const
).flatMap(([name, weights, params, gflops, top1, top5]) =>
  from('torchvision', `${weights}.IMAGENET1K_V1 meta`, [
    { ...exact(name, [name], 'paramsTrainable', params), where: `${weights}.IMAGENET1K_V1 meta, num_params` },
    {
      model: name,
      presets: [name],
      metric: 'macs',
      value: gflops * G,
      shown: `${gflops} GFLOPS`,
      precision: printedUnit(String(gflops)) * G,
      where: `${weights}.IMAGENET1K_V1 meta, _ops`,
    },
    { ...pct(name, [name], 'top1Acc', top1), where: `${weights}.IMAGENET1K_V1 meta, acc@1` },
    { ...pct(name, [name], 'top5Acc', top5), where: `${weights}.IMAGENET1K_V1 meta, acc@5` },
  ]),
);

/**
 * akamaster/pytorch_resnet_cifar10 README, "Pretrained models for download": the CIFAR-10 test error of the
 * trained option-A nets it publishes (the lab loads ResNet-20 and ResNet-56).
 */
const AKAMASTER = from(
  'akamaster',
  'README, table “Pretrained models for download”, column “Test err(this impl.)”',
  (
    [
      [20, 8.27],
      [32, 7.37],
      [44, 6.9, '6.90'],
      [56, 6.61],
      [110, 6.32],
      [1202, 6.18],
    ] as const
  ).map(([depth, err, shown]) => pct(`ResNet${depth} (trained, this implementation)`, [`ResNet-${depth}`], 'cifar10Err', err, shown ?? String(err))),
);

export const REFERENCES: readonly ReferenceFigure[] = [
  ...HE2015_TABLE1,
  ...HE2015_VGG,
  ...HE2015_TABLE2,
  ...HE2015_TABLE3,
  ...HE2015_TABLE6,
  ...HE2016,
  ...XIE2017,
  ...KERAS_APPS,
  ...KERAS_SUMMARY,
  ...TORCHVISION,
  ...AKAMASTER,
];

/** Every published figure for one of our presets (by exact name). */
export function referencesFor(preset: string): ReferenceFigure[] {
  return REFERENCES.filter((r) => r.preset === preset);
}

export class MissingReferenceError extends Error {
  override readonly name = 'MissingReferenceError';
}

/** The one figure a source gives for a preset and metric; throws when there is none or more than one. */
export function published(source: SourceId, preset: string, metric: Metric): ReferenceFigure {
  const found = REFERENCES.filter((r) => r.source === source && r.preset === preset && r.metric === metric);
  if (found.length !== 1) {
    throw new MissingReferenceError(
      `expected one ${metric} figure for preset '${preset}' from ${source}, found ${found.length} (sources with this preset: ${[
        ...new Set(referencesFor(preset).map((r) => r.source)),
      ].join(', ') || 'none'})`,
    );
  }
  return found[0];
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
 * last printed digit. Half a unit would be too strict for the ResNet paper's Table 1: against our counts of the
 * same graphs, its 101- and 152-layer figures are rounded to nearest but its 34- and 50-layer ones lie below ours
 * by more than half a unit (as if truncated). The paper does not say how it counted, so one unit either way.
 */
export function agreement(ref: ReferenceFigure, ours: Ours): Agreement {
  if (!COMPUTABLE.has(ref.metric)) return { kind: 'context' };
  const value = ours[ref.metric as keyof Ours];
  const diff = value - ref.value;
  const ok = ref.precision === 0 ? diff === 0 : Math.abs(diff) < ref.precision;
  return { kind: ok ? 'agrees' : 'differs', ours: value, diff };
}
