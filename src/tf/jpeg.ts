/**
 * JPEG → RGBA pixels with one decoder in the command line and in the model worker: libjpeg-turbo in WebAssembly
 * (src/tf/jpeg-turbo.ts). JPEG decoders differ in chroma upsampling and IDCT rounding (jpeg-js, used before, and
 * libjpeg-turbo differ by up to 4 levels per channel on the Keras test photos, which moves probabilities by up to
 * 6e-3), so both sides use the same binary, the library Pillow uses for Keras. The EXIF orientation is applied, as
 * browsers do when they show a photo, so a phone picture is classified upright everywhere.
 */
import { ImageInputError } from './errors';
import { MAX_PIXELS } from './image-sniff';
import { jpegCutShort, jpegHeaderSegments } from './jpeg-segments';
import { type JpegDecoder, type JpegPixels, JpegTurboError } from './jpeg-turbo';
import type { Rgba } from './pixels';

/**
 * The EXIF block of a JPEG: the payload of its first APP1 segment that starts "Exif\0", from the byte after that
 * (the second padding zero of "Exif\0\0", then a TIFF header); undefined when there is none before the image data.
 */
export function jpegExif(bytes: Uint8Array): Uint8Array | undefined {
  const exif = [0x45, 0x78, 0x69, 0x66, 0]; // "Exif\0"
  for (const { marker, start, end } of jpegHeaderSegments(bytes)) {
    if (marker === 0xe1 && end - start >= exif.length && exif.every((b, i) => bytes[start + i] === b)) return bytes.subarray(start + exif.length, end);
  }
  return undefined;
}

/**
 * EXIF orientation (TIFF tag 0x0112, values 1–8) from an EXIF block as `jpegExif` gives it: the APP1 payload after
 * "Exif\0", i.e. the second padding zero of "Exif\0\0" and then a TIFF header and IFD0. 1 (upright) when absent or
 * unreadable.
 */
export function exifOrientation(exif: Uint8Array | undefined): number {
  const tiff = exif && exif[0] === 0 ? exif.subarray(1) : exif;
  if (!tiff || tiff.length < 8) return 1;
  const little = tiff[0] === 0x49 && tiff[1] === 0x49; // "II"
  if (!little && !(tiff[0] === 0x4d && tiff[1] === 0x4d)) return 1; // nor "MM"
  const u16 = (i: number) => (little ? tiff[i] | (tiff[i + 1] << 8) : (tiff[i] << 8) | tiff[i + 1]);
  const u32 = (i: number) => (little ? u16(i) + u16(i + 2) * 65536 : u16(i) * 65536 + u16(i + 2));
  const ifd = u32(4);
  if (ifd + 2 > tiff.length) return 1;
  const count = u16(ifd);
  for (let k = 0; k < count; k++) {
    const e = ifd + 2 + 12 * k;
    if (e + 12 > tiff.length) return 1;
    if (u16(e) === 0x0112) {
      const v = u16(e + 8);
      return v >= 1 && v <= 8 ? v : 1;
    }
  }
  return 1;
}

/** Apply an EXIF orientation to RGBA pixels (TIFF 6.0 / EXIF 2.3 tag 274: 2 mirror, 3 rotate 180, 6 rotate 90° cw, …). */
export function orient(img: Rgba, orientation: number): Rgba {
  if (orientation <= 1 || orientation > 8) return img;
  const { width: w, height: h, data } = img;
  const swap = orientation >= 5;
  const W = swap ? h : w;
  const H = swap ? w : h;
  const out = new Uint8ClampedArray(W * H * 4);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      // Source pixel (sx, sy) shown at (x, y).
      let sx: number;
      let sy: number;
      switch (orientation) {
        case 2: [sx, sy] = [w - 1 - x, y]; break;
        case 3: [sx, sy] = [w - 1 - x, h - 1 - y]; break;
        case 4: [sx, sy] = [x, h - 1 - y]; break;
        case 5: [sx, sy] = [y, x]; break;
        case 6: [sx, sy] = [y, h - 1 - x]; break;
        case 7: [sx, sy] = [w - 1 - y, h - 1 - x]; break;
        default: [sx, sy] = [w - 1 - y, x]; break; // 8
      }
      const s = (sy * w + sx) * 4;
      const d = (y * W + x) * 4;
      out[d] = data[s];
      out[d + 1] = data[s + 1];
      out[d + 2] = data[s + 2];
      out[d + 3] = data[s + 3];
    }
  }
  return { width: W, height: H, data: out };
}

/**
 * Decode JPEG bytes (already sniffed as JPEG) with `decoder`, upright. Throws ImageInputError naming `name` for a
 * file the decoder cannot read or one over the pixel limit.
 */
export function decodeJpeg(bytes: Uint8Array, name: string, decoder: JpegDecoder): Rgba {
  let img: JpegPixels;
  try {
    img = decoder.decode(bytes, MAX_PIXELS);
  } catch (e) {
    if (e instanceof RangeError) {
      throw new ImageInputError(`${name} is too large: ${e.message}; the limit is ${MAX_PIXELS / 1e6} megapixels. Scale it down first.`);
    }
    const why = e instanceof JpegTurboError ? e.message : `${e instanceof Error ? e.message : String(e)}`;
    throw new ImageInputError(`${name} is a corrupt or unsupported JPEG file: ${why}`);
  }
  // Pillow (so Keras' load_img) keeps an image libjpeg only warned about — a few stray bytes between segments, as
  // some cameras write, damaged entropy data — but refuses a file that ends before its image does ("image file is
  // truncated"; libjpeg fills the rest with grey). The same here; the model worker then lets the browser's decoder
  // show what there is.
  if (img.warned && jpegCutShort(bytes)) {
    throw new ImageInputError(`${name} is cut short: the file ends before its image does (an interrupted download or copy?).`);
  }
  return orient(img, exifOrientation(jpegExif(bytes)));
}
