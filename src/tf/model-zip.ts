/**
 * A model download is one .zip (stored, not deflated: float32 weights barely compress and storing is a copy),
 * because a page that starts a second download without a new click meets Chromium's "download multiple files"
 * permission prompt (chrome://settings/content/automaticDownloads), and a tfjs model needs both of its files.
 * The zip holds exactly the files `tf.loadLayersModel` (or this app's "tfjs model files") reads.
 */
import { unzipSync, zipSync } from 'fflate';
import { WeightsFormatError } from './errors';
import type { ExportedLayersModel } from './layers-model-export';
import type { NamedBlob } from './layers-model-io';

export interface ZipEntry {
  readonly name: string;
  readonly data: Uint8Array;
}

/** A store-only zip of the entries, in the given order. */
export function zipStored(entries: readonly ZipEntry[]): ArrayBuffer {
  const seen = new Set<string>();
  for (const e of entries) {
    if (seen.has(e.name)) throw new Error(`zip entry "${e.name}" appears twice`);
    seen.add(e.name);
  }
  const zip = zipSync(Object.fromEntries(entries.map((e) => [e.name, [e.data, { level: 0 }]])));
  return zip.buffer.byteLength === zip.byteLength ? zip.buffer : zip.slice().buffer;
}

/** `${name}.tfjs.zip`: model.json + `${name}.weights.bin`, the paths model.json's manifest names. */
export function layersModelZip(m: ExportedLayersModel): { readonly zip: ArrayBuffer; readonly filename: string } {
  const zip = zipStored([
    { name: 'model.json', data: new TextEncoder().encode(m.modelJson) },
    { name: `${m.name}.weights.bin`, data: new Uint8Array(m.weights) },
  ]);
  return { zip, filename: `${m.name}.tfjs.zip` };
}

/** The files inside a picked .zip, as named blobs (folders inside the zip are dropped from the names). */
export function unzipToBlobs(bytes: Uint8Array, source: string): NamedBlob[] {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new WeightsFormatError(`${source} is not a readable zip (${bytes.byteLength} bytes): ${why}`);
  }
  return Object.entries(files)
    .filter(([name]) => !name.endsWith('/'))
    .map(([name, data]) => {
      const base = name.split('/').pop()!;
      return {
        name: base,
        arrayBuffer: async () => data.slice().buffer,
        text: async () => new TextDecoder().decode(data),
      };
    });
}
