import { describe, expect, it } from 'vitest';
import { fmt, summarizeFlow, teachingText } from '../../src/core/lab/teaching';

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

  it('with BN: no vanishing, degradation, imbalance (the measured shape)', () => {
    const text = teachingText({ depth: 56, batchNorm: true, init: 'he', plain: decay(56, 590, 0.45), residual: decay(56, 2.4, 0.43) }).join(' ');
    expect(text).toMatch(/do not vanish/);
    expect(text).toMatch(/degradation problem/);
    expect(text).toMatch(/unbalanced/);
    expect(text).not.toMatch(/have vanished/);
  });

  it('without BN, Glorot: plain vanishes, the identity keeps the residual alive', () => {
    const text = teachingText({ depth: 56, batchNorm: false, init: 'glorot', plain: decay(56, 2.8e-10, 7e-10), residual: decay(56, 5.9, 57) }).join(' ');
    expect(text).toMatch(/plain-56: the gradients have vanished/);
    expect(text).toMatch(/identity shortcuts carry the gradient/);
  });

  it('without BN, He: says the plain net survives and the residual explodes, as measured', () => {
    const text = teachingText({ depth: 56, batchNorm: false, init: 'he', plain: decay(56, 0.19, 2.8), residual: decay(56, 3e3, 7e4) }).join(' ');
    expect(text).toMatch(/gradients survive/);
    expect(text).toMatch(/ResNet-56: the gradients explode/);
    expect(text).not.toMatch(/plain net’s gradients vanish on the way back/);
  });
});
