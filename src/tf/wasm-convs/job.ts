/**
 * The job block our convolution kernels read (wasm/convs.ts, whose `J_*` constants are these slots): one 3×3
 * convolution by Winograd's algorithm or one 1×1 convolution, as 32-bit fields in the wasm heap. Slots 0 and 1 are
 * the helper threads' handshake (src/tf/wasm-convs/threads.ts); slot 16, the number of threads sharing the job, is
 * read by the helpers only.
 */
export const JOB_SLOTS = {
  seq: 0,
  done: 1,
  m: 2,
  x: 3,
  y: 4,
  n: 5,
  h: 6,
  w: 7,
  c: 8,
  co: 9,
  u: 10,
  bias: 11,
  relu: 12,
  v: 13,
  mm: 14,
  scratch: 15,
  threads: 16,
  kind: 17,
  stride: 18,
} as const;

export const JOB_BYTES = 19 * 4;

/** `kind`: a 3×3 conv by Winograd's algorithm, or a 1×1 conv. */
export const JOB_KIND = { winograd: 0, pointwise: 1 } as const;

/** Scratch each thread's transforms use (wasm/convs.ts: `scratch + (thread << 10)`). */
export const SCRATCH_BYTES_PER_THREAD = 1024;

export interface Job {
  readonly kind: (typeof JOB_KIND)[keyof typeof JOB_KIND];
  /** Winograd: the output tile size of F(m×m, 3×3); pointwise: 0. */
  readonly m: 0 | 2 | 4;
  /** Pointwise: the stride (1 for Winograd). */
  readonly stride: number;
  readonly x: number;
  readonly y: number;
  readonly n: number;
  readonly h: number;
  readonly w: number;
  readonly c: number;
  readonly co: number;
  readonly u: number;
  /** 0: no bias. */
  readonly bias: number;
  readonly relu: boolean;
  /** Winograd's workspaces (0 for pointwise). */
  readonly v: number;
  readonly mm: number;
  readonly scratch: number;
  readonly threads: number;
}

/** Write `job` at byte address `at` (seq and done untouched). */
export function writeJob(heap: Int32Array, at: number, job: Job): void {
  const i = at >>> 2;
  for (const field of Object.keys(job) as (keyof Job)[]) {
    const value = job[field];
    heap[i + JOB_SLOTS[field]] = value === true ? 1 : value === false ? 0 : value;
  }
}

/** Tiles of a job: n · ⌈h / m⌉ · ⌈w / m⌉. */
export function tilesOf(n: number, h: number, w: number, m: number): number {
  return n * Math.ceil(h / m) * Math.ceil(w / m);
}
