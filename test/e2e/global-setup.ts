import { execSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { preview, type PreviewServer } from 'vite';

let server: PreviewServer | undefined;

/** Build once, serve the production bundle (with its CSP and isolation headers) for every e2e file. */
export async function setup(project: TestProject) {
  if (!process.env.E2E_SKIP_BUILD) execSync('npx vite build', { stdio: 'inherit' });
  server = await preview({ preview: { port: 0, host: '127.0.0.1', strictPort: false } });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview did not report a URL');
  project.provide('baseUrl', url.replace(/\/$/, ''));
}

export async function teardown() {
  await server?.close();
}

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
  }
}
