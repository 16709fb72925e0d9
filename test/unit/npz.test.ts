import { describe, expect, it } from 'vitest';
import { NpyFormatError, parseNpy, parseNpz } from '../../src/core/npz';

/** A .npy v1 file as numpy.save writes it: magic, version, header padded to 64 bytes with '\n'. */
function npy(descr: string, shape: number[], body: ArrayBuffer, fortran = false): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const out = new Uint8Array(total + body.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(body), total);
  return out;
}

/** A stored (uncompressed) zip, as numpy.savez writes. */
function zip(entries: [string, Uint8Array][]): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const [name, data] of entries) {
    const n = new TextEncoder().encode(name);
    const local = new Uint8Array(30 + n.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint32(18, data.length, true);
    lv.setUint32(22, data.length, true);
    lv.setUint16(26, n.length, true);
    local.set(n, 30);
    const c = new Uint8Array(46 + n.length);
    const cv = new DataView(c.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint32(20, data.length, true);
    cv.setUint32(24, data.length, true);
    cv.setUint16(28, n.length, true);
    cv.setUint32(42, offset, true);
    c.set(n, 46);
    parts.push(local, data);
    central.push(c);
    offset += local.length + data.length;
  }
  const cdSize = central.reduce((a, c) => a + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  const all = [...parts, ...central, end];
  const out = new Uint8Array(all.reduce((a, p) => a + p.length, 0));
  let p = 0;
  for (const a of all) {
    out.set(a, p);
    p += a.length;
  }
  return out;
}

describe('npy / npz reading', () => {
  it('reads float32, float64 and int64 arrays with their shapes', () => {
    const f4 = parseNpy(npy('<f4', [2, 3], new Float32Array([1, 2, 3, 4, 5, 6.5]).buffer));
    expect(f4.shape).toEqual([2, 3]);
    expect(Array.from(f4.data)).toEqual([1, 2, 3, 4, 5, 6.5]);
    const f8 = parseNpy(npy('<f8', [2], new Float64Array([0.1, -2]).buffer));
    expect(f8.data[0]).toBeCloseTo(0.1, 7);
    const i8 = parseNpy(npy('<i8', [3], new BigInt64Array([1n, -5n, 7n]).buffer));
    expect(Array.from(i8.data)).toEqual([1, -5, 7]);
    expect(parseNpy(npy('<f4', [], new Float32Array([3]).buffer)).shape).toEqual([]);
  });

  it('rejects what it cannot read, saying why', () => {
    expect(() => parseNpy(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]))).toThrow(NpyFormatError);
    expect(() => parseNpy(npy('>f4', [1], new ArrayBuffer(4)))).toThrow(/big-endian/);
    expect(() => parseNpy(npy('<f4', [2, 2], new ArrayBuffer(16), true))).toThrow(/Fortran/);
    expect(() => parseNpy(npy('<c8', [1], new ArrayBuffer(8)))).toThrow(/dtype <c8 is not supported/);
    expect(() => parseNpy(npy('<f4', [4], new ArrayBuffer(8)))).toThrow(/8 data bytes/);
  });

  it('reads every array of a stored zip, keyed without .npy', async () => {
    const a = npy('<f4', [2], new Float32Array([1, 2]).buffer);
    const b = npy('<i4', [1, 1], new Int32Array([9]).buffer);
    const arrays = await parseNpz(zip([['a.npy', a], ['dir/b.npy', b]]));
    expect([...arrays.keys()]).toEqual(['a', 'dir/b']);
    expect(Array.from(arrays.get('dir/b')!.data)).toEqual([9]);
    await expect(parseNpz(new Uint8Array(100))).rejects.toThrow(/not a zip/);
  });
});
