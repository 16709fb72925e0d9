/**
 * Node-only image decoding for the CLI and tests: JPEG with libjpeg-turbo in WebAssembly (src/tf/jpeg.ts, the
 * decoder the model worker uses too), PNG with pngjs (pure JS, no native downloads). Returns RGB pixels as an int32
 * tensor [H, W, 3] at full size; src/tf/preprocess.ts does the rest, as in the app.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import { ImageInputError } from './errors';
import { checkImageBytes, checkPixels } from './image-sniff';
import { decodeJpeg } from './jpeg';
import { type JpegDecoder, jpegDecoder } from './jpeg-turbo';
import { type Rgba, rgbaToTensor } from './pixels';

let decoder: JpegDecoder | undefined;

/** The JPEG decoder, compiled from the package's wasm file on first use (synchronously: Node allows it). */
export function nodeJpegDecoder(): JpegDecoder {
  decoder ??= jpegDecoder(new WebAssembly.Module(readFileSync(createRequire(import.meta.url).resolve('@cwasm/jpeg-turbo/jpeg-turbo.wasm'))));
  return decoder;
}

/** Decode JPEG or PNG bytes to RGBA. Throws ImageInputError naming `name` for anything else. */
export function decodeImageRgba(bytes: Uint8Array, name: string): Rgba {
  const { kind } = checkImageBytes(bytes, name);
  if (kind === 'jpeg') {
    const img = decodeJpeg(bytes, name, nodeJpegDecoder());
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
