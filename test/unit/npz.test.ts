import { readFileSync } from 'node:fs';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { crc32, NpyFormatError, parseNpy, parseNpz } from '../../src/core/npz';
import { fixture } from './helpers/fixtures';

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

/** A zip as numpy.savez (stored, level 0) or savez_compressed (deflate) writes it, with real CRC-32s. */
function zip(entries: [string, Uint8Array][], level: 0 | 6 = 0): Uint8Array {
  return zipSync(Object.fromEntries(entries.map(([n, d]) => [n, [d, { level }]])));
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

  it('reads deflated archives (numpy.savez_compressed) too', async () => {
    const a = npy('<f4', [3], new Float32Array([1.5, -2, 4]).buffer);
    const arrays = await parseNpz(zip([['w.npy', a]], 6));
    expect(Array.from(arrays.get('w')!.data)).toEqual([1.5, -2, 4]);
  });

  it('CRC-32 is the zip checksum (check value of "123456789")', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('a corrupted byte in the real akamaster .npz is refused with a CRC error naming the entry', async () => {
    const bytes = new Uint8Array(readFileSync(fixture('cifar-akamaster', 'resnet20-12fca82f.npz')));
    expect((await parseNpz(bytes)).size).toBeGreaterThan(90); // intact: loads
    // Byte 1000 lies in the data of the first entry, module.conv1.weight.npy (stored, 1856 bytes from offset 0).
    const bad = bytes.slice();
    bad[1000] ^= 0x40;
    await expect(parseNpz(bad, 'resnet20.npz')).rejects.toThrow(
      /^resnet20\.npz: module\.conv1\.weight\.npy fails its CRC-32 check \(stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}\): the file is damaged/,
    );
  });

  it('a damaged deflate stream is a clear error too', async () => {
    const a = npy('<f4', [64], new Float32Array(64).map((_, i) => Math.sin(i)).buffer);
    const z = zip([['w.npy', a]], 6);
    const bad = z.slice();
    for (let i = 40; i < 60; i++) bad[i] ^= 0xff; // inside the compressed data (local header is 35 bytes)
    await expect(parseNpz(bad, 'w.npz')).rejects.toThrow(/^w\.npz(: w\.npy fails its CRC-32 check| is a corrupt zip \(\.npz\) archive: )/);
  });
});
