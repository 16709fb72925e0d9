/**
 * `resnet-explorer classify IMAGE… [--model ResNet50] [--weights PATH|URL|imagenet] [--precision float16] [--top 5] [--json]`
 * Prints the top-k (label, class index, probability) per image. --json prints one JSON array of
 * `{image, top: [{index, label, probability}]}` (an image that cannot be read gives `{image, error}` and exit 1).
 * Everything that is not the result goes to stderr, so stdout stays machine-readable.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import type * as tf from '@tensorflow/tfjs';
import { type ArchSpec, findPreset, PRESET_NAMES, type WeightsDescription } from '../core';
import { classify, type Prediction } from '../tf/classify';
import { DEFAULT_IMAGENET_PRECISION, IMAGENET_PRECISIONS, type ImagenetPrecision, parseImagenetPrecision } from '../tf/imagenet-precision';
import { initNodeBackend, type NodeBackend } from '../tf/node-backend';
import { decodeImage } from '../tf/node-image';
import { readWeightsSource } from '../tf/node-weights';
import { preprocess, type ResizeMode } from '../tf/preprocess';
import { loadWeightsSource, modelInput } from '../tf/weights-source';

type Out = { stdout: (s: string) => void; stderr: (s: string) => void };

export const CLASSIFY_HELP = `Usage: resnet-explorer classify IMAGE… [options]

Options:
  --model NAME          preset to build (default ResNet50)
  --weights W           imagenet (default for ResNet50), none (random), a model.json path/URL or a Keras .h5 file
  --precision P         ImageNet weights' files: ${IMAGENET_PRECISIONS.join(', ')} (default ${DEFAULT_IMAGENET_PRECISION}, as the app)
  --top K               classes to print per image (default 5)
  --resize MODE         center-crop (default) or squash
  --backend B           wasm (default) or cpu
  --json                one JSON array: [{image, top: [{index, label, probability}]}]
`;

/** Bad command-line input: exit code 2. */
export class UsageError extends Error {}

interface Loaded {
  readonly model: tf.LayersModel;
  readonly spec: ArchSpec;
  /** 'imagenet', 'random' or the file/URL given. */
  readonly weights: string;
  readonly description: WeightsDescription;
}

/** The model and weights the options name, through src/tf/weights-source.ts (as the app's worker). */
export async function loadModel(
  modelName: string,
  weights: string | undefined,
  err: (s: string) => void,
  /** Which files of the ImageNet weights; float32 (the published ones) unless the caller chooses. */
  precision: ImagenetPrecision = 'float32',
): Promise<Loaded> {
  const preset = findPreset(modelName);
  if (!preset) throw new UsageError(`unknown model "${modelName}"; choose one of: ${PRESET_NAMES.join(', ')}`);
  const w = weights ?? (preset.name === 'ResNet50' ? 'imagenet' : 'none');
  if (w === 'imagenet' && preset.name !== 'ResNet50') {
    throw new UsageError(`ImageNet weights are available for ResNet50 only (got --model ${modelName}); pass --weights none or a file.`);
  }
  const loaded = await loadWeightsSource(await readWeightsSource(w, preset.name, precision));
  if (loaded.weights.source === 'random') err(`warning: ${preset.name} has random weights; its predictions mean nothing.`);
  return { model: loaded.model, spec: loaded.spec, weights: w === 'none' ? 'random' : w, description: loaded.weights };
}

interface Result {
  readonly image: string;
  readonly top?: readonly Prediction[];
  readonly error?: string;
  readonly ms?: number;
}

function textReport(r: Result): string {
  if (r.error) return `${r.image}: error: ${r.error}`;
  const rows = r.top!.map(
    (p, i) => `  ${String(i + 1).padStart(2)}. ${p.label.padEnd(28)} ${String(p.index).padStart(4)}  ${(p.probability * 100).toFixed(2).padStart(6)}%`,
  );
  return `${r.image}  (${r.ms!.toFixed(0)} ms)\n${rows.join('\n')}`;
}

export async function runClassify(argv: readonly string[], out: Out): Promise<number> {
  let values: { model?: string; weights?: string; precision?: string; top?: string; resize?: string; backend?: string; json?: boolean; help?: boolean };
  let images: string[];
  try {
    const parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        model: { type: 'string' },
        weights: { type: 'string' },
        precision: { type: 'string' },
        top: { type: 'string' },
        resize: { type: 'string' },
        backend: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    values = parsed.values;
    images = parsed.positionals;
  } catch (e) {
    out.stderr(`error: ${(e as Error).message}\n\n${CLASSIFY_HELP}`);
    return 2;
  }
  if (values.help) {
    out.stdout(CLASSIFY_HELP);
    return 0;
  }
  try {
    if (images.length === 0) throw new UsageError('name at least one image');
    const k = values.top === undefined ? 5 : Number(values.top);
    if (!Number.isInteger(k) || k < 1) throw new UsageError(`--top must be a positive integer, got "${values.top}"`);
    const resize = (values.resize ?? 'center-crop') as ResizeMode;
    if (resize !== 'center-crop' && resize !== 'squash') throw new UsageError(`--resize must be center-crop or squash, got "${resize}"`);
    const backend = (values.backend ?? 'wasm') as NodeBackend;
    if (backend !== 'wasm' && backend !== 'cpu') throw new UsageError(`--backend must be wasm or cpu, got "${backend}"`);

    let precision: ImagenetPrecision = DEFAULT_IMAGENET_PRECISION;
    if (values.precision !== undefined) {
      try {
        precision = parseImagenetPrecision(values.precision);
      } catch (e) {
        throw new UsageError(`--precision: ${(e as Error).message}`);
      }
      const w = values.weights ?? (findPreset(values.model ?? 'ResNet50')?.name === 'ResNet50' ? 'imagenet' : 'none');
      if (w !== 'imagenet') throw new UsageError(`--precision applies to the ImageNet weights only (got --weights ${w})`);
    }

    await initNodeBackend(backend);
    const t0 = performance.now();
    const { model, spec, weights, description } = await loadModel(values.model ?? 'ResNet50', values.weights, out.stderr, precision);
    const target = modelInput(description);
    const files = weights === 'imagenet' ? `, ${precision} files` : '';
    out.stderr(`${spec.name} (${weights} weights) on ${backend}${files}, loaded in ${(performance.now() - t0).toFixed(0)} ms`);
    const results: Result[] = [];
    try {
      for (const image of images) {
        try {
          const bytes = new Uint8Array(await readFile(image).catch(() => {
            throw new Error(`cannot read ${image}`);
          }));
          const pixels = decodeImage(bytes, basename(image));
          const x = preprocess(pixels, target, resize);
          pixels.dispose();
          const r = await classify(model, x, k, description.labels);
          x.dispose();
          results.push({ image, top: r.top, ms: r.ms });
        } catch (e) {
          results.push({ image, error: (e as Error).message });
        }
      }
    } finally {
      model.dispose();
    }
    if (values.json) {
      out.stdout(JSON.stringify(results.map(({ ms: _ms, ...r }) => r)));
    } else {
      for (const r of results) (r.error ? out.stderr : out.stdout)(textReport(r));
    }
    return results.some((r) => r.error) ? 1 : 0;
  } catch (e) {
    if (e instanceof UsageError) {
      out.stderr(`error: ${e.message}\n\n${CLASSIFY_HELP}`);
      return 2;
    }
    out.stderr(`error: ${(e as Error).message}`);
    return 1;
  }
}
