/**
 * Weight bytes in one buffer, without tfjs code (the model worker's entry reads the cache before tfjs loads):
 * tfjs allows a model's weightData to be a list of buffers, and a download arrives in chunks.
 */
import type * as tf from '@tensorflow/tfjs';

/** The parts laid end to end in one new buffer. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** One ArrayBuffer of weights (as given, or a list concatenated); undefined when there are none. */
export function singleBuffer(d: tf.io.ModelArtifacts['weightData']): ArrayBuffer | undefined {
  if (d instanceof ArrayBuffer) return d;
  if (!Array.isArray(d)) return undefined;
  return concatBytes(d.map((b) => new Uint8Array(b))).buffer;
}

/**
 * Weight buffers read from a Blob the browser already holds (a download kept as Blobs, src/tf/layers-model-io.ts),
 * so the cache can store that Blob instead of copying the bytes out of this thread into a new one (issue 11). The
 * buffer must not be written to afterwards: nothing in the app writes to downloaded weight bytes.
 */
const sourceBlobs = new WeakMap<ArrayBuffer, Blob>();

/** Record that `blob` holds exactly the bytes of `buffer`. */
export function rememberSourceBlob(buffer: ArrayBuffer, blob: Blob): void {
  if (blob.size !== buffer.byteLength) throw new RangeError(`a source Blob of ${blob.size} bytes for a buffer of ${buffer.byteLength}`);
  sourceBlobs.set(buffer, blob);
}

/** The Blob `buffer` was read from, when one was recorded. */
export function sourceBlobOf(buffer: ArrayBuffer): Blob | undefined {
  return sourceBlobs.get(buffer);
}
