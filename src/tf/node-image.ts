/**
 * Node-only image decoding for the CLI and tests: JPEG with jpeg-js (src/tf/jpeg.ts, the decoder the model
 * worker uses too), PNG with pngjs (pure JS, no native downloads). Returns RGB pixels as an int32 tensor [H, W, 3]
 * at full size; src/tf/preprocess.ts does the rest, as in the app.
 */
import type * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import { ImageInputError } from './errors';
import { checkImageBytes, checkPixels } from './image-sniff';
import { decodeJpeg } from './jpeg';
import { type Rgba, rgbaToTensor } from './pixels';

/** Decode JPEG or PNG bytes to RGBA. Throws ImageInputError naming `name` for anything else. */
export function decodeImageRgba(bytes: Uint8Array, name: string): Rgba {
  const { kind } = checkImageBytes(bytes, name);
  if (kind === 'jpeg') {
    const img = decodeJpeg(bytes, name);
    checkPixels(img.width, img.height, name);
    return img;
  }
  if (kind === 'png') {
    try {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      checkPixels(png.width, png.height, name);
      return png;
    } catch (e) {
      if (e instanceof ImageInputError) throw e;
      const why = e instanceof Error ? e.message : String(e);
      throw new ImageInputError(`${name} is a corrupt or unsupported PNG file: ${why}`);
    }
  }
  throw new ImageInputError(`${name} is a ${kind.toUpperCase()} image; the command line reads JPEG and PNG only.`);
}

/** Decode JPEG or PNG bytes to RGB int32 [H, W, 3]. Throws ImageInputError naming `name` for anything else. */
export function decodeImage(bytes: Uint8Array, name: string): tf.Tensor3D {
  return rgbaToTensor(decodeImageRgba(bytes, name));
}
