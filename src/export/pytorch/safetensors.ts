/**
 * safetensors writer, as the format defines it (huggingface/safetensors README, "Format"):
 *   8 bytes: N, the header size, unsigned 64-bit little-endian;
 *   N bytes: a UTF-8 JSON object {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}},
 *            padded with spaces (0x20) so the data starts on an 8-byte boundary;
 *   the rest: the tensors' bytes, little-endian, row-major, contiguous and without gaps; offsets are relative to
 *            the start of this buffer.
 */
import type { TorchTensor } from './keys';

const BYTES = { F32: 4, I64: 8 } as const;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function writeSafetensors(
  tensors: readonly TorchTensor[],
  metadata: Readonly<Record<string, string>> = {},
  progress?: (done: number, total: number) => void,
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of tensors) {
    if (t.key in header) throw new Error(`safetensors: duplicate tensor name ${t.key}`);
    const size = t.shape.reduce((a, b) => a * b, 1) * BYTES[t.dtype];
    header[t.key] = { dtype: t.dtype, shape: [...t.shape], data_offsets: [offset, offset + size] };
    offset += size;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  // The data starts on an 8-byte boundary and every tensor's size is a multiple of its element size, so each
  // tensor can be written in place through a typed-array view (little-endian platforms: all current ones).
  let at = 8 + padded;
  tensors.forEach((t, i) => {
    const n = t.shape.reduce((a, b) => a * b, 1);
    const F = t.dtype === 'F32' ? Float32Array : BigInt64Array;
    if (LITTLE_ENDIAN && at % F.BYTES_PER_ELEMENT === 0) {
      t.write(new F(out.buffer, at, n));
    } else {
      const tmp = new F(n);
      t.write(tmp);
      for (let j = 0; j < n; j++) {
        if (tmp instanceof Float32Array) view.setFloat32(at + j * 4, tmp[j], true);
        else view.setBigInt64(at + j * 8, tmp[j], true);
      }
    }
    at += n * BYTES[t.dtype];
    progress?.(i + 1, tensors.length);
  });
  return out;
}

export interface SafetensorsEntry {
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly data_offsets: readonly [number, number];
}

/** The header of a safetensors file (for tests and checks): tensors, metadata and where the data starts. */
export function readSafetensorsHeader(bytes: Uint8Array): {
  readonly tensors: Readonly<Record<string, SafetensorsEntry>>;
  readonly metadata: Readonly<Record<string, string>>;
  readonly dataStart: number;
} {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true));
  const parsed = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, unknown>;
  const { __metadata__: metadata = {}, ...tensors } = parsed;
  return { tensors: tensors as Record<string, SafetensorsEntry>, metadata: metadata as Record<string, string>, dataStart: 8 + n };
}
