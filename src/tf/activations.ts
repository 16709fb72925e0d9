/**
 * Feature maps of a real network for one image: the outputs of named layers, their per-channel means, and
 * each shown channel as a small uint8 tile on one colour scale shared by every layer of the request (so a
 * residual branch, its shortcut and their sum can be compared value for value). Pure tfjs: Node and the
 * model worker.
 *
 * The layer outputs come from a `tf.model` over the loaded model's own layers (no weight is copied). Such a
 * model is never disposed: `Container.dispose` would dispose the shared layers (tfjs-layers
 * engine/container.js); it holds no tensors of its own.
 */
import * as tf from '@tensorflow/tfjs';

/** A layer name the model does not have, or a request that cannot be met; names the value received. */
export class ActivationsError extends Error {
  override name = 'ActivationsError';
}

/** The outputs of `names` for `input` ([1, h, w, 3]), in order. The caller disposes them. */
export function layerOutputs(model: tf.LayersModel, input: tf.Tensor4D, names: readonly string[]): tf.Tensor[] {
  if (names.length === 0) throw new ActivationsError('no layer names given; expected at least one');
  const unique = [...new Set(names)];
  const known = new Set(model.layers.map((l) => l.name));
  const missing = unique.filter((n) => !known.has(n));
  if (missing.length) throw new ActivationsError(`${model.name} has no layer ${missing.join(', ')}`);
  const probe = tf.model({ inputs: model.inputs, outputs: unique.map((n) => model.getLayer(n).output as tf.SymbolicTensor) });
  const out = probe.predict(input);
  const list = Array.isArray(out) ? out : [out];
  // A repeated name gets a clone, so each returned tensor can be disposed on its own.
  return names.map((n, i) => (names.indexOf(n) === i ? list[unique.indexOf(n)] : tf.clone(list[unique.indexOf(n)])));
}

export interface MapsOptions {
  /** At most this many channels, those with the highest mean first. */
  readonly maxChannels: number;
  /** The layer whose channel means set the order (default the first). */
  readonly orderBy?: string;
  /** Tiles are box-averaged down to at most this many pixels a side (default 64). */
  readonly maxTile?: number;
  /** Share of the largest |values| above the scale's end (default 0.001: the 99.9th percentile). */
  readonly clip?: number;
}

export interface LayerMaps {
  readonly name: string;
  /** Output shape without the batch: [h, w, c], or [c] for pooled / dense outputs. */
  readonly shape: readonly number[];
  /** Mean of every channel over space, in channel order (all channels, not only those shown). */
  readonly means: Float32Array;
  /** Minimum and maximum over the whole output. */
  readonly min: number;
  readonly max: number;
  /** Shown channels × tileH × tileW, row-major, quantized on the shared scale: 0 = lo, 255 = hi. */
  readonly tiles: Uint8Array;
}

export interface ColourScale {
  readonly lo: number;
  readonly hi: number;
  /** Signed values: lo = −hi, 0 in the middle; else lo = 0 (every value ≥ 0, e.g. after a ReLU). */
  readonly diverging: boolean;
  /** Share of the shown values outside [lo, hi] (drawn at the end colour). */
  readonly clipped: number;
}

export interface ActivationMaps {
  readonly layers: readonly LayerMaps[];
  /** Indices of the shown channels, shared by every layer, by descending mean of `orderBy`. */
  readonly channels: readonly number[];
  readonly totalChannels: number;
  readonly orderBy: string;
  readonly tileHeight: number;
  readonly tileWidth: number;
  /** Box-average factor from the layer's grid to the tile (1: full resolution). */
  readonly downsample: number;
  /** One linear scale for every tile of every layer of this result. */
  readonly scale: ColourScale;
}

/** Channel indices by descending mean; ties by index. */
export function channelOrder(means: ArrayLike<number>, max: number): number[] {
  const idx = Array.from({ length: means.length }, (_, i) => i);
  idx.sort((a, b) => means[b] - means[a] || a - b);
  return idx.slice(0, Math.max(0, max));
}

