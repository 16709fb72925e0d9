/**
 * NumPy `.npy` / `.npz` reading, pure TypeScript (no Node or DOM APIs). `.npz` is a zip of `.npy` files
 * (numpy.lib.npyio.savez), unpacked with fflate; `.npy` is a magic string, a Python-dict header and the raw
 * little-endian array (numpy/lib/format.py, versions 1–3).
 */
import { unzipSync } from 'fflate';

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

/** CRC-32 (ISO 3309, the zip format's checksum), table-driven. */
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Offset of the end-of-central-directory record (APPNOTE.txt 4.3.16), or -1. */
function findEocd(view: DataView): number {
  for (let i = view.byteLength - 22; i >= Math.max(0, view.byteLength - 65_557); i--) {
    if (view.getUint32(i, true) === 0x06054b50) return i;
  }
  return -1;
}

/**
 * The CRC-32 each entry's central-directory record declares (APPNOTE.txt 4.3.12), by name. fflate walks the
 * archive and inflates, but its unzip does not compare checksums, so this reads the one field it leaves out.
 */
function declaredCrcs(view: DataView, eocd: number): Map<string, number> {
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  const out = new Map<string, number>();
  let p = view.getUint32(eocd + 16, true);
  const count = view.getUint16(eocd + 10, true);
  for (let k = 0; k < count && p + 46 <= bytes.length && view.getUint32(p, true) === 0x02014b50; k++) {
    const nameLen = view.getUint16(p + 28, true);
    // Names are UTF-8 when general-purpose bit 11 is set, else CP437 (read as latin1, as fflate does).
    const utf8 = (view.getUint16(p + 8, true) & 0x800) !== 0;
    const name = new TextDecoder(utf8 ? 'utf-8' : 'latin1').decode(bytes.subarray(p + 46, p + 46 + nameLen));
    out.set(name, view.getUint32(p + 16, true));
    p += 46 + nameLen + view.getUint16(p + 30, true) + view.getUint16(p + 32, true);
  }
  return out;
}

/**
 * Every array of an .npz, keyed by name without the `.npy` suffix, in archive order. The archive is read by
 * fflate (stored or deflated entries, zip64); each entry's CRC-32 is checked, so a damaged download is refused
 * with the entry's name instead of loading wrong weights.
 */
export async function parseNpz(bytes: Uint8Array, source = '.npz file'): Promise<Map<string, NpyArray>> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const eocd = findEocd(view);
  if (eocd < 0) throw new NpyFormatError(`${source} is not a zip (.npz) archive: no end-of-central-directory record (${bytes.length} bytes)`);
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch (e) {
    throw new NpyFormatError(`${source} is a corrupt zip (.npz) archive: ${e instanceof Error ? e.message : String(e)}`);
  }
  const crcs = declaredCrcs(view, eocd);
  const out = new Map<string, NpyArray>();
  for (const [name, content] of Object.entries(files)) {
    if (name.endsWith('/')) continue; // a directory entry
    const want = crcs.get(name);
    const got = crc32(content);
    if (want === undefined || want !== got) {
      throw new NpyFormatError(
        `${source}: ${name} fails its CRC-32 check (stored ${want === undefined ? 'none' : `0x${want.toString(16).padStart(8, '0')}`}, ` +
          `computed 0x${got.toString(16).padStart(8, '0')}): the file is damaged or truncated; download it again.`,
      );
    }
    const key = name.endsWith('.npy') ? name.slice(0, -4) : name;
    out.set(key, parseNpy(content, key));
  }
  return out;
}
