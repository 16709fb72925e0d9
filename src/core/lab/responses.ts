/**
 * Plain vs residual layer responses (He et al. 2015, §4.1 "Analysis of Layer Responses", Fig. 7): the paper
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
   * 'agrees': the residual net's responses are clearly smaller (mean at least SIMILAR_BAND lower, and lower in
   * most layers), the paper's observation; 'similar': the means are within SIMILAR_BAND (e.g. a short race that
   * left BN's γ near its initial 1, where every std is ≈ 1); 'disagrees': otherwise.
   */
  readonly verdict: 'agrees' | 'similar' | 'disagrees';
}

/** Relative difference of the mean stds below which we call the nets alike. */
export const SIMILAR_BAND = 0.1;

export function compareResponses(plain: readonly number[], residual: readonly number[]): ResponseComparison {
  if (plain.length === 0 || plain.length !== residual.length) {
    throw new SpecError('residual.length', residual.length, `allowed: the plain net's ${plain.length} layers (at least one)`);
  }
  const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
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
      meanResidual <= (1 - SIMILAR_BAND) * meanPlain && residualLower > plain.length / 2
        ? 'agrees'
        : Math.abs(meanResidual / meanPlain - 1) < SIMILAR_BAND
          ? 'similar'
          : 'disagrees',
  };
}

/** Stds sorted in descending order (the bottom panel of the paper's Fig. 7). */
export function descending(xs: readonly number[]): number[] {
  return [...xs].sort((a, b) => b - a);
}
