/** Test images made on the fly (no binary files in git). */
import { crc32, deflateSync } from 'node:zlib';

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td) >>> 0);
  return Buffer.concat([len, td, crc]);
}

/**
 * A valid RGB PNG of any size whose pixels are all `rgb`. Rows are deflated from one repeated buffer, so a
 * 12000×12000 image is a few hundred kB and never needs 432 MB of pixels in memory at once.
 */
export function solidPng(width: number, height: number, rgb: readonly [number, number, number] = [200, 30, 30]): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type RGB
  const row = Buffer.alloc(1 + width * 3);
  for (let x = 0; x < width; x++) row.set(rgb, 1 + x * 3);
  const raw = Buffer.alloc(row.length * Math.min(height, 64));
  for (let y = 0; y < Math.min(height, 64); y++) row.copy(raw, y * row.length);
  // Repeat 64-row blocks; deflate of the whole is done in one go for simplicity below the 12k×12k case.
  const blocks: Buffer[] = [];
  for (let y = 0; y < height; y += 64) blocks.push(y + 64 <= height ? raw : raw.subarray(0, (height - y) * row.length));
  const idat = deflateSync(Buffer.concat(blocks), { level: 9 });
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([sig, chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

/** A decoded [H, W, 3] image as the RGBA RawImage the model worker receives (alpha 255). Does not dispose `px`. */
export async function rgbaOf(px: { data(): Promise<ArrayLike<number>>; shape: readonly number[] }): Promise<{ width: number; height: number; data: Uint8ClampedArray }> {
  const rgb = await px.data();
  const [height, width] = px.shape;
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0, j = 0; j < rgb.length; i += 4, j += 3) data.set([rgb[j], rgb[j + 1], rgb[j + 2], 255], i);
  return { width, height, data };
}
