import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { buildWasm } from './scripts/build-wasm.mjs';
import { leanTfjs } from './scripts/vite-plugin-lean-tfjs.ts';
import { serviceWorker } from './scripts/vite-plugin-service-worker.ts';
import { wasmThreadsFromOrigin } from './scripts/vite-plugin-wasm-threads.ts';

/**
 * Content-Security-Policy for the built app: only our own origin runs code; WebAssembly (tfjs-backend-wasm,
 * h5wasm) needs 'wasm-unsafe-eval' and nothing else does. tfjs-backend-wasm's threaded build would start its
 * pthreads from blob: scripts (script-src blob:); the build serves those scripts from our origin instead
 * (scripts/vite-plugin-wasm-threads.ts), so the policy needs no blob: for scripts. connect-src allows https: only so a user can type a
 * weights URL; the app never fetches another origin by itself.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: mediastream:",
  "connect-src 'self' blob: data: https:",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The dev server also serves React Refresh's inline preamble, so it adds 'unsafe-inline' for scripts, and blob:
 * because dev serves tfjs-backend-wasm pre-bundled, unpatched: its pthreads `importScripts` a blob: URL.
 */
const DEV_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline' blob:").replace(
  "connect-src 'self'",
  "connect-src 'self' ws: wss:",
);

/** Cross-origin isolation lets tfjs-backend-wasm use threads (SharedArrayBuffer). */
const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** Our own WebAssembly kernels (wasm/*.ts, AssemblyScript), compiled when stale before any `?url` import of them. */
const wasmKernels = { name: 'wasm-kernels', buildStart: () => buildWasm().then(() => undefined) };

export default defineConfig({
  plugins: [wasmKernels, react(), serviceWorker(import.meta.dirname)],
  // Workers are bundled separately and take only these plugins: the model worker is where tfjs-backend-wasm runs;
  // both workers get tfjs without its GPU backends, which load when tried (scripts/vite-plugin-lean-tfjs.ts).
  worker: { format: 'es', plugins: () => [wasmThreadsFromOrigin(), leanTfjs(import.meta.dirname)] },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
  server: { headers: { ...ISOLATION, 'Content-Security-Policy': DEV_CSP } },
  preview: { headers: { ...ISOLATION, 'Content-Security-Policy': CSP } },
});
