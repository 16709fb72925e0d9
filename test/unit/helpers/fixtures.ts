import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { IMAGENET_RESNET50_JSON } from '../../../src/tf/node-io';

/** Shared fixtures (never copied into the repo). */
export const FIXTURES = resolve(process.env.RESNET_FIXTURES ?? '../shared/fixtures');
export const fixture = (...p: string[]) => join(FIXTURES, ...p);

/**
 * The ImageNet weights placed by scripts/setup-weights.mjs. Tests that need them fail loudly when they are
 * missing, unless RESNET_OFFLINE=1 says this machine has no registry access (then they are skipped).
 */
export const HAVE_WEIGHTS = existsSync(IMAGENET_RESNET50_JSON);
export const SKIP_WEIGHTS = !HAVE_WEIGHTS && process.env.RESNET_OFFLINE === '1';
export function requireWeights(): void {
  if (!HAVE_WEIGHTS) {
    throw new Error(
      `ImageNet weights missing at ${IMAGENET_RESNET50_JSON}: run \`node scripts/setup-weights.mjs\` (or set RESNET_OFFLINE=1 to skip these tests).`,
    );
  }
}
