/**
 * Decode the user's images in the worker (createImageBitmap + OffscreenCanvas) into an ImageSet at the race's
 * size: each image is squashed to size×size (the race is about relative training curves, not aspect ratios).
 */

import { groupByFolder } from '../core/datasets/folders';
import type { ImageSet } from '../core/datasets/shapes';

export interface NamedBlob {
  readonly path: string;
  readonly blob: Blob;
}

export async function decodeFolder(files: readonly NamedBlob[], size: number, onProgress: (done: number, total: number) => void): Promise<ImageSet & { skipped: string[] }> {
  const grouped = groupByFolder(files.map((f) => ({ path: f.path, type: f.blob.type })));
  const byPath = new Map(files.map((f) => [f.path, f.blob]));
  const canvas = new OffscreenCanvas(size, size);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('this browser has no 2D OffscreenCanvas in workers; use the built-in shapes');
  ctx.imageSmoothingQuality = 'high';
  const images: number[][] = [];
  const labels: number[] = [];
  const skipped = [...grouped.skipped];
  let done = 0;
  for (const item of grouped.items) {
    try {
      const bitmap = await createImageBitmap(byPath.get(item.path)!);
      ctx.clearRect(0, 0, size, size);
      ctx.drawImage(bitmap, 0, 0, size, size);
      bitmap.close();
      const rgba = ctx.getImageData(0, 0, size, size).data;
      const px = new Array<number>(size * size * 3);
      for (let i = 0; i < size * size; i++) for (let c = 0; c < 3; c++) px[i * 3 + c] = rgba[i * 4 + c] / 255;
      images.push(px);
      labels.push(item.label);
    } catch {
      skipped.push(`${item.path} (could not be decoded)`);
    }
    if (++done % 20 === 0) onProgress(done, grouped.items.length);
  }
  if (new Set(labels).size < 2) throw new Error('fewer than two classes have images that decode; add images or use the built-in shapes');
  const flat = new Float32Array(images.length * size * size * 3);
  for (let n = 0; n < images.length; n++) flat.set(images[n], n * size * size * 3);
  return { images: flat, labels: Int32Array.from(labels), size, count: images.length, classes: grouped.classes, skipped };
}
