/**
 * Published figures the presets must reproduce. Tests check the code against these; nothing here is computed.
 * Sources: Keras Applications (tf.keras `model.summary()` / `len(model.layers)`, as tabulated in
 * ../shared/DESIGN.md §2), torchvision model docs (params, GFLOPS column = GMACs), He et al. 2015 (Table 1,
 * Table 6), He et al. 2016 (Table 3), Xie et al. 2017 (Table 3).
 */
export interface KerasGolden {
  readonly total: number;
  readonly trainable: number;
  readonly layers: number;
  readonly weightedLayers: number;
  /** include_top=False total params, where Keras documents it. */
  readonly noTopTotal?: number;
  /** Multiply-accumulates, stride on the first 1×1 (±0.5%). */
  readonly gmacs?: number;
}

export const KERAS_GOLDEN: Readonly<Record<string, KerasGolden>> = {
  ResNet50: { total: 25_636_712, trainable: 25_583_592, layers: 177, weightedLayers: 107, noTopTotal: 23_587_712, gmacs: 3.858 },
  ResNet101: { total: 44_707_176, trainable: 44_601_832, layers: 347, weightedLayers: 209, noTopTotal: 42_658_176, gmacs: 7.57 },
  ResNet152: { total: 60_419_944, trainable: 60_268_520, layers: 517, weightedLayers: 311, noTopTotal: 58_370_944, gmacs: 11.282 },
  ResNet50V2: { total: 25_613_800, trainable: 25_568_360, layers: 192, weightedLayers: 103 },
  ResNet101V2: { total: 44_675_560, trainable: 44_577_896, layers: 379, weightedLayers: 205 },
  ResNet152V2: { total: 60_380_648, trainable: 60_236_904, layers: 566, weightedLayers: 307 },
};

/** torchvision: trainable params and GFLOPS (its column counts multiply-adds). */
export const TORCHVISION_GOLDEN: Readonly<Record<string, { readonly params: number; readonly gmacs: number }>> = {
  resnet18: { params: 11_689_512, gmacs: 1.814 },
  resnet34: { params: 21_797_672, gmacs: 3.664 },
  resnet50: { params: 25_557_032, gmacs: 4.089 },
  resnet101: { params: 44_549_160, gmacs: 7.801 },
  resnet152: { params: 60_192_808, gmacs: 11.514 },
  resnext50_32x4d: { params: 25_028_904, gmacs: 4.23 },
  resnext101_32x8d: { params: 88_791_336, gmacs: 16.414 },
  wide_resnet50_2: { params: 68_883_240, gmacs: 11.398 },
};

/** ResNeXt (Xie et al. 2017, Table 3 / keras-applications): trainable params and ~GMACs. */
export const RESNEXT_GOLDEN: Readonly<Record<string, { readonly trainable: number; readonly gmacs: number }>> = {
  ResNeXt50: { trainable: 25_028_904, gmacs: 4.2 },
};

/** CIFAR (He et al. 2015 Table 6; He et al. 2016 Table 3): params in millions as printed, and exact where known. */
export const CIFAR_GOLDEN: Readonly<
  Record<string, { readonly paramsM: number; readonly exact?: number; readonly withoutBn?: boolean }>
> = {
  'ResNet-20': { paramsM: 0.27, exact: 269_722 },
  'ResNet-32': { paramsM: 0.46 },
  'ResNet-44': { paramsM: 0.66 },
  'ResNet-56': { paramsM: 0.85 },
  'ResNet-110': { paramsM: 1.7 },
  'ResNet-1202': { paramsM: 19.4 },
  'PreAct-ResNet-164': { paramsM: 1.7 },
  // 10.2M matches the conv and dense weights (10.18M); with BN γ/β it is 10.33M. The paper's figure leaves BN out here.
  'PreAct-ResNet-1001': { paramsM: 10.2, withoutBn: true },
};

/** He et al. 2015 Table 1: multiply-adds ×10⁹ at 224×224. */
export const PAPER_TABLE1_GMACS: Readonly<Record<string, number>> = {
  resnet18: 1.8,
  resnet34: 3.6,
  ResNet50: 3.8,
  ResNet101: 7.6,
  ResNet152: 11.3,
};
