/**
 * ArchSpec: the one description every ResNet variant is made from.
 *
 * Plain readonly data. Presets are literals of this type (presets.ts); everything else
 * (graph, analysis, layout, the tfjs model) is derived from it. Each field names a point
 * where papers and libraries disagree instead of hiding it behind a positional boolean.
 */

/** Residual unit shape: two 3×3 convs (He et al. 2015, Fig. 5 left) or 1×1-3×3-1×1 (Fig. 5 right). */
export type BlockKind = 'basic' | 'bottleneck';

/**
 * Where BN/ReLU sit relative to the convolutions.
 * - 'post': V1, conv → BN → ReLU, ReLU after the addition (He et al. 2015).
 * - 'pre':  V2, BN → ReLU → conv, nothing after the addition (He et al. 2016, "Identity Mappings").
 */
export type Activation = 'post' | 'pre';

/**
 * Which conv of a downsampling bottleneck carries stride 2.
 * - 'first1x1': the first 1×1 (Caffe / original paper / Keras ResNet50-152). Fewer MACs: 3.86 G for ResNet50.
 * - '3x3':      the 3×3 ("ResNet v1.5", torchvision, Keras V2 and ResNeXt). 4.09 G for ResNet50, better accuracy.
 * Basic blocks always stride their first 3×3; they require '3x3'.
 */
export type StrideAt = 'first1x1' | '3x3';

/**
 * Shortcut when the block changes shape (He et al. 2015, §4.1 "Identity vs. Projection Shortcuts").
 * - 'A': identity; when shape changes, subsample spatially and zero-pad the new channels. No parameters.
 * - 'B': identity; projection (1×1 conv + BN) only when shape changes.
 * - 'C': projection in every block.
 */
export type ShortcutOption = 'A' | 'B' | 'C';

/** Which block of a stage downsamples: the first (V1, torchvision, CIFAR) or the last (Keras V2). */
export type DownsampleAt = 'first' | 'last';

/**
 * How 3×3 convolutions are padded.
 * - 'same':     TF 'same' padding inside the conv (asymmetric for stride 2 on even sizes). Keras V1.
 * - 'explicit': a ZeroPadding2D(1) layer, then a 'valid' conv: symmetric, as PyTorch. Keras V2/ResNeXt, torchvision, CIFAR.
 */
export type Pad3x3 = 'same' | 'explicit';

/** Input normalisation the pretrained weights of a family expect (Keras `preprocess_input` modes). */
export type Preprocessing = 'caffe' | 'tf' | 'torch';

/** The stem: ImageNet's 7×7/2 conv + 3×3/2 max-pool, or CIFAR's single 3×3 conv. */
export type StemSpec =
  | { readonly kind: 'imagenet'; readonly width: number }
  | { readonly kind: 'cifar'; readonly width: number };

export interface StageSpec {
  /** Number of residual blocks in the stage. */
  readonly blocks: number;
  /**
   * Bottleneck: the inner (1×1-reduced) width, e.g. 64 for ResNet50's conv2 stage; output is width × expansion.
   * Basic: the width of both 3×3 convs.
   */
  readonly width: number;
  /** Spatial stride of the stage's downsampling block (1 or 2). */
  readonly stride: number;
}

export type Pooling = 'none' | 'avg' | 'max';

export interface HeadSpec {
  /** Keras `include_top`: global average pooling and a dense classifier. */
  readonly includeTop: boolean;
  /** Keras `pooling` when includeTop is false. With includeTop Keras always uses 'avg'. */
  readonly pooling: Pooling;
  readonly classes: number;
  /** Keras `classifier_activation`. */
  readonly classifierActivation: 'softmax' | 'linear';
  /** Name of the classifier layer: `predictions` in tf.keras, `probs` in keras-applications files. */
  readonly classifierName: 'predictions' | 'probs';
  /**
   * A hidden Dense layer between the pooled features and the classifier, named `fc1`: the fine-tuning head of
   * the Keras Applications docs ("Fine-tune InceptionV3 on a new set of classes", keras.io/api/applications:
   * GlobalAveragePooling2D → Dense(1024, activation='relu') → Dense(N, activation='softmax')) and of
   * F. Chollet's `flow_from_directory` tutorial (blog.keras.io 2016, Dense(256, 'relu') → Dropout(0.5) →
   * classifier); `finetune --head dense2048` uses 2048 units. Only with `includeTop`. Absent for every preset.
   */
  readonly hidden?: HiddenDense;
  /**
   * Keras `Dropout(rate)` layer `dropout` right before the classifier (after `fc1` when there is one), as in
   * Chollet's tutorial (`Dropout(0.5)`). Only with `includeTop`; absent or 0 = no Dropout layer. Inference ignores it.
   */
  readonly dropout?: number;
}

/** The hidden layer of a fine-tuning head: `Dense(units, activation)` named `fc1` (Keras tutorial naming). */
export interface HiddenDense {
  readonly units: number;
  /** The tutorial uses ReLU; the only one allowed. */
  readonly activation: 'relu';
}

/** Keras layer names of a fine-tuning head's extra layers (the tutorial's / `finetune`'s naming; weights join by them). */
export const HIDDEN_LAYER_NAME = 'fc1';
export const DROPOUT_LAYER_NAME = 'dropout';

export interface ArchSpec {
  /** Display name and id, e.g. `ResNet50`, `resnet18`, `ResNet-20`, `plain-ResNet-20`. */
  readonly name: string;
  /** Where the preset comes from; drives grouping and defaults (not structure). */
  readonly family: 'keras' | 'torchvision' | 'cifar' | 'custom';
  readonly block: BlockKind;
  readonly activation: Activation;
  readonly strideAt: StrideAt;
  readonly downsampleAt: DownsampleAt;
  readonly shortcut: ShortcutOption;
  /** false makes the plain twin: same layers, no shortcuts, no additions. */
  readonly residual: boolean;
  /** Groups of the 3×3 conv (ResNeXt cardinality); 1 for ResNet. */
  readonly groups: number;
  /**
   * Bottleneck expansion: output channels = width × expansion (4 for ResNet/ResNeXt, 1 for basic blocks).
   * ResNeXt and wide ResNets change the inner width, not the expansion.
   */
  readonly expansion: number;
  /** Bias on every conv (Keras V1 all convs; Keras V2 conv1 and the 1×1 output/projection convs). */
  readonly convBias: ConvBias;
  readonly pad3x3: Pad3x3;
  readonly bnEpsilon: number;
  readonly stem: StemSpec;
  readonly stages: readonly StageSpec[];
  /** [height, width, channels], channels last. */
  readonly input: readonly [number, number, number];
  readonly head: HeadSpec;
  readonly preprocessing: Preprocessing;
}

/**
 * Which convs carry a bias. Keras V1 uses bias everywhere (use_bias=True), torchvision and ResNeXt nowhere,
 * Keras V2 on conv1 and on the 1×1 convs that end a block or project a shortcut (`_0_conv`, `_3_conv`).
 */
export type ConvBias = 'all' | 'none' | 'v2';

/** The plain (no-skip) twin: identical layers, no shortcuts. */
export function plainTwin(spec: ArchSpec): ArchSpec {
  if (!spec.residual) return spec;
  return { ...spec, name: `plain-${spec.name}`, residual: false };
}

/** Output channels of a stage's blocks. */
export function stageOutChannels(spec: ArchSpec, stage: StageSpec): number {
  return spec.block === 'bottleneck' ? stage.width * spec.expansion : stage.width;
}
