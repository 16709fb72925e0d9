/**
 * Loss-landscape geometry, pure: filter-normalized random directions and the grid of (α, β) offsets
 * (Li et al. 2018, "Visualizing the Loss Landscape of Neural Nets", §4). The network is evaluated at
 * θ + α·δ + β·η in src/tf/landscape.ts.
 *
 * Choices, following the paper and its reference code (github.com/tomgoldstein/loss-landscape,
 * net_plotter.py, `--xignore biasbn`):
 * - a "filter" is everything that produces one output channel: for a conv kernel in tfjs' HWIO layout
 *   [kh, kw, in, out] and a dense kernel [in, out] (the paper: an FC layer is a 1×1 conv) it is the slice
 *   along the last axis;
 * - each Gaussian direction filter d_j is rescaled to ‖θ_j‖: d_j ← d_j / ‖d_j‖ · ‖θ_j‖;
 * - tensors of rank ≤ 1 (biases, BN γ/β and moving statistics) get a zero direction: they are not moved.
 */
import { Prng } from '../datasets/prng';
import { SpecError } from '../errors';

export interface WeightArray {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/** ‖θ_j‖₂ of every filter j (output channel = last axis) of a rank ≥ 2 tensor. */
export function filterNorms(values: Float32Array, shape: readonly number[]): Float64Array {
  if (shape.length < 2) throw new SpecError('shape', shape, 'filter norms need a kernel of rank ≥ 2 (conv HWIO or dense [in, out])');
  const out = shape[shape.length - 1];
  if (values.length % out !== 0) throw new SpecError('values.length', values.length, `a multiple of the ${out} output channels`);
  const sq = new Float64Array(out);
  for (let i = 0; i < values.length; i++) sq[i % out] += values[i] * values[i];
  for (let j = 0; j < out; j++) sq[j] = Math.sqrt(sq[j]);
  return sq;
}

/**
 * One filter-normalized Gaussian direction with the shapes of `weights`, drawn from `rng` (weights in the
 * given order, so the same seed gives the same direction). Rank ≤ 1 tensors get zeros.
 */
export function filterNormalizedDirection(weights: readonly WeightArray[], rng: Prng): Float32Array[] {
  return weights.map((w) => {
    const d = new Float32Array(w.values.length);
    if (w.shape.length < 2) return d;
    for (let i = 0; i < d.length; i++) d[i] = rng.normal();
    const out = w.shape[w.shape.length - 1];
    const dn = filterNorms(d, w.shape);
    const wn = filterNorms(w.values, w.shape);
    // 1e-10 as in the reference code: a zero weight filter gives a zero direction filter.
    for (let i = 0; i < d.length; i++) d[i] *= wn[i % out] / (dn[i % out] + 1e-10);
    return d;
  });
}

/** The two directions of a 2D plot, δ then η, from one seed. */
export function landscapeDirections(weights: readonly WeightArray[], seed: number): { delta: Float32Array[]; eta: Float32Array[] } {
  const rng = new Prng(seed);
  const delta = filterNormalizedDirection(weights, rng);
  const eta = filterNormalizedDirection(weights, rng);
  return { delta, eta };
}

/** Grid sizes offered: odd, so the trained net (α = β = 0) is a grid point and the 1D slice is the middle row. */
export const LANDSCAPE_GRIDS: readonly number[] = [5, 11, 21, 31];
export const LANDSCAPE_IMAGES: readonly number[] = [64, 128, 256, 512];
/** Li et al. plot α, β ∈ [−1, 1] (their Fig. 5, 6). */
export const LANDSCAPE_SPAN = 1;

/** n evenly spaced coordinates from −span to span; n odd and ≥ 3. */
export function gridAxis(n: number, span = LANDSCAPE_SPAN): number[] {
  if (!Number.isInteger(n) || n < 3 || n > 101 || n % 2 === 0) throw new SpecError('grid', n, 'allowed: an odd integer from 3 to 101');
  if (!(span > 0) || !Number.isFinite(span)) throw new SpecError('span', span, 'allowed: a positive finite number');
  return Array.from({ length: n }, (_, i) => -span + (2 * span * i) / (n - 1));
}

/** A 2D surface: losses[row * n + col] at (α = axis[col], β = axis[row]). */
export interface Surface {
  readonly axis: readonly number[];
  readonly losses: readonly number[];
}

/** The 1D slice along δ (β = 0): the middle row. */
export function sliceAlongDelta(s: Surface): number[] {
  const n = s.axis.length;
  const mid = (n - 1) / 2;
  return s.losses.slice(mid * n, (mid + 1) * n);
}

/** The loss at the trained weights (α = β = 0). */
export function centreLoss(s: Surface): number {
  const n = s.axis.length;
  const mid = (n - 1) / 2;
  return s.losses[mid * n + mid];
}

/** Seconds a scan will take: grid points × the measured time of one point (one loss evaluation of each net). */
export function estimateSeconds(msPerPoint: number, grid: number): number {
  return (msPerPoint * grid * grid) / 1000;
}
