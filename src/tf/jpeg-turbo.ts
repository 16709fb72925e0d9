/**
 * JPEG → RGBA with libjpeg-turbo compiled to WebAssembly (the `jpeg-turbo.wasm` of @cwasm/jpeg-turbo, its TurboJPEG
 * API: tjDecompressHeader3 / tjDecompress2). The same binary runs in the model worker and in Node (the command line,
 * tests), so both decode every JPEG to the same pixels — and to the pixels Pillow gives (libjpeg-turbo too), which
 * is what Keras' `image.load_img` reads (measured: identical on the Keras test photos). It replaced jpeg-js, which
 * differed from Pillow by up to 4 levels per channel and took 170–330 ms for a 700×466 photo in the model worker
 * (a first prediction's largest step after the inference); libjpeg-turbo takes 13–36 ms (issue 11).
 *
 * No DOM, no Node: the caller compiles the module (src/tf/node-image.ts reads the file, src/worker/image.ts fetches
 * it). The package's own index.js needs `fs`, so this is its glue, written for the browser as well.
 */

/** TurboJPEG's pixel format TJPF_RGBA (turbojpeg.h). */
const TJPF_RGBA = 7;

interface TurboExports {
  readonly memory: WebAssembly.Memory;
  malloc(n: number): number;
  free(p: number): void;
  tjInitDecompress(): number;
  tjDestroy(h: number): number;
  tjDecompressHeader3(h: number, src: number, size: number, w: number, hgt: number, subsamp: number, colorspace: number): number;
  tjDecompress2(h: number, src: number, size: number, dst: number, w: number, pitch: number, hgt: number, format: number, flags: number): number;
}

/** libjpeg gave up on the data (its error handler longjmp()ed): the file is corrupt or uses what it cannot read. */
export class JpegTurboError extends Error {
  override readonly name = 'JpegTurboError';
}

export interface JpegPixels {
  readonly width: number;
  readonly height: number;
  /** RGBA, row-major, alpha 255. */
  readonly data: Uint8Array;
  /** libjpeg warned: the data is damaged or cut short somewhere, and what it could not read was filled in. */
  readonly warned: boolean;
}

export interface JpegDecoder {
  /**
   * Decode JPEG bytes. `maxPixels` is checked on the header, before any pixel is decoded. Throws JpegTurboError for
   * data libjpeg cannot decode and RangeError for an image over `maxPixels`; data it decodes with a warning comes
   * back `warned`.
   */
  decode(bytes: Uint8Array, maxPixels: number): JpegPixels;
}

/** A wasm memory this large after a decode is let go (a 50-megapixel photo grows it to ≈ 250 MB). */
const KEEP_MEMORY_BYTES = 64 << 20;

/**
 * A decoder over a compiled jpeg-turbo.wasm. One instance is reused; after a failed decode (its error unwound the
 * wasm stack mid-call) or one that grew its memory past 64 MiB, the next decode starts a new instance.
 */
export function jpegDecoder(module: WebAssembly.Module): JpegDecoder {
  let inst: TurboExports | undefined;
  const memory = () => inst!.memory;
  const imports: WebAssembly.Imports = {
    env: {
      // libjpeg's error exit longjmp()s back to TurboJPEG's setjmp(): here the longjmp throws out of the call, and
      // the instance is dropped.
      setjmp: () => 0,
      longjmp: () => {
        throw new JpegTurboError('libjpeg-turbo could not decode the data');
      },
    },
    wasi_snapshot_preview1: {
      environ_sizes_get: (count: number, size: number) => {
        new Uint32Array(memory().buffer, count, 1)[0] = 0;
        new Uint32Array(memory().buffer, size, 1)[0] = 0;
        return 0;
      },
      environ_get: () => 0,
      // Whatever the library writes to stderr (TurboJPEG keeps libjpeg's warnings to itself; tjDecompress2's -1
      // reports them): swallowed, reported as written.
      fd_write: (_fd: number, iovs: number, count: number, written: number) => {
        const v = new Uint32Array(memory().buffer, iovs, count * 2);
        let n = 0;
        for (let i = 0; i < count; i++) n += v[2 * i + 1];
        new Uint32Array(memory().buffer, written, 1)[0] = n;
        return 0;
      },
      fd_close: () => 0,
      fd_seek: () => 0,
      proc_exit: (code: number) => {
        throw new JpegTurboError(`libjpeg-turbo exited (${code})`);
      },
    },
  };
  const instance = (): TurboExports => {
    inst ??= new WebAssembly.Instance(module, imports).exports as unknown as TurboExports;
    return inst;
  };

  return {
    decode(bytes, maxPixels) {
      const t = instance();
      let src = 0;
      let meta = 0;
      let dst = 0;
      let handle = 0;
      let ok = false;
      try {
        src = t.malloc(bytes.byteLength);
        meta = t.malloc(16);
        if (!src || !meta) throw new JpegTurboError(`no memory for ${bytes.byteLength} bytes`);
        new Uint8Array(t.memory.buffer, src, bytes.byteLength).set(bytes);
        handle = t.tjInitDecompress();
        if (!handle) throw new JpegTurboError('could not start a decompressor');
        new Uint32Array(t.memory.buffer, meta, 4).fill(0);
        // -1 without an error exit: a warning while reading the header (stray bytes before a marker); the size is
        // still there when the frame header was read.
        const headerWarned = t.tjDecompressHeader3(handle, src, bytes.byteLength, meta, meta + 4, meta + 8, meta + 12) !== 0;
        const [width, height] = new Uint32Array(t.memory.buffer, meta, 2);
        if (width === 0 || height === 0) throw new JpegTurboError(headerWarned ? 'its header could not be read' : 'it has no pixels');
        if (width * height > maxPixels) throw new RangeError(`${width}×${height} is over ${maxPixels} pixels`);
        dst = t.malloc(width * height * 4);
        if (!dst) throw new JpegTurboError(`no memory for ${width}×${height} pixels`);
        // 0: decoded. -1 without an error exit (those never return: longjmp above): libjpeg warned and decoded the
        // whole image anyway, what it could not read filled in (TurboJPEG keeps the warning's text to itself: this
        // build does not export tjGetErrorStr2).
        const warned = t.tjDecompress2(handle, src, bytes.byteLength, dst, width, width * 4, height, TJPF_RGBA, 0) !== 0 || headerWarned;
        const data = new Uint8Array(t.memory.buffer, dst, width * height * 4).slice();
        ok = true;
        return { width, height, data, warned };
      } finally {
        if (ok) {
          t.free(dst);
          t.free(meta);
          t.free(src);
          t.tjDestroy(handle);
          if (t.memory.buffer.byteLength > KEEP_MEMORY_BYTES) inst = undefined;
        } else {
          // Part-way through a failed call the instance's state is unknown: a new one decodes the next image.
          inst = undefined;
        }
      }
    },
  };
}
