/**
 * Keras HDF5 weights (`model.save_weights('x.h5')`, Keras 2 layout, the format of the official
 * `*_weights_tf_dim_ordering_tf_kernels[_notop].h5` files), read and written with h5wasm (HDF5 compiled to
 * WebAssembly; its module embeds the binary, so it runs the same in a worker and in Node).
 *
 * Layout: root attrs `layer_names` (every layer, model order), `backend`, `keras_version`; one group per layer
 * with attr `weight_names` (`conv1_conv/kernel:0`, …) and the datasets at `<layer>/<weight_name>`. A full-model
 * file (`model.save('x.h5')`) holds the same under `model_weights/`.
 * Loading follows Keras `load_weights`: by order (weighted layers paired in order; counts and shapes must agree)
 * or by name (`by_name=True`: layers matched by name, legacy ResNet names mapped to current ones).
 */
import h5wasm from 'h5wasm';
import type * as tf from '@tensorflow/tfjs';
import * as tfc from '@tensorflow/tfjs';
import { assignNamedWeights, weightSuffix } from './assign-weights';
import { fmtShape, WeightsFormatError, WeightsMismatchError } from './errors';
import { legacyToKeras } from './legacy-names';

export interface H5Weight {
  /** As stored in `weight_names`, e.g. `conv1_conv/kernel:0`. */
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export interface H5Layer {
  readonly name: string;
  readonly weights: readonly H5Weight[];
}

export interface H5File {
  readonly layers: readonly H5Layer[];
  readonly backend?: string;
  readonly kerasVersion?: string;
}

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
let counter = 0;

/** HDF5 files start with the signature at 0, 512, 1024, … (after an optional user block). */
export function isHdf5(bytes: Uint8Array): boolean {
  for (let off = 0; off + 8 <= bytes.length && off <= 8192; off = off === 0 ? 512 : off * 2) {
    if (SIGNATURE.every((b, i) => bytes[off + i] === b)) return true;
  }
  return false;
}

async function fs() {
  const mod = await h5wasm.ready;
  return mod.FS;
}

const asStrings = (v: unknown): string[] =>
  v === undefined || v === null ? [] : (Array.isArray(v) ? v : [v]).map((x) => (typeof x === 'string' ? x : new TextDecoder().decode(x as Uint8Array)));

/** Read every layer's weights from a Keras HDF5 weights file. */
export async function readKerasH5(bytes: Uint8Array, source = 'the file'): Promise<H5File> {
  if (bytes.length === 0) throw new WeightsFormatError(`${source} is empty (0 bytes).`);
  if (!isHdf5(bytes)) throw new WeightsFormatError(`${source} is not an HDF5 file (no HDF5 signature); expected Keras .h5 weights.`);
  const FS = await fs();
  const path = `/in-${Date.now()}-${counter++}.h5`;
  FS.writeFile(path, bytes);
  let file: InstanceType<typeof h5wasm.File> | undefined;
  try {
    try {
      file = new h5wasm.File(path, 'r');
    } catch (e) {
      throw new WeightsFormatError(`${source} is a damaged HDF5 file: ${(e as Error).message}`);
    }
    const root = file.keys().includes('model_weights') ? (file.get('model_weights') as InstanceType<typeof h5wasm.Group>) : file;
    const attrs = root.attrs;
    if (!attrs.layer_names) {
      throw new WeightsFormatError(`${source} is HDF5 but not Keras weights: its root has no "layer_names" attribute.`);
    }
    const layers: H5Layer[] = [];
    for (const name of asStrings(attrs.layer_names.value)) {
      const g = root.get(name) as InstanceType<typeof h5wasm.Group> | null;
      if (!g) throw new WeightsFormatError(`${source} lists layer "${name}" but has no group for it.`);
      const weights: H5Weight[] = [];
      for (const wn of asStrings(g.attrs.weight_names?.value)) {
        const d = g.get(wn) as InstanceType<typeof h5wasm.Dataset> | null;
        if (!d) throw new WeightsFormatError(`${source}: layer "${name}" lists weight "${wn}" but the dataset is missing.`);
        const v = d.value;
        const data = v instanceof Float32Array ? v : Float32Array.from(v as ArrayLike<number>);
        weights.push({ name: wn, shape: [...(d.shape ?? [])], data });
      }
      layers.push({ name, weights });
    }
    return {
      layers,
      backend: asStrings(attrs.backend?.value)[0],
      kerasVersion: asStrings(attrs.keras_version?.value)[0],
    };
  } catch (e) {
    if (e instanceof WeightsFormatError) throw e;
    // h5wasm reports a truncated file as a missing object ("name not defined!").
    throw new WeightsFormatError(`${source} is a damaged or truncated HDF5 file (${bytes.length} bytes): ${(e as Error).message}`);
  } finally {
    file?.close();
    FS.unlink(path);
  }
}

const maxLen = (xs: readonly string[]) => Math.max(1, ...xs.map((x) => new TextEncoder().encode(x).length));

/** Write a model's weights in Keras' save_weights layout (layers in model order; Keras' order, see keras-order.ts). */
export async function writeKerasH5(model: tf.LayersModel): Promise<Uint8Array> {
  const FS = await fs();
  const path = `/out-${Date.now()}-${counter++}.h5`;
  const file = new h5wasm.File(path, 'w');
  try {
    const names = model.layers.map((l) => l.name);
    file.create_attribute('layer_names', names, null, `S${maxLen(names)}`);
    file.create_attribute('backend', 'tensorflow', null, 'S10');
    file.create_attribute('keras_version', '2.13.1', null, 'S6');
    for (const layer of model.layers) {
      const g = file.create_group(layer.name);
      const wnames = layer.weights.map((w) => `${layer.name}/${weightSuffix(w)}:0`);
      g.create_attribute('weight_names', wnames, [wnames.length], `S${maxLen(wnames)}`);
      if (layer.weights.length === 0) continue;
      const inner = g.create_group(layer.name);
      const values = layer.getWeights();
      layer.weights.forEach((w, i) => {
        inner.create_dataset({
          name: `${weightSuffix(w)}:0`,
          data: values[i].dataSync() as Float32Array,
          shape: [...values[i].shape],
          dtype: '<f',
        });
      });
    }
    file.close();
    return FS.readFile(path);
  } finally {
    try {
      FS.unlink(path);
    } catch {
      // already gone
    }
  }
}

/** Keras ResNeXt's frozen `_2_gconv` group-sum layers are built into our grouped conv: not loaded. */
const BUILT_IN = /_gconv$/;

export interface H5LoadOptions {
  readonly byName?: boolean;
  readonly source?: string;
}

/** Pair weighted layers in order (Keras `load_weights`, by_name=False). All checks before any assignment. */
function assignByOrder(model: tf.LayersModel, h5: H5File, source: string): void {
  const ours = model.layers.filter((l) => l.weights.length > 0);
  const theirs = h5.layers.filter((l) => l.weights.length > 0 && !BUILT_IN.test(l.name));
  if (ours.length !== theirs.length) {
    const firstDiff = ours.findIndex((l, i) => !theirs[i] || theirs[i].weights.length !== l.weights.length);
    const at = firstDiff >= 0 ? firstDiff : Math.min(ours.length, theirs.length);
    throw new WeightsMismatchError(
      `${source} holds ${theirs.length} layers with weights; ${model.name} has ${ours.length}. ` +
        `First difference at #${at}: model layer "${ours[at]?.name ?? '(none)'}", file layer "${theirs[at]?.name ?? '(none)'}".`,
      ours[at]?.name ?? theirs[at]?.name ?? model.name,
    );
  }
  // Files whose layer names are all ours (or legacy ResNet names of ours) but in another order (legacy Keras
  // created the projection shortcut after the main path) would pair the wrong layers, silently where shapes
  // coincide (conv2_block1_0_conv and _3_conv are both [1, 1, 64, 256]): refuse and point to by-name loading.
  const ourNames = new Set(ours.map((l) => l.name));
  const mapped = theirs.map((l) => legacyToKeras(l.name, ours[ours.length - 1].name) ?? l.name);
  if (mapped.every((n) => ourNames.has(n))) {
    const at = mapped.findIndex((n, i) => n !== ours[i].name);
    if (at >= 0) {
      throw new WeightsMismatchError(
        `${source} has the same layers in another order: #${at} is "${theirs[at].name}" in the file but "${ours[at].name}" in the model. Load it by name.`,
        ours[at].name,
      );
    }
  }
  const plan: [tf.layers.Layer, tf.Tensor[]][] = [];
  try {
    ours.forEach((layer, i) => {
      const saved = theirs[i];
      if (saved.weights.length !== layer.weights.length) {
        throw new WeightsMismatchError(
          `layer #${i} "${layer.name}" expects ${layer.weights.length} weights, but the file's layer #${i} "${saved.name}" has ${saved.weights.length}.`,
          layer.name,
        );
      }
      const values = layer.weights.map((w, j) => {
        const s = saved.weights[j];
        if (!tfc.util.arraysEqual(s.shape as number[], w.shape as number[])) {
          throw new WeightsMismatchError(
            `layer #${i} "${layer.name}" (file: "${saved.name}"), weight "${s.name}": the model expects ${fmtShape(w.shape)}, the file has ${fmtShape(s.shape)}.`,
            layer.name,
            w.shape as number[],
            s.shape,
          );
        }
        return tfc.tensor(s.data, [...s.shape]);
      });
      plan.push([layer, values]);
    });
    for (const [layer, values] of plan) layer.setWeights(values);
  } finally {
    for (const [, values] of plan) tfc.dispose(values);
  }
}

/** Match layers by name (Keras by_name=True; legacy ResNet names mapped), strictly: every model weight is needed. */
function assignByName(model: tf.LayersModel, h5: H5File, source: string): void {
  const named = new Map<string, tf.Tensor>();
  const classifier = model.layers[model.layers.length - 1].name;
  try {
    for (const l of h5.layers) {
      if (BUILT_IN.test(l.name)) continue;
      const layer = legacyToKeras(l.name, classifier) ?? l.name;
      for (const w of l.weights) {
        const suffix = w.name.slice(w.name.lastIndexOf('/') + 1).replace(/:\d+$/, '');
        named.set(`${layer}/${suffix}`, tfc.tensor(w.data, [...w.shape]));
      }
    }
    assignNamedWeights(model, named, { source });
  } finally {
    tfc.dispose([...named.values()]);
  }
}

/** Load Keras .h5 weights into `model`; all or nothing. */
export async function loadKerasH5Weights(model: tf.LayersModel, bytes: Uint8Array, opts: H5LoadOptions = {}): Promise<void> {
  const source = opts.source ?? 'the .h5 file';
  const h5 = await readKerasH5(bytes, source);
  if (opts.byName) assignByName(model, h5, source);
  else assignByOrder(model, h5, source);
}
