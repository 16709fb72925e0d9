/**
 * Node-only image decoding for the CLI and tests: JPEG with jpeg-js, PNG with pngjs (pure JS, no native
 * downloads). Returns RGB pixels as an int32 tensor [H, W, 3].
 */
import * as tf from '@tensorflow/tfjs';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { ImageInputError } from './errors';
import { checkImageBytes, checkPixels, MAX_PIXELS } from './image-sniff';
import { rgbaToTensor } from './pixels';

/** Decode JPEG or PNG bytes. Throws ImageInputError naming `name` for anything else. */
export function decodeImage(bytes: Uint8Array, name: string): tf.Tensor3D {
  const { kind } = checkImageBytes(bytes, name);
  try {
    if (kind === 'jpeg') {
      const img = jpeg.decode(bytes, {
        useTArray: true,
        formatAsRGBA: true,
        maxResolutionInMP: MAX_PIXELS / 1e6,
        maxMemoryUsageInMB: 1024,
      });
      checkPixels(img.width, img.height, name);
      return rgbaToTensor(img);
    }
    if (kind === 'png') {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      checkPixels(png.width, png.height, name);
      return rgbaToTensor(png);
    }
  } catch (e) {
    if (e instanceof ImageInputError) throw e;
    const why = e instanceof Error ? e.message : String(e);
    throw new ImageInputError(`${name} is a corrupt or unsupported ${kind.toUpperCase()} file: ${why}`);
  }
  throw new ImageInputError(`${name} is a ${kind.toUpperCase()} image; the command line reads JPEG and PNG only.`);
}
