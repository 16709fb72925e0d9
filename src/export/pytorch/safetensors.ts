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

export function writeSafetensors(tensors: readonly TorchTensor[], metadata: Readonly<Record<string, string>> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of tensors) {
    if (t.key in header) throw new Error(`safetensors: duplicate tensor name ${t.key}`);
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) throw new Error(`safetensors: ${t.key} has ${t.data.length} values for shape [${t.shape.join(', ')}]`);
    const size = n * BYTES[t.dtype];
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
  let at = 8 + padded;
  for (const t of tensors) {
    const bytes = t.data.length * BYTES[t.dtype];
    if (LITTLE_ENDIAN) {
      out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, bytes), at);
    } else if (t.data instanceof Float32Array) {
      for (let i = 0; i < t.data.length; i++) view.setFloat32(at + i * 4, t.data[i], true);
    } else {
      for (let i = 0; i < t.data.length; i++) view.setBigInt64(at + i * 8, t.data[i], true);
    }
    at += bytes;
  }
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