/** The scale for a set of values: the (1 − clip) quantile of |v|, symmetric when any value is negative. */
export function sharedScale(values: readonly Float32Array[], clip = 0.001): ColourScale {
  let n = 0;
  let negative = false;
  for (const v of values) {
    n += v.length;
    for (let i = 0; i < v.length; i++) if (v[i] < 0) negative = true;
  }
  const abs = new Float32Array(n);
  let o = 0;
  for (const v of values) for (let i = 0; i < v.length; i++) abs[o++] = Math.abs(v[i]);
  abs.sort();
  const k = Math.min(n - 1, Math.max(0, Math.ceil((1 - clip) * n) - 1));
  let hi = n ? abs[k] : 0;
  if (!(hi > 0)) hi = n ? abs[n - 1] || 1 : 1; // all zeros: any positive end
  const lo = negative ? -hi : 0;
  let out = 0;
  for (const v of values) for (let i = 0; i < v.length; i++) if (v[i] > hi || v[i] < lo) out++;
  return { lo, hi, diverging: negative, clipped: n ? out / n : 0 };
}

/** Quantize to 0…255 on [lo, hi], clamped. */
export function quantize(v: Float32Array, s: Pick<ColourScale, 'lo' | 'hi'>): Uint8Array {
  const q = new Uint8Array(v.length);
  const k = 255 / (s.hi - s.lo);
  for (let i = 0; i < v.length; i++) q[i] = Math.max(0, Math.min(255, Math.round((v[i] - s.lo) * k)));
  return q;
}

/**
 * Per-channel means and tiles of the named layers for one image. Every layer must have the same number of
 * channels (they share the channel order). Leaves no tensors behind; does not dispose `input`.
 */
export async function activationMaps(model: tf.LayersModel, input: tf.Tensor4D, names: readonly string[], opts: MapsOptions): Promise<ActivationMaps> {
  if (!Number.isInteger(opts.maxChannels) || opts.maxChannels < 1) {
    throw new ActivationsError(`maxChannels must be a positive integer, got ${opts.maxChannels}`);
  }
  const orderBy = opts.orderBy ?? names[0];
  if (!names.includes(orderBy)) throw new ActivationsError(`orderBy ${orderBy} is not among the layers ${names.join(', ')}`);
  const maxTile = opts.maxTile ?? 64;
  const outs = layerOutputs(model, input, names);
  try {
    const bad = outs.findIndex((t) => t.rank !== 4 && t.rank !== 2);
    if (bad >= 0) throw new ActivationsError(`layer ${names[bad]} has output rank ${outs[bad].rank}; expected 4 (feature map) or 2 (vector)`);
    // [1, c] (pooled, dense) is a 1×1 map per channel.
    const fm = outs.map((t) => (t.rank === 4 ? (t as tf.Tensor4D) : (tf.reshape(t, [1, 1, 1, t.shape[1]!]) as tf.Tensor4D)));
    try {
      const [, h, w, c] = fm[0].shape;
      const other = fm.findIndex((m) => m.shape[3] !== c);
      if (other >= 0) throw new ActivationsError(`layers ${names[0]} (${c} channels) and ${names[other]} (${fm[other].shape[3]}) differ in channels; shown together they must match`);
      const meansT = fm.map((m) => tf.mean(m, [0, 1, 2]));
      const minMax = tf.tidy(() => tf.stack(fm.flatMap((m) => [tf.min(m), tf.max(m)])));
      const means = (await Promise.all(meansT.map((m) => m.data()))) as Float32Array[];
      const mm = (await minMax.data()) as Float32Array;
      tf.dispose([...meansT, minMax]);
      const channels = channelOrder(means[names.indexOf(orderBy)], opts.maxChannels);
      const f = Math.max(1, Math.ceil(Math.max(h, w) / maxTile));
      const floats = await Promise.all(
        fm.map((m) => {
          const t = tf.tidy(() => {
            const picked = tf.gather(m, channels, 3) as tf.Tensor4D;
            const small = f > 1 ? tf.avgPool(picked, f, f, 'valid') : picked;
            return tf.transpose(small, [0, 3, 1, 2]); // [1, k, th, tw]: one tile after another
          });
          return t.data().finally(() => t.dispose()) as Promise<Float32Array>;
        }),
      );
      const tileHeight = f > 1 ? Math.floor(h / f) : h;
      const tileWidth = f > 1 ? Math.floor(w / f) : w;
      const scale = sharedScale(floats, opts.clip);
      return {
        layers: names.map((name, i) => ({
          name,
          shape: outs[i].shape.slice(1) as number[],
          means: means[i],
          min: mm[2 * i],
          max: mm[2 * i + 1],
          tiles: quantize(floats[i], scale),
        })),
        channels,
        totalChannels: c,
        orderBy,
        tileHeight,
        tileWidth,
        downsample: f,
        scale,
      };
    } finally {
      tf.dispose(fm.filter((m, i) => m !== outs[i]));
    }
  } finally {
    tf.dispose(outs);
  }
}
