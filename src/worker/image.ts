/**
 * Image pixels inside the worker, at full size (src/tf/preprocess.ts crops, box-averages and resizes them the
 * same way in the worker and in the command line). A JPEG file is decoded by libjpeg-turbo in wasm (src/tf/jpeg.ts),
 * the decoder the command line uses, so the same photo gives the same pixels in both; other files (PNG, WebP, GIF,
 * BMP), JPEGs it cannot read, and camera frames are drawn by the browser on an OffscreenCanvas without colour
 * conversion. A RawImage is used as is. Output: RGB int32 [H, W, 3].
 */
import type * as tf from '@tensorflow/tfjs';
import { ImageInputError } from '../tf/errors';
import { checkImageBytes, checkPixels } from '../tf/image-sniff';
import jpegTurboWasm from '@cwasm/jpeg-turbo/jpeg-turbo.wasm?url';
import { decodeJpeg } from '../tf/jpeg';
import { type JpegDecoder, jpegDecoder } from '../tf/jpeg-turbo';
import { type Rgba, rgbaToTensor } from '../tf/pixels';
import type { RawImage } from './protocol';

function isRaw(img: ImageBitmap | RawImage): img is RawImage {
  return 'data' in img;
}

/** Every pixel of a bitmap, via a canvas of its own size. Closes the bitmap. */
function bitmapPixels(img: ImageBitmap): Rgba {
  try {
    if (img.width === 0 || img.height === 0) throw new ImageInputError('the image has no pixels');
    const canvas = new OffscreenCanvas(img.width, img.height);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('2D canvas is not available in this worker');
    ctx.drawImage(img, 0, 0);
    return ctx.getImageData(0, 0, img.width, img.height);
  } finally {
    img.close();
  }
}

/** RGB pixels of a bitmap or raw image, full size. Closes the bitmap. */
export function imageToTensor(img: ImageBitmap | RawImage): tf.Tensor3D {
  return rgbaToTensor(isRaw(img) ? img : bitmapPixels(img));
}

/** float 0…255 [H, W, 3] → RGBA bytes for display. */
export async function tensorToRaw(t: tf.Tensor3D): Promise<RawImage> {
  const [height, width] = t.shape;
  const rgb = await t.data();
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0, j = 0; j < rgb.length; i += 4, j += 3) {
    data[i] = rgb[j];
    data[i + 1] = rgb[j + 1];
    data[i + 2] = rgb[j + 2];
    data[i + 3] = 255;
  }
  return { width, height, data };
}

/**
 * A picked file → ImageBitmap (browser or worker), refusing empty files, non-images and gigapixel images from
 * the header before decoding, and corrupt data with the decoder's reason. The file's own pixels: no colour-space
 * conversion (pngjs in the command line applies none either).
 */
export async function blobToBitmap(blob: Blob, name: string): Promise<ImageBitmap> {
  if (blob.size === 0) throw new ImageInputError(`${name} is empty (0 bytes).`);
  checkImageBytes(new Uint8Array(await blob.slice(0, 256 * 1024).arrayBuffer()), name);
  try {
    return await createImageBitmap(blob, { colorSpaceConversion: 'none' });
  } catch (e) {
    throw new ImageInputError(`${name} could not be decoded: the file is corrupt or not a supported image (${(e as Error).message || (e as Error).name}).`);
  }
}

/** The built app's way to the JPEG decoder: its wasm file fetched from our origin and compiled. */
async function fetchJpegDecoder(): Promise<JpegDecoder> {
  const url = new URL(jpegTurboWasm, self.location.href).href;
  const module = await WebAssembly.compileStreaming(fetch(url)).catch(async () => WebAssembly.compile(await (await fetch(url)).arrayBuffer()));
  return jpegDecoder(module);
}

let loadDecoder: () => Promise<JpegDecoder | undefined> = fetchJpegDecoder;
let turbo: Promise<JpegDecoder | undefined> | undefined;

/** Where the JPEG decoder comes from (Node tests hand over the one src/tf/node-image.ts compiles from the file). */
export function setJpegDecoderSource(load: () => Promise<JpegDecoder | undefined>): void {
  loadDecoder = load;
  turbo = undefined;
}

/**
 * The JPEG decoder (libjpeg-turbo in wasm, src/tf/jpeg-turbo.ts), loaded once; the model worker's host asks for it
 * at its start, so a first photo does not wait for it. Undefined when it cannot load (the browser's decoder then
 * reads JPEGs too).
 */
export function workerJpegDecoder(): Promise<JpegDecoder | undefined> {
  turbo ??= loadDecoder().catch(() => undefined);
  return turbo;
}

/**
 * A picked file → RGB pixels [H, W, 3], full size: JPEG through libjpeg-turbo in wasm (as the command line),
 * anything else — or a JPEG it refuses (12-bit, CMYK) — through the browser's decoder.
 */
export async function blobToTensor(blob: Blob, name: string): Promise<tf.Tensor3D> {
  if (blob.size === 0) throw new ImageInputError(`${name} is empty (0 bytes).`);
  const bytes = new Uint8Array(await blob.arrayBuffer());
  const { kind } = checkImageBytes(bytes, name);
  const decoder = kind === 'jpeg' ? await workerJpegDecoder() : undefined;
  if (decoder) {
    let img: Rgba | undefined;
    try {
      img = decodeJpeg(bytes, name, decoder);
    } catch {
      img = undefined; // the browser may still read it, or says why not
    }
    if (img) {
      checkPixels(img.width, img.height, name);
      return rgbaToTensor(img);
    }
  }
  return imageToTensor(await blobToBitmap(blob, name));
}

/** Any image the protocol carries → RGB pixels [H, W, 3]. */
export function pixelsOf(img: ImageBitmap | RawImage | Blob, name: string): Promise<tf.Tensor3D> | tf.Tensor3D {
  return img instanceof Blob ? blobToTensor(img, name) : imageToTensor(img);
}
