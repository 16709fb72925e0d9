/**
 * Recognise an image file from its first bytes and read its size without decoding it, so a non-image, an
 * empty file or a gigapixel image is refused with a clear message before any large allocation.
 */
import { ImageInputError } from './errors';
import { jpegHeaderSegments } from './jpeg-segments';

export type ImageKind = 'jpeg' | 'png' | 'gif' | 'webp' | 'bmp';

/** Largest image accepted: 50 megapixels (an 8-bit RGBA decode is 200 MB; 12000×12000 is 144 MP). */
export const MAX_PIXELS = 50_000_000;

export function sniffKind(b: Uint8Array): ImageKind | undefined {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'png';
  if (b.length >= 6 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46) return 'gif';
  if (b.length >= 12 && b[0] === 0x52 && b[1] === 0x49 && b[8] === 0x57 && b[9] === 0x45) return 'webp';
  if (b.length >= 2 && b[0] === 0x42 && b[1] === 0x4d) return 'bmp';
  return undefined;
}

/** Width and height from the header (JPEG SOFn, PNG IHDR, GIF screen, BMP); undefined if not found. */
export function headerSize(b: Uint8Array, kind: ImageKind): { width: number; height: number } | undefined {
  const u16 = (i: number) => (b[i] << 8) | b[i + 1];
  const u32 = (i: number) => ((b[i] << 24) >>> 0) + (b[i + 1] << 16) + (b[i + 2] << 8) + b[i + 3];
  if (kind === 'png' && b.length >= 24) return { width: u32(16), height: u32(20) };
  if (kind === 'gif' && b.length >= 10) return { width: b[6] | (b[7] << 8), height: b[8] | (b[9] << 8) };
  if (kind === 'bmp' && b.length >= 26) {
    const le = (i: number) => b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
    return { width: Math.abs(le(18)), height: Math.abs(le(22)) };
  }
  if (kind === 'jpeg') {
    for (const { marker, start, end } of jpegHeaderSegments(b)) {
      // SOF0…SOF15 except DHT (C4), JPG (C8), DAC (CC) carry the frame size: precision, height, width (T.81 §B.2.2).
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc && end - start >= 5) {
        return { width: u16(start + 3), height: u16(start + 1) };
      }
    }
  }
  return undefined;
}

/** Check a file before decoding; `name` is shown in messages. Returns its kind and header size if known. */
export function checkImageBytes(
  b: Uint8Array,
  name: string,
): { kind: ImageKind; size?: { width: number; height: number } } {
  if (b.length === 0) throw new ImageInputError(`${name} is empty (0 bytes).`);
  const kind = sniffKind(b);
  if (!kind) {
    throw new ImageInputError(`${name} is not an image we can read (expected JPEG, PNG, GIF, WebP or BMP; it starts with ${hex(b)}).`);
  }
  const size = headerSize(b, kind);
  if (size) checkPixels(size.width, size.height, name);
  return { kind, size };
}

export function checkPixels(width: number, height: number, name: string): void {
  if (width < 1 || height < 1) throw new ImageInputError(`${name} has no pixels (${width}×${height}).`);
  if (width * height > MAX_PIXELS) {
    throw new ImageInputError(
      `${name} is ${width}×${height} (${((width * height) / 1e6).toFixed(0)} megapixels); the limit is ${MAX_PIXELS / 1e6} megapixels. Scale it down first.`,
    );
  }
}

function hex(b: Uint8Array): string {
  return Array.from(b.subarray(0, 4), (x) => x.toString(16).padStart(2, '0')).join(' ');
}
