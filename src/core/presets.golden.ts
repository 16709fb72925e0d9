/**
 * Library-exact figures the presets must reproduce that the app does not quote: what tf.keras itself reports
 * for the applications built with `tf.keras.applications.ResNet50(weights=None)` and friends
 * (`len(model.layers)`, the layers that own weights, and `model.summary()`'s "Total params" with
 * include_top=False). Published figures that the app quotes (params, multiply-adds, accuracies) live once, in
 * references.ts, with their source and location; the tests read them from there, and a test checks that no
 * figure here repeats one of those.
 */
export interface KerasGolden {
  /** `len(model.layers)`, the input layer included. */
  readonly layers: number;
  /** Layers with at least one weight (Conv2D, BatchNormalization, Dense). */
  readonly weightedLayers: number;
  /** `model.summary()` "Total params" with include_top=False (pooling=None). */
  readonly noTopTotal?: number;
}

export const KERAS_GOLDEN: Readonly<Record<string, KerasGolden>> = {
  ResNet50: { layers: 177, weightedLayers: 107, noTopTotal: 23_587_712 },
  ResNet101: { layers: 347, weightedLayers: 209, noTopTotal: 42_658_176 },
  ResNet152: { layers: 517, weightedLayers: 311, noTopTotal: 58_370_944 },
  ResNet50V2: { layers: 192, weightedLayers: 103 },
  ResNet101V2: { layers: 379, weightedLayers: 205 },
  ResNet152V2: { layers: 566, weightedLayers: 307 },
};
