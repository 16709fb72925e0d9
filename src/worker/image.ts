/**
 * Image pixels inside the worker: an ImageBitmap is drawn on an OffscreenCanvas (downscaled by the browser's
 * resampler first when it is much larger than the model input, which avoids aliasing and huge tensors), a
 * RawImage is used as is. Output: RGB int32 [H, W, 3].
 */
import * as tf from '@tensorflow/tfjs';
import { ImageInputError } from '../tf/errors';
import { checkImageBytes } from '../tf/image-sniff';
import { rgbaToTensor } from '../tf/pixels';
import type { RawImage } from './protocol';

/** Keep at most this many pixels on the shorter side per pixel of model input (then bilinear does the rest). */
const OVERSAMPLE = 2;

function isRaw(img: ImageBitmap | RawImage): img is RawImage {
  return 'data' in img;
}

/** RGB pixels of an image, the shorter side reduced to at most OVERSAMPLE × `minSide`. Closes the bitmap. */
export function imageToTensor(img: ImageBitmap | RawImage, minSide: number): tf.Tensor3D {
  if (isRaw(img)) return rgbaToTensor(img);
  try {
    if (img.width === 0 || img.height === 0) throw new Error('the image has no pixels');
    const scale = Math.min(1, (OVERSAMPLE * minSide) / Math.min(img.width, img.height));
    const w = Math.max(1, Math.round(img.width * scale));
    const h = Math.max(1, Math.round(img.height * scale));
    const canvas = new OffscreenCanvas(w, h);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('2D canvas is not available in this worker');
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(img, 0, 0, w, h);
    return rgbaToTensor(ctx.getImageData(0, 0, w, h));
  } finally {
    img.close();
  }
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
 * the header before decoding, and corrupt data with the decoder's reason.
 */
export async function blobToBitmap(blob: Blob, name: string): Promise<ImageBitmap> {
  if (blob.size === 0) throw new ImageInputError(`${name} is empty (0 bytes).`);
  checkImageBytes(new Uint8Array(await blob.slice(0, 256 * 1024).arrayBuffer()), name);
  try {
    return await createImageBitmap(blob);
  } catch (e) {
    throw new ImageInputError(`${name} could not be decoded: the file is corrupt or not a supported image (${(e as Error).message || (e as Error).name}).`);
  }
}
