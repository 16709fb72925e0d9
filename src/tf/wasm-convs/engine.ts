/**
 * The inference runner's 3×3 stride-1 and 1×1 convolutions on tfjs-backend-wasm, with our own kernels
 * (wasm/convs.ts) running on the backend's heap (issue 11: the inference ratio against onnxruntime-web).
 *
 * 3×3: Winograd's minimal filtering (Lavin & Gray, CVPR 2016), which XNNPACK — what tfjs-backend-wasm 4.22 runs
 * every conv with — does not have; these convs are 45 % of ResNet50's multiply-adds. F(4×4, 3×3) makes 36 products
 * per 16 outputs where a direct conv makes 144, F(2×2, 3×3) 16 per 4 for 36; the filter is transformed once
 * (G g Gᵀ), each input tile (Bᵀ d B) and output tile (Aᵀ M A) per run. Measured in Node on one thread
 * (scripts/bench-wasm-convs.ts), against tfjs' fused conv2d with the same bias and ReLU: ResNet50's four 3×3 shapes
 * take 2.1–2.4 ms with F(4×4) and 3.1–4.0 ms with F(2×2), against 6.9–8.1 ms. The larger tile keeps 36
 * transformed copies of each filter tap (4× the filter), the smaller 16 (1.8×), which for conv4 and conv5 would be
 * 170 MB against the 84 MB of the two copies a direct conv keeps (tfjs' and XNNPACK's): F(4×4) is taken for filters
 * up to 128 × 128 channels, F(2×2) beyond (`tileFor`).
 *
 * 1×1: one matrix product per conv (pixels × channels times the filter), strided input rows read in place, bias
 * and ReLU in the product's last step; its filter packed once, in one copy where tfjs and XNNPACK keep two.
 *
 * Each job's tiles or pixels are split among the threads (the caller's and helper workers' on the shared heap,
 * src/tf/wasm-convs/threads.ts); results are the same with any number of threads. Float32 rounding differs from a
 * direct conv's by up to ≈ 1e-5 of the output's scale with F(2×2), 3e-5 with F(4×4) on 512 channels
 * (test/unit/wasm-convs.test.ts); a 1×1 conv sums in another order only.
 */
import * as tf from '@tensorflow/tfjs-core';
import { JOB_BYTES, JOB_KIND, JOB_SLOTS, type Job, SCRATCH_BYTES_PER_THREAD, tilesOf, writeJob } from './job';
import { awaitHelpers, postJob, stopHelpers } from './threads';

/** The exports of wasm/convs.ts. */
export interface ConvKernels {
  run(job: number, thread: number, threads: number): void;
  transformFilter(g: number, c: number, co: number, m: number, u: number, scratch: number, scale: number): void;
  packPointwise(g: number, c: number, co: number, u: number, scale: number): void;
}

/** What the engine uses of tfjs-backend-wasm 4.22's BackendWasm (backend_wasm.ts): its heap and tensor table. */
export interface WasmBackendInternals {
  readonly dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  readonly wasm: { _malloc(bytes: number): number; _free(ptr: number): void };
  makeOutput(shape: number[], dtype: 'float32', memoryOffset?: number): tf.TensorInfo;
}

/** Helper threads that take part in jobs (src/tf/wasm-convs/threads.ts); `terminate` ends them at once. */
export interface ConvHelpers {
  readonly count: number;
  terminate(): void;
}

/** Tile sizes up to which the larger tile's filter copies are worth their memory (see the file's comment). */
const LARGE_TILE_MAX_CHANNELS = 128 * 128;
/** Helper threads this engine's scratch has room for. */
export const MAX_THREADS = 16;
/**
 * Multiply-adds below which a job stays on one thread: ≈ 0.1 ms of work, what handing a share to a helper costs
 * (a small warm-up's convs, the last stage of a small input).
 */
const MIN_SHARED_MACS = 2 ** 21;
/** A helper that has not finished its share in this long is taken for dead. */
const HELPER_TIMEOUT_MS = 30_000;

export class ConvEngineError extends Error {
  override readonly name = 'ConvEngineError';
}

type Pad = 'same' | 'valid' | number | readonly (readonly number[])[];

/**
 * The tile size m of F(m×m, 3×3) for a conv, or undefined when this engine does not run it: only 3×3 stride-1
 * convs padded by one on each side ('same', or explicitly), without groups, with input channels a multiple of 4 and
 * output channels of 8 (the kernels' vector and panel widths).
 */
export function tileFor(kernelShape: readonly number[], stride: number, pad: Pad, groups: number): 2 | 4 | undefined {
  const [kh, kw, c, co] = kernelShape;
  if (kh !== 3 || kw !== 3 || stride !== 1 || groups !== 1 || c % 4 !== 0 || co % 8 !== 0) return undefined;
  const padsOne =
    pad === 'same' || (Array.isArray(pad) && pad.length === 4 && [0, 1, 1, 0].every((p, i) => pad[i][0] === p && pad[i][1] === p));
  if (!padsOne) return undefined;
  return c * co <= LARGE_TILE_MAX_CHANNELS ? 4 : 2;
}

