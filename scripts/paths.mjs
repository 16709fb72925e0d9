/**
 * The two machine settings the tests and scripts share, resolved in one place (plain ESM so that Node scripts,
 * tsx scripts and the tests all import the same code):
 *   RESNET_FIXTURES  the shared fixtures folder (real public data, never copied into the repository);
 *                    default ../shared/fixtures; a relative path is taken from the repository root.
 *   RESNET_CHROMIUM  the Chromium binary the browser tests and benchmarks drive; default /usr/bin/chromium
 *                    (Debian's `chromium` package).
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file lives in scripts/). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const DEFAULT_FIXTURES = '../shared/fixtures';
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** Absolute path of the fixtures folder. */
export function fixturesDir() {
  return resolve(REPO_ROOT, process.env.RESNET_FIXTURES || DEFAULT_FIXTURES);
}

/** Path of the Chromium binary. */
export function chromiumPath() {
  return process.env.RESNET_CHROMIUM || DEFAULT_CHROMIUM;
}
