/**
 * Python + PyTorch for the export tests: Debian's python3 with python3-torch, python3-torchvision, python3-pil
 * (RESNET_PYTHON overrides the interpreter). Without them the tests skip locally; with CI set they fail and say
 * what to install.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ArchGraph } from '../../../src/core';
import { Prng } from '../../../src/core/datasets/prng';
import type { ExportResult, LayerWeight, WeightSet } from '../../../src/export/types';

export const PYTHON = process.env.RESNET_PYTHON ?? '/usr/bin/python3';
const APT = 'apt-get install python3-torch python3-torchvision python3-pil';

function probe(): string | undefined {
  // find_spec locates the packages without importing torch (seconds on a busy machine).
  const code = "import importlib.util as u; print(' '.join(m for m in ('torch', 'torchvision', 'PIL', 'numpy') if u.find_spec(m) is None))";
  const r = spawnSync(PYTHON, ['-c', code], { encoding: 'utf8', timeout: 120_000 });
  if (r.error) return `${PYTHON} cannot run (${r.error.message})`;
  if (r.status !== 0) return `${PYTHON} failed: ${r.stderr.trim().split('\n').pop()}`;
  const lacking = r.stdout.trim();
  return lacking ? `${PYTHON} lacks ${lacking}` : undefined;
}

const missing = probe();
/** Skip locally without PyTorch; never under CI. */
export const SKIP_TORCH = missing !== undefined && !process.env.CI;
export function requireTorch(): void {
  if (missing) throw new Error(`${missing}. Install Debian's PyTorch: ${APT} (or set RESNET_PYTHON).`);
}

/** Run python; returns stdout, throws with stderr on a non-zero exit. */
export function python(args: readonly string[], opts: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): string {
  const r = spawnSync(PYTHON, args, {
    cwd: opts.cwd,
    env: { ...process.env, OMP_NUM_THREADS: '2', ...opts.env },
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 300_000,
    maxBuffer: 64 << 20,
  });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`python ${args.slice(0, 2).join(' ')} exited ${r.status}:\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

export function writeExport(dir: string, result: ExportResult): void {
  for (const f of result.files) {
    mkdirSync(join(dir, f.path, '..'), { recursive: true });
    writeFileSync(join(dir, f.path), f.bytes);
  }
}

/**
 * Seeded random weights in Keras layout for every weighted node of a graph, with BatchNorm statistics that are
 * not the identity (so a wrong mapping of mean/variance shows) and He-scaled kernels (activations stay O(1)).
 */
export function randomWeights(graph: ArchGraph, seed: number): WeightSet {
  const rng = new Prng(seed);
  const fill = (n: number, f: () => number) => {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = f();
    return a;
  };
  const w = (layer: string, name: string, shape: number[], f: () => number): LayerWeight => ({
    name: `${layer}/${name}:0`,
    shape,
    data: fill(shape.reduce((a, b) => a * b, 1), f),
  });
  const layers = graph.nodes.flatMap((n) => {
    const op = n.op;
    const cin = n.inShapes[0]?.at(-1) ?? 0;
    if (op.kind === 'conv') {
      const grouped = op.groups > 1;
      // He-uniform: U(−a, a) with a = √(6 / fan_in), variance 2 / fan_in.
      const a = Math.sqrt(6 / ((op.kernel * op.kernel * cin) / op.groups));
      const shape = [op.kernel, op.kernel, cin, grouped ? op.filters / op.groups : op.filters];
      const ws = [w(n.id, grouped ? 'depthwise_kernel' : 'kernel', shape, () => rng.uniform(-a, a))];
      if (op.bias) ws.push(w(n.id, 'bias', [op.filters], () => rng.uniform(-0.1, 0.1)));
      return [{ layer: n.id, weights: ws }];
    }
    if (op.kind === 'bn') {
      return [
        {
          layer: n.id,
          weights: [
            w(n.id, 'gamma', [cin], () => rng.uniform(0.5, 1.5)),
            w(n.id, 'beta', [cin], () => rng.uniform(-0.2, 0.2)),
            w(n.id, 'moving_mean', [cin], () => rng.uniform(-0.2, 0.2)),
            w(n.id, 'moving_variance', [cin], () => rng.uniform(0.5, 1.5)),
          ],
        },
      ];
    }
    if (op.kind === 'dense') {
      const a = Math.sqrt(3 / cin);
      return [{ layer: n.id, weights: [w(n.id, 'kernel', [cin, op.units], () => rng.uniform(-a, a)), w(n.id, 'bias', [op.units], () => rng.uniform(-0.1, 0.1))] }];
    }
    return [];
  });
  return { layers };
}

/** Little-endian float32 file ↔ array. */
export function f32Bytes(a: Float32Array | ArrayLike<number>): Uint8Array {
  const f = a instanceof Float32Array ? a : Float32Array.from(a);
  return new Uint8Array(f.buffer, f.byteOffset, f.byteLength);
}
