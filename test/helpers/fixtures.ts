/**
 * The one place tests find their real data: the shared fixtures folder ($RESNET_FIXTURES, resolved by
 * scripts/paths.mjs; never copied into the repository) and the ImageNet weights placed by
 * scripts/setup-weights.mjs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir } from '../../scripts/paths.mjs';
import { IMAGENET_RESNET50_JSON } from '../../src/tf/node-io';

export const FIXTURES = fixturesDir();

/** Path of a fixture; throws, naming RESNET_FIXTURES, when it is missing. */
export function fixture(...parts: string[]): string {
  const p = join(FIXTURES, ...parts);
  if (!existsSync(p)) throw new Error(`fixture missing: ${p} (set RESNET_FIXTURES to the shared fixtures folder)`);
  return p;
}

export function readJsonFixture<T = unknown>(...parts: string[]): T {
  return JSON.parse(readFileSync(fixture(...parts), 'utf8')) as T;
}

/** The layers of a tfjs-converter model.json (Keras functional config), in `model.layers` order. */
export interface KerasLayerJson {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
  inbound_nodes: [string, number, number, Record<string, unknown>][][];
}

export function kerasTopology(file: string): KerasLayerJson[] {
  const json = readJsonFixture<{ modelTopology: { model_config: { config: { layers: KerasLayerJson[] } } } }>('keras-topology', file);
  return json.modelTopology.model_config.config.layers;
}

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
