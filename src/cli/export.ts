/**
 * `resnet-explorer export MODEL --format spec|h5|tfjs --out PATH [--weights imagenet|none|FILE] [spec flags]`
 * - spec: the ArchSpec as JSON (edit it and feed it back with `summary --spec`);
 * - h5:   a Keras 2 `save_weights` file (Keras' `model.load_weights` reads it, by order or by name);
 * - tfjs: a tfjs layers model (`model.json` + `weights.bin`) that `tf.loadLayersModel` reads.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { buildModel } from '../tf/build';
import { writeKerasH5 } from '../tf/h5/keras-h5';
import { modelToKerasWeights } from '../tf/h5/model-weights';
import { initNodeBackend } from '../tf/node-backend';
import { loadModel, UsageError } from './classify';
import { specFlags, specFromFlags } from './spec-args';

type Out = { stdout: (s: string) => void; stderr: (s: string) => void };

export const EXPORT_HELP = `Usage: resnet-explorer export MODEL --format spec|h5|tfjs --out PATH [options]

Options:
  --format F            spec (ArchSpec JSON), h5 (Keras weights file) or tfjs (model.json + weights.bin in PATH/)
  --out PATH            file (spec, h5) or folder (tfjs) to write
  --weights W           imagenet (ResNet50), none (random, default otherwise), a model.json or .h5 to convert
  --no-top, --input H,W,C, --pooling, --classes, --groups, --spec FILE   as for summary (spec, or --weights none)
`;

/** Write a tfjs layers model into a folder: model.json and one weights.bin. */
async function saveTfjs(model: tf.LayersModel, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = artifacts.weightData ? tf.io.CompositeArrayBuffer.join(artifacts.weightData) : new ArrayBuffer(0);
      const json = {
        format: 'layers-model',
        generatedBy: 'resnet-explorer',
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
      };
      await writeFile(join(dir, 'model.json'), JSON.stringify(json));
      await writeFile(join(dir, 'weights.bin'), new Uint8Array(data));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: data.byteLength } };
    }),
  );
}

export async function runExport(argv: readonly string[], out: Out): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (e) {
    out.stderr(`error: ${(e as Error).message}\n\n${EXPORT_HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    out.stdout(EXPORT_HELP);
    return 0;
  }
  const format = values.format;
  if (format !== 'spec' && format !== 'h5' && format !== 'tfjs') {
    out.stderr(`error: --format: received ${JSON.stringify(format ?? null)}; allowed: spec, h5, tfjs\n\n${EXPORT_HELP}`);
    return 2;
  }
  if (!values.out) {
    out.stderr('error: --out: name the file (spec, h5) or folder (tfjs) to write');
    return 2;
  }
  if (positionals.length > 1) {
    out.stderr(`error: export takes one model, received ${positionals.length}: ${positionals.join(' ')}`);
    return 2;
  }
  const flags = specFlags(values);
  const reshaped = Object.values(flags).some((v) => v !== undefined);
  const spec = specFromFlags(positionals[0], flags); // throws SpecError / UnknownModelError: exit 2 in main
  if (format === 'spec') {
    await mkdir(dirname(values.out), { recursive: true });
    await writeFile(values.out, JSON.stringify(spec, null, 2) + '\n');
    out.stderr(`wrote ${spec.name} spec to ${values.out}`);
    return 0;
  }
  const weights = values.weights ?? (spec.name === 'ResNet50' && !reshaped ? 'imagenet' : 'none');
  if (reshaped && weights !== 'none') {
    out.stderr('error: --no-top, --input, --pooling, --classes, --groups and --spec change the model; use them with --weights none');
    return 2;
  }
  await initNodeBackend('wasm');
  let model: tf.LayersModel;
  try {
    model = weights === 'none' ? buildModel(spec) : (await loadModel(spec.name, weights, out.stderr)).model;
  } catch (e) {
    if (e instanceof UsageError) {
      out.stderr(`error: ${e.message}`);
      return 2;
    }
    throw e;
  }
  try {
    if (format === 'h5') {
      await mkdir(dirname(values.out), { recursive: true });
      await writeFile(values.out, await writeKerasH5(modelToKerasWeights(model)));
    } else {
      await saveTfjs(model, values.out);
    }
  } finally {
    model.dispose();
  }
  out.stderr(`wrote ${spec.name} (${weights === 'none' ? 'random' : weights} weights) as ${format} to ${values.out}`);
  return 0;
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      format: { type: 'string' },
      out: { type: 'string' },
      weights: { type: 'string' },
      'no-top': { type: 'boolean' },
      input: { type: 'string' },
      pooling: { type: 'string' },
      classes: { type: 'string' },
      groups: { type: 'string' },
      spec: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
