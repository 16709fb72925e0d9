/** Training photos for the fine-tune e2e tests, cut in Node from the ImageNet fixture photos. */
import { readFileSync } from 'node:fs';
import jpeg from 'jpeg-js';
import { fixture } from '../helpers/fixtures';

/** A JPEG of the box [top, left, height, width] (fractions) of a fixture, optionally mirrored. */
export function crop(file: string, [t, l, h, w]: readonly number[], mirror = false): Buffer {
  const img = jpeg.decode(readFileSync(fixture('imagenet', file)), { useTArray: true });
  const [y0, x0] = [Math.round(t * img.height), Math.round(l * img.width)];
  const [ch, cw] = [Math.round(h * img.height), Math.round(w * img.width)];
  const data = Buffer.alloc(cw * ch * 4);
  for (let y = 0; y < ch; y++) {
    for (let x = 0; x < cw; x++) {
      const sx = x0 + (mirror ? cw - 1 - x : x);
      const from = ((y0 + y) * img.width + sx) * 4;
      data.set(img.data.subarray(from, from + 4), (y * cw + x) * 4);
    }
  }
  return Buffer.from(jpeg.encode({ data, width: cw, height: ch }, 90).data);
}
