/**
 * Keras HDF5 weight files (Keras 2 `save_weights` layout, as the official keras-applications files):
 * root attrs `layer_names`, `backend`, `keras_version`; one group per layer with attr `weight_names`; datasets at
 * `<layer>/<weight name>` e.g. `conv1_conv/conv1_conv/kernel:0`. Full-model `.h5` files keep the same under
 * `model_weights/`. Read and written with h5wasm (the HDF5 C library compiled to WebAssembly), in memory.
 */
import h5wasm from 'h5wasm';

export interface WeightArray {
  /** Keras weight name, e.g. `conv1_conv/kernel:0`. */
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export interface LayerWeights {
  readonly layer: string;
  readonly weights: readonly WeightArray[];
}

export interface KerasWeightsFile {
  /** Every layer named in `layer_names`, in file order (layers without weights have none). */
  readonly layers: readonly LayerWeights[];
  readonly kerasVersion?: string;
  readonly backend?: string;
}

export class WeightsFileError extends Error {
  override readonly name = 'WeightsFileError';
}

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** HDF5 files start with a signature at 0, 512, 1024, … (after an optional user block). */
export function isHdf5(bytes: Uint8Array): boolean {
  for (let offset = 0; offset + 8 <= bytes.length && offset <= 8192; offset = offset === 0 ? 512 : offset * 2) {
    if (HDF5_SIGNATURE.every((b, i) => bytes[offset + i] === b)) return true;
  }
  return false;
}

let counter = 0;
async function fs() {
  const mod = await h5wasm.ready;
  return mod.FS;
}

function strings(value: unknown): string[] {
  const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return list.map((v) => (v instanceof Uint8Array ? new TextDecoder().decode(v) : String(v)).replace(/\0+$/, ''));
}

function toFloat32(value: unknown, what: string): Float32Array {
  if (value instanceof Float32Array) return value;
  if (value instanceof Float64Array || value instanceof Int32Array || value instanceof Uint8Array || value instanceof Int8Array) {
    return Float32Array.from(value);
  }
  if (value instanceof Uint16Array) {
    throw new WeightsFileError(`${what} is stored as float16, which is not supported; re-save the weights as float32.`);
  }
  throw new WeightsFileError(`${what} is not a numeric array`);
}

/** Parse a Keras weights file. Throws WeightsFileError with a plain message for anything that is not one. */
export async function readKerasH5(bytes: Uint8Array, label = 'the file'): Promise<KerasWeightsFile> {
  if (bytes.length === 0) throw new WeightsFileError(`${label} is empty (0 bytes).`);
  if (!isHdf5(bytes)) throw new WeightsFileError(`${label} is not an HDF5 file (no HDF5 signature); expected a Keras .h5 weights file.`);
  const FS = await fs();
  const path = `/read-${++counter}.h5`;
  FS.writeFile(path, bytes);
  let file: InstanceType<typeof h5wasm.File> | undefined;
  try {
    try {
      file = new h5wasm.File(path, 'r');
    } catch (e) {
      throw new WeightsFileError(`${label} could not be opened as HDF5 (${(e as Error).message}); it may be truncated or corrupt.`);
    }
    let root: InstanceType<typeof h5wasm.Group> = file;
    if (!('layer_names' in root.attrs)) {
      const mw = file.get('model_weights');
      if (mw instanceof h5wasm.Group && 'layer_names' in mw.attrs) root = mw;
      else throw new WeightsFileError(`${label} is HDF5 but not a Keras weights file (no \`layer_names\` attribute).`);
    }
    const layers: LayerWeights[] = strings(root.attrs.layer_names.value).map((layer) => {
      const group = root.get(layer);
      if (!(group instanceof h5wasm.Group)) throw new WeightsFileError(`${label}: layer ${layer} is listed but has no group.`);
      const names = 'weight_names' in group.attrs ? strings(group.attrs.weight_names.value) : [];
      const weights = names.map((name) => {
        const ds = group.get(name);
        if (!(ds instanceof h5wasm.Dataset)) throw new WeightsFileError(`${label}: weight ${layer}/${name} is missing.`);
        let value: unknown;
        try {
          value = ds.value;
        } catch (e) {
          throw new WeightsFileError(`${label}: weight ${layer}/${name} could not be read (${(e as Error).message}); the file may be truncated.`);
        }
        return { name, shape: [...(ds.shape ?? [])], data: toFloat32(value, `${layer}/${name}`) };
      });
      return { layer, weights };
    });
    const attr = (k: string) => (k in root.attrs ? strings(root.attrs[k].value)[0] : undefined) ?? (k in file!.attrs ? strings(file!.attrs[k].value)[0] : undefined);
    return { layers, kerasVersion: attr('keras_version'), backend: attr('backend') };
  } catch (e) {
    if (e instanceof WeightsFileError) throw e;
    throw new WeightsFileError(`${label} could not be read as a Keras weights file (${(e as Error).message}); it may be truncated or corrupt.`);
  } finally {
    file?.close();
    FS.unlink(path);
  }
}

/** Write a Keras 2 `save_weights` file that Keras' `load_weights` (and readKerasH5) reads. */
export async function writeKerasH5(contents: KerasWeightsFile): Promise<Uint8Array> {
  const FS = await fs();
  const path = `/write-${++counter}.h5`;
  const file = new h5wasm.File(path, 'w');
  try {
    file.create_attribute('layer_names', contents.layers.map((l) => l.layer));
    file.create_attribute('backend', contents.backend ?? 'tensorflow');
    file.create_attribute('keras_version', contents.kerasVersion ?? '2.13.1');
    for (const { layer, weights } of contents.layers) {
      const group = file.create_group(layer);
      group.create_attribute('weight_names', weights.map((w) => w.name), weights.length ? undefined : [0], weights.length ? undefined : 'S1');
      for (const w of weights) {
        const slash = w.name.lastIndexOf('/');
        let parent = group;
        if (slash > 0) {
          const sub = w.name.slice(0, slash);
          const existing = group.get(sub);
          parent = existing instanceof h5wasm.Group ? existing : group.create_group(sub);
        }
        parent.create_dataset({ name: w.name.slice(slash + 1), data: w.data, shape: [...w.shape], dtype: '<f' });
      }
    }
  } finally {
    file.close();
  }
  const bytes = FS.readFile(path);
  FS.unlink(path);
  return bytes;
}
