#!/usr/bin/env node
/**
 * Compiles our own WebAssembly kernels (wasm/*.ts, AssemblyScript) into wasm/build/ (git-ignored), two builds each:
 *   <name>.wasm         imports an ordinary memory: tfjs-backend-wasm's single-threaded SIMD build (Node, and a
 *                       browser without cross-origin isolation)
 *   <name>-shared.wasm  imports a shared memory of at most 4 GiB: its threaded SIMD build, whose heap is a
 *                       `WebAssembly.Memory({ shared: true, maximum: 65536 pages })` (tfjs-backend-wasm-threaded-simd.js)
 * A memory import must match the memory given to it in sharedness, hence two builds of one source.
 *
 * The kernels must not touch memory they were not given: no static data, no runtime (`--runtime stub`, nothing
 * allocated), no exported memory. The build fails if a data segment or a global appears in the output.
 *
 * Runs from `postinstall`, before the unit tests and benches, and from Vite's config (dev and build); does nothing
 * when the outputs are newer than their sources (`--force` compiles anyway). `buildWasm()` for scripts.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

const root = resolve(import.meta.dirname, '..');
const src = join(root, 'wasm');
const out = join(src, 'build');

const COMMON = ['-O3', '--enable', 'simd', '--runtime', 'stub', '--importMemory', '--noExportMemory', '--use', 'abort=', '--noAssert'];
const VARIANTS = [
  { suffix: '', flags: [] },
  { suffix: '-shared', flags: ['--enable', 'threads', '--sharedMemory', '--maximumMemory', '65536'] },
];

/** Section ids of a wasm binary (§5.5 of the WebAssembly core spec): 6 globals, 11 data. */
function sectionIds(bytes) {
  const ids = [];
  let i = 8;
  while (i < bytes.length) {
    const id = bytes[i++];
    let size = 0;
    let shift = 0;
    let b;
    do {
      b = bytes[i++];
      size |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    ids.push(id);
    i += size;
  }
  return ids;
}

/** Compile what is stale (everything with `force`); resolves to the number of modules compiled. */
export async function buildWasm({ force = false } = {}) {
  mkdirSync(out, { recursive: true });
  let built = 0;
  for (const file of readdirSync(src).filter((f) => f.endsWith('.ts'))) {
    const name = file.slice(0, -3);
    const input = join(src, file);
    for (const v of VARIANTS) {
      const target = join(out, `${name}${v.suffix}.wasm`);
      if (!force && existsSync(target) && statSync(target).mtimeMs >= statSync(input).mtimeMs) continue;
      const { error, stderr } = await asc.main([input, ...COMMON, ...v.flags, '-o', target]);
      if (error) throw new Error(`build-wasm: ${file}${v.suffix} did not compile: ${error.message}\n${stderr.toString()}`);
      const ids = sectionIds(readFileSync(target));
      if (ids.includes(6) || ids.includes(11)) throw new Error(`build-wasm: ${target} has globals or data; the kernels must own no memory`);
      built++;
    }
  }
  return built;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const built = await buildWasm({ force: process.argv.includes('--force') });
  if (built) console.log(`build-wasm: ${built} module(s) compiled into wasm/build/`);
}
