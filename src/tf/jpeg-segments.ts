/**
 * A JPEG file's marker segments, read the way libjpeg reads them (ITU-T T.81 §B.1.1.2–B.1.1.4; libjpeg's
 * jdmarker.c `next_marker`): after SOI, each segment is 0xFF, any number of 0xFF fill bytes, a marker byte, and for
 * all but the standalone markers a big-endian length that counts itself. Bytes that are not a marker where one
 * belongs (some cameras and editors leave a few) are skipped up to the next 0xFF, as libjpeg skips them with a
 * warning. The header ends at the first SOS, whose segment (the scan's header) is the last one read: the
 * entropy-coded data follows it.
 */

/** Start of scan. */
export const SOS = 0xda;
/** End of image. */
export const EOI = 0xd9;

export interface JpegSegment {
  readonly marker: number;
  /** The payload: after the length bytes … */
  readonly start: number;
  /** … up to here (exclusive). */
  readonly end: number;
}

/** Markers without a length: TEM and RST0–RST7 (T.81 Table B.1). SOI and EOI end or start the walk instead. */
const standalone = (m: number) => m === 0x01 || (m >= 0xd0 && m <= 0xd7);

/**
 * The segments from after SOI up to and including the first SOS; stops early at EOI, at a segment whose length is
 * under 2 or runs past the data, or at the end. Nothing when the data does not start with SOI.
 */
export function* jpegHeaderSegments(b: Uint8Array): Generator<JpegSegment> {
  if (b[0] !== 0xff || b[1] !== 0xd8) return;
  let at = 2;
  while (at < b.length) {
    if (b[at] !== 0xff) {
      const next = b.indexOf(0xff, at);
      if (next < 0) return;
      at = next;
    }
    while (b[at + 1] === 0xff) at++; // fill bytes
    if (at + 1 >= b.length) return;
    const marker = b[at + 1];
    if (marker === EOI) return;
    if (standalone(marker) || marker === 0x00) {
      at += 2;
      continue;
    }
    if (at + 4 > b.length) return;
    const length = (b[at + 2] << 8) | b[at + 3];
    const end = at + 2 + length;
    if (length < 2 || end > b.length) return;
    yield { marker, start: at + 4, end };
    if (marker === SOS) return;
    at = end;
  }
}

/**
 * Whether the data stops before its image does: no EOI marker after the first scan's header. Inside entropy-coded
 * data a 0xFF byte is always followed by a stuffed 0x00 or a marker (T.81 §B.1.1.5), so 0xFF 0xD9 after the scan
 * header is the image's end (later scans of a progressive file come before it). A file without a scan counts as
 * cut short too. An EXIF thumbnail's own EOI sits inside an APP1 segment, before the scan, so it is not counted.
 */
export function jpegCutShort(b: Uint8Array): boolean {
  let scan = -1;
  for (const s of jpegHeaderSegments(b)) if (s.marker === SOS) scan = s.end;
  if (scan < 0) return true;
  for (let i = b.indexOf(0xff, scan); i >= 0 && i + 1 < b.length; i = b.indexOf(0xff, i + 1)) {
    if (b[i + 1] === EOI) return false;
  }
  return true;
}
