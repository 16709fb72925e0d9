import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Fixtures live outside the repo (../shared/fixtures) and are never copied in. */
export const FIXTURES = resolve(process.env.RESNET_FIXTURES ?? '../shared/fixtures');

export function fixturePath(...parts: string[]): string {
  const p = join(FIXTURES, ...parts);
  if (!existsSync(p)) throw new Error(`fixture missing: ${p} (set RESNET_FIXTURES to the shared fixtures folder)`);
  return p;
}

export function readJsonFixture<T = unknown>(...parts: string[]): T {
  return JSON.parse(readFileSync(fixturePath(...parts), 'utf8')) as T;
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