/** Whether a conv is a 1×1 conv this engine runs: no groups, no padding, output channels in eights. */
export function isPointwise(kernelShape: readonly number[], pad: Pad, groups: number): boolean {
  const [kh, kw, , co] = kernelShape;
  const noPad = pad === 'same' || pad === 'valid' || (Array.isArray(pad) && pad.every((p) => p[0] === 0 && p[1] === 0));
  // A 1×1 kernel never pads under 'same' (tfjs-core conv_util: (out − 1)·s + 1 − in < 1).
  return kh === 1 && kw === 1 && groups === 1 && co % 8 === 0 && noPad;
}

export class ConvEngine {
  private readonly job: number;
  private readonly scratch: number;
  private workspace = 0;
  private workspaceBytes = 0;
  private helpers?: ConvHelpers;
  private disposed = false;

  constructor(
    /** The backend whose heap this engine runs on (tf.backend() when it was made). */
    readonly backend: WasmBackendInternals,
    private readonly memory: WebAssembly.Memory,
    private readonly kernels: ConvKernels,
  ) {
    const { wasm } = backend;
    this.job = wasm._malloc(JOB_BYTES) >>> 0;
    this.scratch = wasm._malloc(SCRATCH_BYTES_PER_THREAD * MAX_THREADS) >>> 0;
    if (!this.job || !this.scratch) throw new ConvEngineError('no room in the wasm heap for the Winograd job');
    new Int32Array(memory.buffer, this.job, JOB_BYTES / 4).fill(0);
  }

  /** Threads a job is split among (this one and the helpers). */
  get threads(): number {
    return 1 + (this.helpers?.count ?? 0);
  }

  /** The byte address of the job block (what helpers are given). */
  get jobAddress(): number {
    return this.job;
  }

  /** Share jobs with `helpers` from now on (they wait on this engine's job block). */
  attachHelpers(helpers: ConvHelpers): void {
    if (this.disposed || helpers.count < 1) {
      helpers.terminate();
      return;
    }
    if (this.helpers || helpers.count + 1 > MAX_THREADS) throw new ConvEngineError(`cannot attach ${helpers.count} helper threads`);
    this.helpers = helpers;
  }

  /** Whether this engine runs on tfjs' current backend. */
  isCurrent(): boolean {
    return !this.disposed && tf.getBackend() === 'wasm' && (tf.backend() as unknown) === this.backend;
  }

  private offset(t: tf.Tensor): number {
    const data = this.backend.dataIdMap.get(t.dataId);
    if (!data || typeof data.memoryOffset !== 'number') throw new ConvEngineError('a tensor is not in the wasm heap');
    return data.memoryOffset >>> 0;
  }

  private empty(shape: number[]): tf.Tensor {
    return tf.engine().makeTensorFromTensorInfo(this.backend.makeOutput(shape, 'float32'));
  }

  /**
   * The filter [3, 3, c, co] (a conv's kernel, HWIO), each output channel times `scale` when given (a folded
   * BatchNormalization's γ / √(σ² + ε)), transformed for F(m×m, 3×3): a new tensor [(m + 2)², c, co] in the kernels'
   * packed layout, meaningful to `conv` only. The filter is left as it is.
   */
  transformFilter(kernel: tf.Tensor4D, m: 2 | 4, scale?: tf.Tensor1D): tf.Tensor3D {
    this.check();
    const [, , c, co] = kernel.shape;
    if (scale && (scale.size !== co || scale.dtype !== 'float32')) throw new ConvEngineError(`a scale of ${scale.size} for ${co} output channels`);
    const u = this.empty([(m + 2) ** 2, c, co]) as tf.Tensor3D;
    this.kernels.transformFilter(this.offset(kernel), c, co, m, this.offset(u), this.scratch, scale ? this.offset(scale) : 0);
    return u;
  }

  /**
   * A 1×1 filter [1, 1, c, co], each output channel times `scale` when given, packed for `pointwise`: a new tensor
   * [c, co] in the kernels' layout. The filter is left as it is.
   */
  packPointwise(kernel: tf.Tensor4D, scale?: tf.Tensor1D): tf.Tensor2D {
    this.check();
    const [, , c, co] = kernel.shape;
    if (scale && (scale.size !== co || scale.dtype !== 'float32')) throw new ConvEngineError(`a scale of ${scale.size} for ${co} output channels`);
    const u = this.empty([c, co]) as tf.Tensor2D;
    this.kernels.packPointwise(this.offset(kernel), c, co, this.offset(u), scale ? this.offset(scale) : 0);
    return u;
  }

