/**
 * scripts/ensure-chromium.mjs (run before the e2e tests): a Chromium that runs passes; a RESNET_CHROMIUM that
 * does not is refused with a message naming it (never "fixed" by installing something else).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'ensure-chromium-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (chromium: string) =>
  spawnSync(process.execPath, ['scripts/ensure-chromium.mjs'], { encoding: 'utf8', env: { ...process.env, RESNET_CHROMIUM: chromium } });

describe('ensure-chromium', () => {
  it('accepts a binary that answers --version, and says which', () => {
    const fake = join(dir, 'chromium');
    writeFileSync(fake, '#!/bin/sh\necho "Chromium 1.2.3 test build"\n');
    chmodSync(fake, 0o755);
    const r = run(fake);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`Chromium 1.2.3 test build at ${fake}`);
  });

  it('refuses a RESNET_CHROMIUM that is missing or does not run, naming it', () => {
    const missing = join(dir, 'nope');
    const r = run(missing);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`RESNET_CHROMIUM=${missing} is not a Chromium that runs`);
    const broken = join(dir, 'broken');
    writeFileSync(broken, '#!/bin/sh\nexit 3\n');
    chmodSync(broken, 0o755);
    expect(run(broken).status).toBe(1);
  });
});
