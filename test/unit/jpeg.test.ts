/**
 * src/tf/jpeg.ts + jpeg-turbo.ts: the JPEG decoder shared by the command line and the model worker (libjpeg-turbo
 * in wasm), with EXIF orientation. The Keras test photos decode to exactly Pillow's pixels (what Keras reads).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { ImageInputError } from '../../src/tf/errors';
import { decodeJpeg, exifOrientation, jpegExif, orient } from '../../src/tf/jpeg';
import { JpegTurboError } from '../../src/tf/jpeg-turbo';
import { nodeJpegDecoder } from '../../src/tf/node-image';
import { fixture } from '../helpers/fixtures';

/** An APP1 payload as cameras write it: "Exif\0\0", a little- or big-endian TIFF header, IFD0 with one tag. */
function exif(orientation: number, little = true): Uint8Array {
  const b = new Uint8Array(6 + 8 + 2 + 12 + 4);
  const v = new DataView(b.buffer, 6);
  b.set([0x45, 0x78, 0x69, 0x66, 0, 0]);
  b.set(little ? [0x49, 0x49] : [0x4d, 0x4d], 6);
  v.setUint16(2, 42, little);
  v.setUint32(4, 8, little);
  v.setUint16(8, 1, little); // one entry
  v.setUint16(10, 0x0112, little); // Orientation
  v.setUint16(12, 3, little); // SHORT
  v.setUint32(14, 1, little);
  v.setUint16(18, orientation, little);
  return b;
}

/** 3×2 image, every pixel distinct: value = 10·(y·3 + x) + 10 in all channels. */
const W = 3;
const H = 2;
const pixel = (x: number, y: number) => 10 * (y * W + x) + 10;
function image(): { width: number; height: number; data: Uint8Array } {
  const data = new Uint8Array(W * H * 4);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data.set([pixel(x, y), pixel(x, y), pixel(x, y), 255], (y * W + x) * 4);
  return { width: W, height: H, data };
}
const grid = (img: { width: number; height: number; data: ArrayLike<number> }) =>
  Array.from({ length: img.height }, (_, y) => Array.from({ length: img.width }, (_, x) => img.data[(y * img.width + x) * 4]));

