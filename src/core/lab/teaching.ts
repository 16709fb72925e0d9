/**
 * The words beside the gradient-flow chart, derived from the numbers the chart shows so that they cannot
 * disagree with it. What He et al. (2015, §4.1) say, and what is measured here:
 *  - with BN, plain nets' gradients do not vanish ("We also verify that the backward propagated gradients
 *    exhibit healthy norms with BN"), yet deeper plain nets train worse: degradation is an optimisation
 *    difficulty, not vanishing gradients. At initialisation the plain net's gradients are large at the input
 *    end and small at the output end (unbalanced), the residual net's are even;
 *  - without BN the outcome depends on the initialisation: with Glorot the plain net's gradients vanish and
 *    the identity path keeps the residual net's alive; with exact He init the plain net keeps them (that is
 *    what He init is for) while the residual sums grow block after block and its gradients explode.
 */

export interface NormSeries {
  /** Gradient norms of the main-path conv layers, input to output. */
  readonly norms: readonly number[];
}

export type FlowVerdict = 'vanished' | 'vanishing' | 'exploding' | 'input-heavy' | 'balanced';

export interface FlowSummary {
  readonly first: number;
  readonly middle: number;
  readonly last: number;
  readonly min: number;
  readonly max: number;
  /** first / last: > 1 means larger at the input end. */
  readonly ratio: number;
  readonly verdict: FlowVerdict;
}

/** Thresholds: "vanished" below 1e-5 everywhere; a 100× spread between the ends is unbalanced. */
const TINY = 1e-5;
const HUGE = 1e3;
const SPREAD = 100;

export function summarizeFlow(norms: readonly number[]): FlowSummary {
  if (norms.length === 0) throw new RangeError('no layers to summarise');
  const first = norms[0];
  const last = norms[norms.length - 1];
  const middle = norms[Math.floor(norms.length / 2)];
  const min = Math.min(...norms);
  const max = Math.max(...norms);
  const ratio = first / last;
  let verdict: FlowVerdict;
  if (max < TINY) verdict = 'vanished';
  else if (max > HUGE) verdict = 'exploding';
  else if (ratio < 1 / SPREAD) verdict = 'vanishing';
  else if (ratio > SPREAD) verdict = 'input-heavy';
  else verdict = 'balanced';
  return { first, middle, last, min, max, ratio, verdict };
}

/** Two significant figures, plain notation from 0.01 to 999, else mantissa·e·exponent (5.7e4). */
export function fmt(v: number): string {
  if (v === 0) return '0';
  if (v >= 10 && v < 1000) return String(Math.round(v));
  if (v >= 0.01 && v < 10) return String(Number(v.toPrecision(2)));
  const e = Math.floor(Math.log10(Math.abs(v)));
  const m = v / 10 ** e;
  return `${m.toFixed(1)}e${e}`;
}

function times(r: number): string {
  return `${fmt(r >= 1 ? r : 1 / r)}×`;
}

/** One sentence per net, from its summary. */
export function describeNet(name: string, s: FlowSummary): string {
  const ends = `conv layers first ${fmt(s.first)}, middle ${fmt(s.middle)}, last ${fmt(s.last)}`;
  switch (s.verdict) {
    case 'vanished':
      return `${name}: the gradients have vanished — every layer gets less than ${fmt(TINY)} (${ends}); its weights would barely move.`;
    case 'exploding':
      return `${name}: the gradients explode — up to ${fmt(s.max)} (${ends}); a normal learning rate would blow it up.`;
    case 'vanishing':
      return `${name}: the gradients shrink toward the input — the first conv gets ${times(s.ratio)} less than the last (${ends}).`;
    case 'input-heavy':
      return `${name}: the gradients do not vanish, but they are unbalanced — the first conv gets ${times(s.ratio)} more than the last (${ends}).`;
    case 'balanced':
      return `${name}: the gradients are balanced across depth — first and last within ${times(s.ratio)} (${ends}).`;
  }
}

export interface TeachingInput {
  readonly depth: number;
  readonly batchNorm: boolean;
  readonly init: 'he' | 'glorot';
  readonly plain: readonly number[];
  readonly residual: readonly number[];
}

/** Paragraphs for the panel: what this chart shows, then what it means (conditioned on what it shows). */
export function teachingText(t: TeachingInput): string[] {
  const p = summarizeFlow(t.plain);
  const r = summarizeFlow(t.residual);
  const out = [describeNet(`plain-${t.depth}`, p), describeNet(`ResNet-${t.depth}`, r)];
  if (t.batchNorm) {
    if (p.verdict === 'vanished' || p.verdict === 'vanishing') {
      out.push('Here the plain net loses its gradients even with batch normalization — try a smaller depth or He initialization.');
    } else {
      out.push(
        'With batch normalization the plain net’s gradients do not vanish — as He et al. (2015, §4.1) verified. ' +
          'Yet deeper plain nets train to a higher training error (run the race below at depth 56): the degradation problem ' +
          'is an optimization difficulty, not vanishing gradients. Residual blocks only have to learn a correction to the ' +
          'identity, which is easier to optimize.',
      );
    }
    if (p.verdict === 'input-heavy' && r.verdict === 'balanced') {
      out.push(
        `The difference at initialization is balance: the plain net’s gradient is ${times(p.ratio)} larger at the input end than at the output end, the residual net’s only ${times(r.ratio)}.`,
      );
    }
  } else {
    if ((p.verdict === 'vanished' || p.verdict === 'vanishing') && r.verdict !== 'vanished' && r.verdict !== 'vanishing') {
      out.push(
        'Without batch normalization the plain net’s gradients vanish on the way back; the identity shortcuts carry the gradient past every block, so the residual net’s stay alive.',
      );
    } else if (p.verdict !== 'vanished' && p.verdict !== 'vanishing' && t.init === 'he') {
      out.push(
        'Without batch normalization, exact He initialization keeps the plain net’s signal at constant variance, so its gradients survive. ' +
          'Switch to Glorot initialization to see them vanish.',
      );
    }
    if (r.verdict === 'exploding') {
      out.push(
        'The residual net explodes instead: each block adds its branch to the identity, so without normalization the signal’s variance grows block after block. ' +
          'Batch normalization (or a scaled-down last layer in each block) keeps it in check.',
      );
    }
  }
  return out;
}
