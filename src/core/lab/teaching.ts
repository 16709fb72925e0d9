/**
 * The words beside the gradient-flow chart, derived from the numbers the chart shows so that they cannot
 * disagree with it, each claim attributed to its source:
 *  - He et al. 2015 (§4.1) report that their plain nets, trained with BN, have backward gradients with
 *    "healthy norms", and argue that the degradation of deeper plain nets is an optimization difficulty rather
 *    than vanishing gradients; that residual blocks are easier to optimize is their hypothesis (§3.1).
 *  - At initialization the chart shows something else: with BN, the plain net's gradients grow toward the input
 *    as depth grows, the gradient explosion Yang et al. 2019 derive for batch-normalized nets. The init scale
 *    cannot change that: BN makes a layer's Jacobian independent of its weights' scale (Ioffe & Szegedy 2015,
 *    §3.3), so no init advice is given for BN nets.
 *  - Without BN the outcome depends on the initialisation: with Glorot the plain net's gradients vanish and the
 *    shortcuts keep the residual net's alive; with exact He init the plain net keeps them while the residual sums
 *    grow block after block and its gradients explode. Identity shortcuts pass the gradient unchanged only in
 *    pre-activation units (He et al. 2016, Eq. 5, §4.2); these nets apply a ReLU after each addition.
 */
import type { Citation } from '../references';

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

/** One paragraph of teaching text and the sources of the claims it makes (none for a reading of the chart). */
export interface Paragraph {
  readonly text: string;
  readonly cites: readonly Citation[];
}

const said = (text: string, ...cites: Citation[]): Paragraph => ({ text, cites });

/** Paragraphs for the panel: what this chart shows, then what it means (conditioned on what it shows). */
export function teachingText(t: TeachingInput): Paragraph[] {
  const p = summarizeFlow(t.plain);
  const r = summarizeFlow(t.residual);
  const out = [said(describeNet(`plain-${t.depth}`, p)), said(describeNet(`ResNet-${t.depth}`, r))];
  if (t.batchNorm) {
    if (p.verdict === 'vanished' || p.verdict === 'vanishing') {
      out.push(
        said(
          'Here the plain net loses its gradients even with batch normalization. A different initialization scale would not ' +
            'change that: batch normalization makes each normalized layer’s Jacobian independent of the scale of its weights.',
          { source: 'ioffe2015', where: '§3.3' },
        ),
      );
    } else {
      out.push(
        said(
          'With batch normalization the plain net’s gradients do not vanish here. He et al. report the same for their plain nets ' +
            'in training (“healthy norms with BN”), yet deeper plain nets reach a higher training error (compare the race below at ' +
            'depths 8 and 32); they argue that this degradation problem is an optimization difficulty, not vanishing gradients. ' +
            'Their hypothesis for why residual blocks help: a block only has to learn a correction to the identity, which ' +
            'should be easier to optimize.',
          { source: 'he2015', where: '§4.1' },
          { source: 'he2015', where: '§3.1' },
        ),
      );
    }
    if (p.verdict === 'input-heavy') {
      const residual = r.verdict === 'balanced' ? `; the residual net’s only ${times(r.ratio)}` : '';
      out.push(
        said(
          `What the chart shows at initialization is imbalance: the plain net’s gradient is ${times(p.ratio)} larger at the input ` +
            `end than at the output end${residual}. Batch-normalized plain nets have gradients that grow toward the input as depth ` +
            'grows — the gradient explosion at initialization that Yang et al. derive for batch normalization.',
          { source: 'yang2019', where: 'abstract' },
        ),
      );
    }
  } else {
    if ((p.verdict === 'vanished' || p.verdict === 'vanishing') && r.verdict !== 'vanished' && r.verdict !== 'vanishing') {
      out.push(
        said(
          'Without batch normalization the plain net’s gradients vanish on the way back; the shortcuts give the gradient a ' +
            'path around every block’s weights, so the residual net’s stay alive. The gradient passes a shortcut unchanged ' +
            'only in pre-activation units; these nets apply a ReLU after each addition, which it must still cross.',
          { source: 'he2016', where: 'Eq. 5, §4.2' },
        ),
      );
    } else if (p.verdict !== 'vanished' && p.verdict !== 'vanishing' && t.init === 'he') {
      out.push(
        said(
          'Without batch normalization, exact He initialization keeps the plain net’s signal at constant variance, so its gradients survive. ' +
            'Switch to Glorot initialization to see them vanish.',
          { source: 'heInit2015', where: '§2.2' },
        ),
      );
    }
    if (r.verdict === 'exploding') {
      out.push(
        said(
          'The residual net explodes instead: each block adds its branch to the identity, so without normalization the signal’s variance grows block after block. ' +
            'Batch normalization (or a scaled-down last layer in each block) keeps it in check.',
        ),
      );
    }
  }
  return out;
}
