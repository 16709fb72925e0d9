/**
 * The JPEG segment walk (src/tf/jpeg-segments.ts) that the header size, the EXIF block and the cut-short check
 * share: segments in order up to the scan, stray bytes skipped as libjpeg skips them, a broken length or a missing
 * SOI ends the walk; a file counts as cut short when no EOI follows its scan header, and an EXIF thumbnail's own EOI
 * does not count.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { headerSize } from '../../src/tf/image-sniff';
import { jpegExif } from '../../src/tf/jpeg';
import { jpegCutShort, jpegHeaderSegments } from '../../src/tf/jpeg-segments';
import { fixture } from '../helpers/fixtures';

const elephant = new Uint8Array(readFileSync(fixture('imagenet', 'elephant.jpg')));
const markers = (b: Uint8Array) => [...jpegHeaderSegments(b)].map((s) => s.marker.toString(16));

/** An APP1 "Exif" segment whose payload holds a thumbnail-like JPEG (SOI … SOS … EOI) after a TIFF header. */
function withExifThumbnail(b: Uint8Array): Uint8Array {
  const payload = [...new TextEncoder().encode('Exif'), 0, 0, 0x4d, 0x4d, 0, 0x2a, 0, 0, 0, 8, 0, 0, 0xff, 0xd8, 0xff, 0xda, 0, 2, 9, 9, 0xff, 0xd9];
  const length = payload.length + 2;
  return new Uint8Array([0xff, 0xd8, 0xff, 0xe1, length >> 8, length & 0xff, ...payload, ...b.subarray(2)]);
}

describe('jpegHeaderSegments', () => {
  it("walks the elephant's segments up to its scan header, each within the file", () => {
    const segs = [...jpegHeaderSegments(elephant)];
    expect(segs.at(-1)?.marker).toBe(0xda);
    expect(markers(elephant)).toContain('c0'); // baseline frame header
    for (const s of segs) expect(s.end).toBeLessThanOrEqual(elephant.length);
    expect(headerSize(elephant, 'jpeg')).toEqual({ width: 700, height: 466 });
  });

  it('skips stray bytes between segments, as libjpeg does; stops at a broken length and without SOI', () => {
    const sof = elephant.findIndex((b, i) => b === 0xff && elephant[i + 1] === 0xc0);
    const stray = new Uint8Array([...elephant.subarray(0, sof), 7, 7, 7, ...elephant.subarray(sof)]);
    expect(markers(stray)).toEqual(markers(elephant));
    expect(headerSize(stray, 'jpeg')).toEqual({ width: 700, height: 466 });
    const broken = elephant.slice();
    broken[sof + 2] = 0;
    broken[sof + 3] = 1; // a length under 2
    expect(markers(broken)).not.toContain('c0');
    expect(headerSize(broken, 'jpeg')).toBeUndefined();
    expect(markers(elephant.subarray(2))).toEqual([]);
  });

  it('finds an EXIF block before the scan, and none in the elephant', () => {
    const tagged = withExifThumbnail(elephant);
    expect([...jpegExif(tagged)!.subarray(0, 5)]).toEqual([0, 0x4d, 0x4d, 0, 0x2a]);
    expect(jpegExif(elephant)).toBeUndefined();
  });
});

describe('jpegCutShort', () => {
  it('a whole file is not cut short, with stray bytes after its end too; a cut one is', () => {
    expect(jpegCutShort(elephant)).toBe(false);
    expect(jpegCutShort(new Uint8Array([...elephant, 1, 2, 3]))).toBe(false);
    expect(jpegCutShort(elephant.subarray(0, elephant.length - 1))).toBe(true);
    expect(jpegCutShort(elephant.subarray(0, 1000))).toBe(true); // before the scan
  });

  it("an EXIF thumbnail's own end of image does not make a cut file whole", () => {
    const tagged = withExifThumbnail(elephant);
    expect(jpegCutShort(tagged)).toBe(false);
    expect(jpegCutShort(tagged.subarray(0, Math.floor(tagged.length * 0.7)))).toBe(true);
  });
});
