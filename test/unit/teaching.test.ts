import { describe, expect, it } from 'vitest';
import { fmt, type Paragraph, summarizeFlow, teachingText } from '../../src/core/lab/teaching';
import { citationText } from '../../src/core/references';

const joined = (ps: readonly Paragraph[]) => ps.map((p) => p.text).join(' ');
const cited = (ps: readonly Paragraph[]) => ps.flatMap((p) => p.cites.map(citationText));

const decay = (n: number, from: number, to: number) => Array.from({ length: n }, (_, i) => from * (to / from) ** (i / (n - 1)));

describe('teaching text follows the numbers', () => {
  it('formats numbers readably', () => {
    expect([570, 5.7, 0.96, 0.0123, 58000, 2.8e-10, 12.4].map(fmt)).toEqual(['570', '5.7', '0.96', '0.012', '5.8e4', '2.8e-10', '12']);
  });

  it('classifies gradient flow', () => {
    expect(summarizeFlow([1e-7, 2e-7, 1e-7]).verdict).toBe('vanished');
    expect(summarizeFlow([590, 15, 0.45]).verdict).toBe('input-heavy');
    expect(summarizeFlow([2.4, 0.88, 0.43]).verdict).toBe('balanced');
    expect(summarizeFlow([3e3, 4.6e4, 7e4]).verdict).toBe('exploding');
    expect(summarizeFlow([1e-4, 1e-2, 0.5]).verdict).toBe('vanishing');
  });

  it('with BN: no vanishing, degradation, imbalance (the measured shape), each claim attributed', () => {
    const ps = teachingText({ depth: 56, batchNorm: true, init: 'he', plain: decay(56, 590, 0.45), residual: decay(56, 2.4, 0.43) });
    const text = joined(ps);
    expect(text).toMatch(/do not vanish/);
    expect(text).toMatch(/they argue that this degradation problem is an optimization difficulty/);
    expect(text).toMatch(/Their hypothesis/);
    expect(text).toMatch(/unbalanced/);
    expect(text).toMatch(/gradient explosion at initialization/);
    expect(text).toMatch(/1\.3e3× larger at the input end/);
    expect(text).not.toMatch(/have vanished/);
    expect(cited(ps)).toEqual(['He et al. 2015, §4.1', 'He et al. 2015, §3.1', 'Yang et al. 2019, abstract']);
  });

  it('with BN, vanishing: no advice to change the initialization (BN makes it irrelevant)', () => {
    const ps = teachingText({ depth: 56, batchNorm: true, init: 'glorot', plain: decay(56, 1e-4, 0.5), residual: decay(56, 2.4, 0.43) });
    expect(joined(ps)).toMatch(/plain-56: the gradients shrink toward the input/);
    expect(joined(ps)).not.toMatch(/try .*initialization/i);
    expect(cited(ps)).toContain('Ioffe & Szegedy 2015, §3.3');
  });

  it('without BN, Glorot: plain vanishes, the identity keeps the residual alive', () => {
    const ps = teachingText({ depth: 56, batchNorm: false, init: 'glorot', plain: decay(56, 2.8e-10, 7e-10), residual: decay(56, 5.9, 57) });
    const text = joined(ps);
    expect(text).toMatch(/plain-56: the gradients have vanished/);
    expect(text).toMatch(/shortcuts give the gradient a path around every block/);
    // Qualified: unchanged only through pre-activation units (these nets have a ReLU after the addition).
    expect(text).toMatch(/only in pre-activation units/);
    expect(cited(ps)).toEqual(['He et al. 2016, Eq. 5, §4.2']);
  });

  it('without BN, He: says the plain net survives and the residual explodes, as measured', () => {
    const ps = teachingText({ depth: 56, batchNorm: false, init: 'he', plain: decay(56, 0.19, 2.8), residual: decay(56, 3e3, 7e4) });
    const text = joined(ps);
    expect(cited(ps)).toEqual(['He et al. 2015b, §2.2']);
    expect(text).toMatch(/gradients survive/);
    expect(text).toMatch(/ResNet-56: the gradients explode/);
    expect(text).not.toMatch(/plain net’s gradients vanish on the way back/);
  });
});
