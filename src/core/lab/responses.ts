/**
 * Plain vs residual layer responses (He et al. 2015, §4.2 "Analysis of Layer Responses", Fig. 7): the paper
 * finds that ResNets have generally smaller responses than their plain counterparts, supporting the idea that
 * residual functions are generally closer to zero than non-residual ones. Pure: compares measured stds.
 */
import { SpecError } from '../errors';

export interface ResponseComparison {
  /** Layers compared (both nets have the same 3×3 layers, in the same order). */
  readonly layers: number;
  /** Layers where the residual net's std is below the plain net's. */
  readonly residualLower: number;
  readonly meanPlain: number;
  readonly meanResidual: number;
  /** meanResidual / meanPlain. */
  readonly ratio: number;
  /**
   * 'similar': the means are within SIMILAR_BAND (e.g. a short race that left BN's γ near its initial 1, where
   * every std is ≈ 1); 'agrees': otherwise the residual mean is lower and so is most layers' std, the paper's
   * observation; 'disagrees': otherwise.
   */
  readonly verdict: 'agrees' | 'similar' | 'disagrees';
  /**
   * The same means over the layers that end a residual branch (the second 3×3 layer of each block, whose output
   * is added to the shortcut: the residual function itself), when those layers are given.
   */
  readonly branchEnds?: { readonly layers: number; readonly meanPlain: number; readonly meanResidual: number };
}

/** Relative difference of the mean stds below which we call the nets alike. */
export const SIMILAR_BAND = 0.02;

export function compareResponses(plain: readonly number[], residual: readonly number[], branchEnd?: readonly boolean[]): ResponseComparison {
  if (plain.length === 0 || plain.length !== residual.length) {
    throw new SpecError('residual.length', residual.length, `allowed: the plain net's ${plain.length} layers (at least one)`);
  }
  const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  if (branchEnd && branchEnd.length !== plain.length) throw new SpecError('branchEnd.length', branchEnd.length, `allowed: one flag per layer (${plain.length})`);
  const ends = branchEnd?.flatMap((e, i) => (e ? [i] : []));
  const residualLower = plain.filter((p, i) => residual[i] < p).length;
  const meanPlain = mean(plain);
  const meanResidual = mean(residual);
  return {
    layers: plain.length,
    residualLower,
    meanPlain,
    meanResidual,
    ratio: meanResidual / meanPlain,
    verdict:
      Math.abs(meanResidual / meanPlain - 1) < SIMILAR_BAND
        ? 'similar'
        : meanResidual < meanPlain && residualLower > plain.length / 2
          ? 'agrees'
          : 'disagrees',
    branchEnds: ends && ends.length > 0 ? { layers: ends.length, meanPlain: mean(ends.map((i) => plain[i])), meanResidual: mean(ends.map((i) => residual[i])) } : undefined,
  };
}

/** Keras names of the layers that end a residual branch: `convS_blockB_2_bn`. */
export function isBranchEnd(id: string): boolean {
  return /^conv\d+_block\d+_2_bn$/.test(id);
}

/** Stds sorted in descending order (the bottom panel of the paper's Fig. 7). */
export function descending(xs: readonly number[]): number[] {
  return [...xs].sort((a, b) => b - a);
}
