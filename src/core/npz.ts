/**
 * NumPy `.npy` / `.npz` reading, pure TypeScript (no Node or DOM APIs beyond DecompressionStream for
 * compressed archives). `.npz` is a zip of `.npy` files (numpy.lib.npyio.savez); `.npy` is a magic string,
 * a Python-dict header and the raw little-endian array (numpy/lib/format.py, versions 1–3).
 */

export interface NpyArray {
  readonly shape: readonly number[];
  /** NumPy dtype string as stored, e.g. `<f4`. */
  readonly dtype: string;
  /** float32 for floating dtypes, int32 for integer/bool ones (int64 values must fit in 2^53). */
  readonly data: Float32Array | Int32Array;
}

export class NpyFormatError extends Error {
  override readonly name = 'NpyFormatError';
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export function parseNpy(bytes: Uint8Array, name = 'array'): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new NpyFormatError(`${name}: not a .npy file (missing \\x93NUMPY magic)`);
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    headerLen = view.getUint32(8, true);
    start = 12;
  } else {
    throw new NpyFormatError(`${name}: .npy version ${major} is not supported (1, 2 or 3 are)`);
  }
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new NpyFormatError(`${name}: unreadable header ${header.trim()}`);
  if (fortran === 'True') throw new NpyFormatError(`${name}: Fortran-ordered arrays are not supported`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  const size = shape.reduce((a, b) => a * b, 1);
  const offset = start + headerLen;
  const body = bytes.subarray(offset);
  const little = descr[0] === '<' || descr[0] === '|' || descr[0] === '=';
  if (!little) throw new NpyFormatError(`${name}: big-endian dtype ${descr} is not supported`);
  const kind = descr.slice(1);
  const itemSize: Record<string, number> = { f4: 4, f8: 8, f2: 2, i4: 4, i8: 8, u1: 1, b1: 1, i2: 2, i1: 1 };
  const bytesPer = itemSize[kind];
  if (bytesPer === undefined) throw new NpyFormatError(`${name}: dtype ${descr} is not supported (float16/32/64, int8–64, uint8, bool are)`);
  if (body.length < size * bytesPer) {
    throw new NpyFormatError(`${name}: ${body.length} data bytes for shape (${shape.join(', ')}) of ${descr}; expected ${size * bytesPer}`);
  }
  const dv = new DataView(body.buffer, body.byteOffset, size * bytesPer);
  const get: (i: number) => number = {
    f4: (i: number) => dv.getFloat32(i * 4, true),
    f8: (i: number) => dv.getFloat64(i * 8, true),
    f2: (i: number) => halfToFloat(dv.getUint16(i * 2, true)),
    i4: (i: number) => dv.getInt32(i * 4, true),
    i8: (i: number) => Number(dv.getBigInt64(i * 8, true)),
    i2: (i: number) => dv.getInt16(i * 2, true),
    i1: (i: number) => dv.getInt8(i),
    u1: (i: number) => dv.getUint8(i),
    b1: (i: number) => dv.getUint8(i),
  }[kind]!;
  const data = kind[0] === 'f' ? new Float32Array(size) : new Int32Array(size);
  for (let i = 0; i < size; i++) data[i] = get(i);
  return { shape, dtype: descr, data };
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? Number.NaN : s * Number.POSITIVE_INFINITY;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

async function inflateRaw(data: Uint8Array): Promise<Uint8Array> {
  if (typeof DecompressionStream === 'undefined') throw new NpyFormatError('compressed .npz needs DecompressionStream');
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Every array of an .npz, keyed by name without the `.npy` suffix, in archive order. */
export async function parseNpz(bytes: Uint8Array): Promise<Map<string, NpyArray>> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // End of central directory: last occurrence of PK\5\6 within the final 64 KiB + 22 bytes.
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 65_557); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new NpyFormatError('not a zip (.npz) archive: no end-of-central-directory record');
  const count = view.getUint16(eocd + 10, true);
  let p = view.getUint32(eocd + 16, true);
  if (p === 0xffffffff) throw new NpyFormatError('zip64 .npz archives are not supported');
  const out = new Map<string, NpyArray>();
  for (let k = 0; k < count; k++) {
    if (view.getUint32(p, true) !== 0x02014b50) throw new NpyFormatError(`corrupt zip central directory at byte ${p}`);
    const method = view.getUint16(p + 10, true);
    const compSize = view.getUint32(p + 20, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    const local = view.getUint32(p + 42, true);
    const name = new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nameLen));
    p += 46 + nameLen + extraLen + commentLen;
    if (compSize === 0xffffffff || local === 0xffffffff) throw new NpyFormatError(`${name}: zip64 entries are not supported`);
    if (view.getUint32(local, true) !== 0x04034b50) throw new NpyFormatError(`${name}: corrupt local header`);
    const dataStart = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    const raw = bytes.subarray(dataStart, dataStart + compSize);
    let content: Uint8Array;
    if (method === 0) content = raw;
    else if (method === 8) content = await inflateRaw(raw);
    else throw new NpyFormatError(`${name}: zip compression method ${method} is not supported (stored or deflate are)`);
    const key = name.endsWith('.npy') ? name.slice(0, -4) : name;
    out.set(key, parseNpy(content, key));
  }
  return out;
}
