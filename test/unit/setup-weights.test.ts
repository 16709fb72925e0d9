/** scripts/setup-weights.mjs: verification of the placed ImageNet weights (sizes and sha256 per file). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IMAGENET_RESNET50_JSON } from '../../src/tf/node-io';
import { requireWeights, SKIP_WEIGHTS } from '../helpers/fixtures';

const check = (dir?: string) =>
  spawnSync(process.execPath, ['scripts/setup-weights.mjs', '--check'], {
    encoding: 'utf8',
    env: { ...process.env, ...(dir ? { RESNET_WEIGHTS_DIR: dir } : {}), npm_lifecycle_event: '' },
  });

describe.skipIf(SKIP_WEIGHTS)('setup-weights --check', () => {
  it("accepts the placed files without downloading", () => {
    requireWeights();
    const r = check();
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/present and verified/);
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
});
