/** `?backend=` is read by one function for Classify and the lab: a backend, automatic, or automatic with a notice. */
import { describe, expect, it } from 'vitest';
import { backendFromSearch } from '../../src/tf/backend-names';

const ALLOWED = 'allowed are webgpu, webgl, wasm, cpu or auto';

describe('?backend= in the URL', () => {
  it('names a backend (case and spaces forgiven), or asks for the automatic choice', () => {
    expect(backendFromSearch('?backend=wasm')).toEqual({ backend: 'wasm' });
    expect(backendFromSearch('view=lab&backend=WebGL')).toEqual({ backend: 'webgl' });
    expect(backendFromSearch('?backend=%20cpu%20')).toEqual({ backend: 'cpu' });
    expect(backendFromSearch('?backend=webgpu&backend=cpu')).toEqual({ backend: 'webgpu' });
    expect(backendFromSearch('?backend=auto')).toEqual({});
    expect(backendFromSearch('?view=classify')).toEqual({});
    expect(backendFromSearch('')).toEqual({});
  });

  it.each([
    ['?backend=cuda', '"cuda"'],
    ['?backend=', '""'],
    ['?backend=web%20gl', '"web gl"'],
    ['?backend=%3Cscript%3Ealert(1)%3C%2Fscript%3E', '"<script>alert(1)</script>"'],
    ['?backend=tensorflow', '"tensorflow"'],
  ])('%s: automatic, with a notice naming %s and what is allowed', (search, shown) => {
    const r = backendFromSearch(search);
    expect(r.backend).toBeUndefined();
    expect(r.notice).toBe(`Ignored ?backend=${shown}: ${ALLOWED}. Choosing the backend automatically.`);
  });

  it('a very long value is shortened in the notice', () => {
    const r = backendFromSearch(`?backend=${'x'.repeat(500)}`);
    expect(r.backend).toBeUndefined();
    expect(r.notice!.length).toBeLessThan(200);
    expect(r.notice).toContain('xxx...');
  });
});
