/**
 * `resnet-explorer export MODEL --format F --out PATH [--weights imagenet|none|FILE] [--no-weights] [--zip] [spec flags]`
 * - spec: the ArchSpec as JSON (edit it and feed it back with `summary --spec`);
 * - h5:   a Keras 2 `save_weights` file (Keras' `model.load_weights` reads it, by order or by name);
 * - tfjs: a tfjs layers model (`model.json` + `weights.bin`) that `tf.loadLayersModel` reads;
 * - every format of the exporter registry (src/export/index.ts: keras, and onnx / pytorch where registered).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { EXPORTERS, ExportError, type ExporterEntry } from '../export';
import { zipExport } from '../export/zip';
import { buildModel } from '../tf/build';
import { exportInputFromModel } from '../tf/export-input';
import { writeKerasH5 } from '../tf/h5/keras-h5';
import { modelToKerasWeights } from '../tf/h5/model-weights';
import { initNodeBackend } from '../tf/node-backend';
import { loadModel, UsageError } from './load-model';
import { SPEC_FLAG_OPTIONS, specFlags, specFromFlags } from './spec-args';

type Out = { stdout: (s: string) => void; stderr: (s: string) => void };

const OWN_FORMATS = ['spec', 'h5', 'tfjs'] as const;

export function exportHelp(exporters: readonly ExporterEntry[] = EXPORTERS): string {
  const formats = [...OWN_FORMATS, ...exporters.map((e) => e.format)].join('|');
  const code = exporters.map((e) => `                        ${e.format}: ${e.label}, --out is a ${e.output}`).join('\n');
  return `Usage: resnet-explorer export MODEL --format ${formats} --out PATH [options]

Options:
  --format F            spec (ArchSpec JSON), h5 (Keras weights file), tfjs (model.json + weights.bin in PATH/),
${code}
  --out PATH            file or folder to write (as above); with --zip, the .zip file
  --weights W           imagenet (ResNet50), none (random, default otherwise), a model.json or .h5 to convert
  --no-weights          code formats: structure only, no weights file
  --zip                 code formats: one .zip with every file under one folder
  --no-top, --input H,W,C, --pooling, --classes, --groups, --spec FILE   as for summary (spec, or --weights none)
`;
}

export const EXPORT_HELP = exportHelp();

/** Write an exporter's files: into a folder, as one file (+ any others beside it), or as one zip. */
async function writeCode(entry: ExporterEntry, result: Awaited<ReturnType<ExporterEntry['run']>>, outPath: string, zip: boolean): Promise<string[]> {
  if (zip) {
    await mkdir(dirname(outPath), { recursive: true });
    await writeFile(outPath, zipExport(result, basename(outPath).replace(/\.zip$/i, '')));
    return [outPath];
  }
  const written: string[] = [];
  const [first, ...rest] = result.files;
  const targets =
    entry.output === 'file'
      ? [{ path: outPath, bytes: first.bytes }, ...rest.map((f) => ({ path: join(dirname(outPath), f.path), bytes: f.bytes }))]
      : result.files.map((f) => ({ path: join(outPath, f.path), bytes: f.bytes }));
  for (const t of targets) {
    await mkdir(dirname(t.path), { recursive: true });
    await writeFile(t.path, t.bytes);
    written.push(t.path);
  }
  return written;
}

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

/** `exporters`: the registry (tests pass their own). */
export async function runExport(argv: readonly string[], out: Out, exporters: readonly ExporterEntry[] = EXPORTERS): Promise<number> {
  const help = exportHelp(exporters);
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (e) {
    out.stderr(`error: ${(e as Error).message}\n\n${help}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    out.stdout(help);
    return 0;
  }
  const format = values.format;
  const entry = exporters.find((e) => e.format === format);
  if (format !== 'spec' && format !== 'h5' && format !== 'tfjs' && !entry) {
    const allowed = [...OWN_FORMATS, ...exporters.map((e) => e.format)].join(', ');
    out.stderr(`error: --format: received ${JSON.stringify(format ?? null)}; allowed: ${allowed}\n\n${help}`);
    return 2;
  }
  if (!values.out) {
    out.stderr(`error: --out: name the file or folder to write (${format}: ${entry?.output ?? (format === 'tfjs' ? 'folder' : 'file')})`);
    return 2;
  }
  if (!entry && (values.zip || values['no-weights'])) {
    out.stderr(`error: --zip and --no-weights apply to ${exporters.map((e) => e.format).join(', ')}, not ${format}`);
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
  if (values['no-weights'] && values.weights) {
    out.stderr('error: --no-weights exports the structure only; drop --weights');
    return 2;
  }
  const weights = values['no-weights'] ? 'none' : (values.weights ?? (spec.name === 'ResNet50' && !reshaped ? 'imagenet' : 'none'));
  if (reshaped && weights !== 'none') {
    out.stderr('error: --no-top, --input, --pooling, --classes, --groups and --spec change the model; use them with --weights none');
    return 2;
  }
  if (entry && values['no-weights']) return await writeEntry(entry, exportInputFromModel(spec, undefined), values.out, !!values.zip, out);
  await initNodeBackend('wasm');
  let model: tf.LayersModel;
  // The spec of the loaded model: ImageNet ResNet50's BatchNormalization epsilon is 1e-3, not the preset's.
  let modelSpec = spec;
  try {
    if (weights === 'none') model = buildModel(spec);
    else ({ model, spec: modelSpec } = await loadModel(spec.name, weights, out.stderr));
  } catch (e) {
    if (e instanceof UsageError) {
      out.stderr(`error: ${e.message}`);
      return 2;
    }
    throw e;
  }
  if (entry) {
    const label = weights === 'none' ? 'random (untrained)' : weights === 'imagenet' ? 'ImageNet (Keras ResNet50)' : basename(weights);
    let input: ReturnType<typeof exportInputFromModel>;
    try {
      input = exportInputFromModel(modelSpec, model, { weightsLabel: label });
    } finally {
      model.dispose();
    }
    return await writeEntry(entry, input, values.out, !!values.zip, out);
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

async function writeEntry(entry: ExporterEntry, input: ReturnType<typeof exportInputFromModel>, outPath: string, zip: boolean, out: Out): Promise<number> {
  let result: Awaited<ReturnType<ExporterEntry['run']>>;
  try {
    let last = -1;
    result = await entry.run(input, (fraction, message) => {
      const pct = Math.floor(fraction * 10);
      if (pct !== last) out.stderr(`${Math.round(fraction * 100)}% ${message}`);
      last = pct;
    });
  } catch (e) {
    if (e instanceof ExportError) {
      out.stderr(`error: ${e.message}`);
      return 2;
    }
    throw e;
  }
  const written = await writeCode(entry, result, outPath, zip);
  out.stderr(`wrote ${input.spec.name} as ${entry.format} (${input.weightsLabel ?? 'no weights'}) to ${zip || entry.output === 'file' ? outPath : `${outPath.replace(/\/+$/, '')}/`}: ${written.length} file(s)`);
  out.stderr(`runs with: ${result.runsWith}`);
  for (const n of result.notes) out.stderr(`note: ${n}`);
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
      ...SPEC_FLAG_OPTIONS,
      zip: { type: 'boolean' },
      'no-weights': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
