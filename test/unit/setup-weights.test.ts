/**
 * scripts/setup-weights.mjs: verification of the placed ImageNet weights (sizes and sha256 per file), and the
 * float16 / uint8 copies it derives from them (deterministic: the same bytes as its recorded checksums).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IMAGENET_RESNET50_JSON } from '../../src/tf/node-io';
import { requireWeights, SKIP_WEIGHTS } from './helpers/fixtures';

const check = (dir?: string, args = ['--check']) =>
  spawnSync(process.execPath, ['scripts/setup-weights.mjs', ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...(dir ? { RESNET_WEIGHTS_DIR: dir } : {}), npm_lifecycle_event: '' },
  });

describe.skipIf(SKIP_WEIGHTS)('setup-weights --check', () => {
  it("accepts the placed files without downloading", () => {
    requireWeights();
    const r = check();
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/\(float32, float16, uint8\) present and verified/);
  });

  it('names a tampered or missing file and exits 1 without downloading', () => {
    const src = dirname(IMAGENET_RESNET50_JSON);
    const dir = mkdtempSync(join(tmpdir(), 'weights-'));
    for (const f of readdirSync(src)) if (f.endsWith('.bin') && f !== 'group1-shard7of25.bin') symlinkSync(join(src, f), join(dir, f));
    // Same size, one byte changed.
    const json = readFileSync(IMAGENET_RESNET50_JSON, 'utf8').replace('"keras v2.2.4-tf"', '"keras v2.2.4-tX"');
    writeFileSync(join(dir, 'model.json'), json);
    const r = check(dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/model.json: sha256 [0-9a-f]+…, expected 11e0ca5744e3…/);
    expect(r.stderr).toMatch(/group1-shard7of25.bin: missing/);
    expect(r.stderr).toMatch(/run: node scripts\/setup-weights.mjs/);
  });

  it('derives the float16 and uint8 copies offline from the float32 files, byte for byte as recorded; --check names a missing or changed one', () => {
    requireWeights();
    const src = dirname(IMAGENET_RESNET50_JSON);
    const root = mkdtempSync(join(tmpdir(), 'weights-'));
    const dir = join(root, 'resnet50-imagenet');
    try {
      mkdirSync(dir);
      for (const f of readdirSync(src)) symlinkSync(join(src, f), join(dir, f));
      const missing = check(dir);
      expect(missing.status).toBe(1);
      expect(missing.stderr).toMatch(/f16\/group1-shard1of13.bin: missing/);

      const t0 = performance.now();
      const made = check(dir, []);
      console.log(`derived both copies in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${made.stderr.trim().split('\n').join(' | ')}`);
      expect(made.status).toBe(0);
      expect(made.stderr).toMatch(/wrote float16 weights \(49\.0 MiB\)/);
      expect(made.stderr).toMatch(/wrote uint8 weights \(24\.7 MiB\)/);
      expect(readdirSync(`${dir}-f16`).sort()).toEqual(readdirSync(join(src, '..', 'resnet50-imagenet-f16')).sort());
      expect(check(dir).status).toBe(0);
      // Idempotent: a second run finds them verified and writes nothing.
      const again = check(dir, []);
      expect(again.status).toBe(0);
      expect(again.stderr).not.toMatch(/wrote/);

      // One byte changed in a uint8 shard: named, exit 1, nothing downloaded.
      const shard = join(`${dir}-uint8`, 'group1-shard3of7.bin');
      const b = readFileSync(shard);
      b[1000] ^= 1;
      writeFileSync(shard, b);
      const bad = check(dir);
      expect(bad.status).toBe(1);
      expect(bad.stderr).toMatch(/uint8\/group1-shard3of7.bin: sha256 [0-9a-f]+…, expected/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 180_000);
});
