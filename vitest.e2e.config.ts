import { defineConfig } from 'vitest/config';

/** Browser tests: real Debian Chromium driven by playwright-core against the built app (vite preview). */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    globalSetup: ['test/e2e/global-setup.ts'],
    // Generous: a test's own waits (model load up to 240 s, a SwiftShader classification up to 240 s, …) must
    // fit inside it on a busy 2-core machine; measured there, the longest test (classify-webgpu) takes ~110 s.
    testTimeout: 600_000,
    hookTimeout: 300_000,
    fileParallelism: false,
    pool: 'forks',
    // expect.poll's own default (1 s) is shorter than one React render on a loaded 2-core machine. Polls on a
    // DOM update get this; polls on real work (model loads, classification, training) name a longer timeout.
    expect: { poll: { timeout: 30_000 } },
  },
});