describe('EXIF orientation', () => {
  it('reads the tag from little- and big-endian TIFF, as jpegExif hands it over (after "Exif\\0")', () => {
    for (const o of [1, 3, 6, 8]) {
      expect(exifOrientation(exif(o).subarray(5))).toBe(o);
      expect(exifOrientation(exif(o, false).subarray(5))).toBe(o);
    }
    expect(exifOrientation(undefined)).toBe(1);
    expect(exifOrientation(new Uint8Array([1, 2, 3]))).toBe(1);
    expect(exifOrientation(exif(9).subarray(5))).toBe(1); // out of range: upright
  });

  it('turns the stored pixels the way the tag says (6: rotate 90° clockwise, 3: 180°, 8: 90° counter-clockwise, 2: mirror)', () => {
    const src = image();
    expect(grid(src)).toEqual([
      [10, 20, 30],
      [40, 50, 60],
    ]);
    expect(grid(orient(src, 6))).toEqual([
      [40, 10],
      [50, 20],
      [60, 30],
    ]);
    expect(grid(orient(src, 8))).toEqual([
      [30, 60],
      [20, 50],
      [10, 40],
    ]);
    expect(grid(orient(src, 3))).toEqual([
      [60, 50, 40],
      [30, 20, 10],
    ]);
    expect(grid(orient(src, 2))).toEqual([
      [30, 20, 10],
      [60, 50, 40],
    ]);
    expect(grid(orient(src, 5))).toEqual([
      [10, 40],
      [20, 50],
      [30, 60],
    ]);
  });

  it('a JPEG with orientation 6 decodes upright: width and height swap', () => {
    const big = { width: 64, height: 32, data: new Uint8Array(64 * 32 * 4).map((_, i) => (i % 4 === 3 ? 255 : i % 4 === 0 ? (Math.floor(i / 4) % 64) * 4 : 128)) };
    const file = jpeg.encode({ ...big, exifBuffer: Buffer.from(exif(6)) } as Parameters<typeof jpeg.encode>[0], 95).data;
    const plainFile = new Uint8Array(jpeg.encode(big, 95).data);
    expect(jpegExif(plainFile)).toBeUndefined();
    expect(exifOrientation(jpegExif(new Uint8Array(file)))).toBe(6);
    const plain = decodeJpeg(plainFile, 'plain.jpg', nodeJpegDecoder());
    expect([plain.width, plain.height]).toEqual([64, 32]);
    const turned = decodeJpeg(new Uint8Array(file), 'phone.jpg', nodeJpegDecoder());
    expect([turned.width, turned.height]).toEqual([32, 64]);
    // Rotated clockwise: the stored left edge (dark red) is now the top row.
    expect(turned.data[0]).toBeLessThan(30);
    expect(turned.data[(63 * 32) * 4]).toBeGreaterThan(200);
  });

  it('a corrupt JPEG names the file; the decoder goes on decoding the next one', () => {
    const d = nodeJpegDecoder();
    expect(() => decodeJpeg(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0]), 'bad.jpg', d)).toThrow(/bad.jpg is a corrupt or unsupported JPEG file/);
    const elephant = readFileSync(fixture('imagenet', 'elephant.jpg'));
    // A quantization table segment too short: libjpeg's error exit, unwound out of the wasm call mid-decode.
    let failed: unknown;
    try {
      d.decode(new Uint8Array([0xff, 0xd8, 0xff, 0xdb, 0, 3, 0xff, 0xd9]), 1e6);
    } catch (e) {
      failed = e;
    }
    expect(failed).toBeInstanceOf(JpegTurboError);
    expect(decodeJpeg(new Uint8Array(elephant), 'elephant.jpg', d).width).toBe(700);
  });

  it('a file cut short is refused, as Pillow refuses it', () => {
    const elephant = readFileSync(fixture('imagenet', 'elephant.jpg'));
    for (const part of [0.6, 0.99]) {
      const cut = new Uint8Array(elephant.subarray(0, Math.floor(elephant.length * part)));
      expect(nodeJpegDecoder().decode(cut, 1e7).warned).toBe(true); // libjpeg decodes it, filling in grey
      expect(() => decodeJpeg(cut, 'cut.jpg', nodeJpegDecoder())).toThrow(/^cut.jpg is cut short: the file ends before its image does/);
    }
    expect(decodeJpeg(new Uint8Array(elephant), 'elephant.jpg', nodeJpegDecoder()).height).toBe(466);
  });

  it("stray bytes between segments are decoded to the clean file's pixels, as Pillow decodes them", () => {
    // Pillow 9 gives the elephant's own pixels for each of these (checked with Image.open(...).convert('RGB')): it
    // ignores libjpeg's warnings and refuses only data that ends early.
    const elephant = new Uint8Array(readFileSync(fixture('imagenet', 'elephant.jpg')));
    const clean = decodeJpeg(elephant, 'elephant.jpg', nodeJpegDecoder());
    const markerAt = (m: number) => elephant.findIndex((b, i) => b === 0xff && elephant[i + 1] === m);
    const insert = (at: number, extra: number[]) => new Uint8Array([...elephant.subarray(0, at), ...extra, ...elephant.subarray(at)]);
    const variants = {
      'before EOI': insert(elephant.length - 2, [1, 2, 3]),
      'before SOS': insert(markerAt(0xda), [1, 2, 3]),
      'before DHT': insert(markerAt(0xc4), [0, 0]),
      'after EOI': new Uint8Array([...elephant, ...new TextEncoder().encode('garbage')]),
    };
    for (const [where, bytes] of Object.entries(variants)) {
      const img = decodeJpeg(bytes, `${where}.jpg`, nodeJpegDecoder());
      expect(img.width, where).toBe(700);
      expect(Buffer.from(img.data).equals(Buffer.from(clean.data)), where).toBe(true);
    }
    expect(nodeJpegDecoder().decode(variants['before EOI'], 1e7).warned).toBe(true);
  });

  it('refuses a JPEG over the pixel limit from its header, before decoding it', () => {
    const file = new Uint8Array(jpeg.encode({ width: 16, height: 16, data: new Uint8Array(16 * 16 * 4).fill(200) }, 90).data);
    // SOF0: FF C0, length (2), precision (1), height (2), width (2).
    const sof = file.findIndex((b, i) => b === 0xff && file[i + 1] === 0xc0);
    file.set([0x27, 0x10, 0x27, 0x10], sof + 5); // 10000 × 10000
    expect(() => decodeJpeg(file, 'huge.jpg', nodeJpegDecoder())).toThrow(ImageInputError);
    expect(() => decodeJpeg(file, 'huge.jpg', nodeJpegDecoder())).toThrow(/huge.jpg is too large: 10000×10000 is over 50000000 pixels/);
  });

  it("decodes the Keras test photos to exactly Pillow's pixels (jpeg-js, used before, differed by up to 4 levels)", () => {
    // SHA-256 of the RGB bytes from Pillow 9.4 (libjpeg-turbo 2.1), `Image.open(f).convert('RGB')`: what Keras'
    // image.load_img reads.
    const pillow: Record<string, string> = {
      'elephant.jpg': '988a56685295af275589bc5a66411ad781253f74621eb677e8aeffae5d773313',
      'cat.jpg': 'e13c89510e993577af51538a704464a5033d010beed0cfbcbffea8f2aabe863f',
    };
    for (const [name, sha] of Object.entries(pillow)) {
      const bytes = new Uint8Array(readFileSync(fixture('imagenet', name)));
      const rgba = decodeJpeg(bytes, name, nodeJpegDecoder());
      const rgb = new Uint8Array(rgba.width * rgba.height * 3);
      for (let p = 0; p < rgba.width * rgba.height; p++) rgb.set([rgba.data[4 * p], rgba.data[4 * p + 1], rgba.data[4 * p + 2]], 3 * p);
      expect(createHash('sha256').update(rgb).digest('hex'), name).toBe(sha);
      const old = jpeg.decode(bytes, { useTArray: true });
      let most = 0;
      for (let i = 0; i < old.data.length; i++) most = Math.max(most, Math.abs(old.data[i] - rgba.data[i]));
      expect(most, name).toBeGreaterThan(0);
    }
  });
});
