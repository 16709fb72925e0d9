/**
 * A picked, dropped or pasted file → an ImageBitmap for the worker, refusing empty files, non-images,
 * gigapixel images (from the header, before decoding) and corrupt data (the browser's decoder rejects it).
 */
import { ImageInputError } from '../../tf/errors';
import { checkImageBytes } from '../../tf/image-sniff';

export async function fileToBitmap(file: Blob, name: string): Promise<ImageBitmap> {
  // The header is enough to recognise the format and read the size (JPEG SOF may sit after large EXIF blocks).
  const head = new Uint8Array(await file.slice(0, 256 * 1024).arrayBuffer());
  if (file.size === 0) throw new ImageInputError(`${name} is empty (0 bytes).`);
  checkImageBytes(head, name);
  try {
    return await createImageBitmap(file);
  } catch (e) {
    throw new ImageInputError(`${name} could not be decoded: the file is corrupt or not a supported image (${(e as Error).message || (e as Error).name}).`);
  }
}

/** Image files among a drop or paste (others are reported by name). */
export function splitImageFiles(files: readonly File[]): { images: File[]; others: File[] } {
  const images: File[] = [];
  const others: File[] = [];
  for (const f of files) (f.type === '' || f.type.startsWith('image/') ? images : others).push(f);
  return { images, others };
}