  /** relu?(conv2d(x, filter, stride, 'valid') + bias) for a 1×1 filter, with `u` = packPointwise(filter). A new tensor. */
  pointwise(x: tf.Tensor4D, u: tf.Tensor2D, stride: number, bias: tf.Tensor1D | undefined, relu: boolean): tf.Tensor4D {
    this.check();
    const [n, h, w, c] = x.shape;
    const [uc, co] = u.shape;
    if (uc !== c || x.dtype !== 'float32' || !Number.isInteger(stride) || stride < 1) {
      throw new ConvEngineError(`input [${x.shape.join(', ')}] with stride ${stride} does not fit a 1×1 filter packed as [${u.shape.join(', ')}]`);
    }
    const [oh, ow] = [Math.ceil(h / stride), Math.ceil(w / stride)];
    const y = this.empty([n, oh, ow, co]) as tf.Tensor4D;
    const pixels = n * oh * ow;
    this.dispatch({ ...this.operands(x, y, u, bias, relu), kind: JOB_KIND.pointwise, m: 0, stride, v: 0, mm: 0 }, pixels, pixels * c * co);
    return y;
  }

  /** relu?(conv2d(x, filter, 1, 'same') + bias), with `u` = transformFilter(filter, m). A new tensor. */
  conv(x: tf.Tensor4D, u: tf.Tensor3D, m: 2 | 4, bias: tf.Tensor1D | undefined, relu: boolean): tf.Tensor4D {
    this.check();
    const [n, h, w, c] = x.shape;
    const [positions, uc, co] = u.shape;
    if (uc !== c || positions !== (m + 2) ** 2 || x.dtype !== 'float32') {
      throw new ConvEngineError(`input [${x.shape.join(', ')}] does not fit a filter transformed as [${u.shape.join(', ')}] for F(${m}×${m}, 3×3)`);
    }
    const tiles = tilesOf(n, h, w, m);
    const vBytes = positions * tiles * c * 4;
    const mBytes = positions * tiles * co * 4;
    // A transformed input per thread: where the filter is the larger operand, each thread makes its own (wasm/convs.ts `run`).
    const ws = this.reserve(vBytes * this.threads + mBytes);
    const y = this.empty([n, h, w, co]) as tf.Tensor4D;
    const job = { ...this.operands(x, y, u, bias, relu), kind: JOB_KIND.winograd, m, stride: 1, v: ws, mm: ws + vBytes * this.threads };
    this.dispatch(job, tiles, tiles * positions * c * co);
    return y;
  }

  /** The fields every job has: its tensors' addresses, the input's shape and the output's channels. */
  private operands(x: tf.Tensor4D, y: tf.Tensor4D, u: tf.Tensor, bias: tf.Tensor1D | undefined, relu: boolean) {
    const [n, h, w, c] = x.shape;
    const co = y.shape[3];
    const at = (t: tf.Tensor) => this.offset(t);
    return { x: at(x), y: at(y), n, h, w, c, co, u: at(u), bias: bias ? at(bias) : 0, relu, scratch: this.scratch };
  }

  /** Run `job` of `macs` multiply-adds on up to `parts` threads (it says how many); returns when all are done. */
  private dispatch(job: Omit<Job, 'threads'>, parts: number, macs: number): void {
    const threads = macs < MIN_SHARED_MACS ? 1 : Math.min(this.threads, parts);
    // A view made after every allocation: growing the heap replaces an unshared memory's buffer.
    const heap = new Int32Array(this.memory.buffer);
    writeJob(heap, this.job, { ...job, threads });
    if (threads === 1) {
      this.kernels.run(this.job, 0, 1);
      return;
    }
    postJob(heap, this.job);
    this.kernels.run(this.job, 0, threads);
    if (!awaitHelpers(heap, this.job, threads - 1, HELPER_TIMEOUT_MS)) {
      // A helper that does not answer is ended with the others; this thread redoes the job alone, now and later.
      this.helpers?.terminate();
      this.helpers = undefined;
      heap[(this.job >>> 2) + JOB_SLOTS.threads] = 1;
      this.kernels.run(this.job, 0, 1);
    }
  }

  /** At least `bytes` of workspace (kept for the next job; the heap keeps its high-water mark anyway). */
  private reserve(bytes: number): number {
    if (bytes <= this.workspaceBytes) return this.workspace;
    const { wasm } = this.backend;
    if (this.workspace) wasm._free(this.workspace);
    this.workspace = wasm._malloc(bytes) >>> 0;
    this.workspaceBytes = this.workspace ? bytes : 0;
    if (!this.workspace) throw new ConvEngineError(`no room in the wasm heap for ${Math.round(bytes / 2 ** 20)} MiB of Winograd workspace`);
    return this.workspace;
  }

  private check(): void {
    if (!this.isCurrent()) throw new ConvEngineError('this Winograd engine belongs to a wasm backend that is no longer current');
  }

  /** Stop the helpers and free the engine's heap memory (its transformed filters are tensors: their owners free them). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.helpers) {
      stopHelpers(new Int32Array(this.memory.buffer), this.job);
      this.helpers.terminate();
      this.helpers = undefined;
    }
    const { wasm } = this.backend;
    if (this.workspace) wasm._free(this.workspace);
    wasm._free(this.scratch);
    wasm._free(this.job);
  }
}
