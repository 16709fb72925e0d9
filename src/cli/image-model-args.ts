/**
 * The command-line options that the commands which run a model on an image share (classify, lesion): parsing,
 * checks, loading the model and reporting errors, so that both commands take and answer them alike.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { DEFAULT_IMAGENET_PRECISION, IMAGENET_PRECISIONS, type ImagenetPrecision, parseImagenetPrecision } from '../tf/imagenet-precision';
import { initNodeBackend, type NodeBackend } from '../tf/node-backend';
import type { ResizeMode } from '../tf/preprocess';
import { type Loaded, loadModel, UsageError } from './load-model';

export type Out = { stdout: (s: string) => void; stderr: (s: string) => void };

/** Help lines of the model options (each command puts its own options after them). */
export const MODEL_OPTIONS_HELP = `  --model NAME          preset to build (default ResNet50)
  --weights W           imagenet (default for ResNet50), none (random), a model.json path/URL or a Keras .h5 file
  --precision P         ImageNet weights' files: ${IMAGENET_PRECISIONS.join(', ')} (default ${DEFAULT_IMAGENET_PRECISION}, as the app)`;

/** Help lines of the input and backend options. */
export const INPUT_OPTIONS_HELP = `  --resize MODE         center-crop (default) or squash
  --backend B           wasm (default) or cpu`;

const IMAGE_MODEL_OPTIONS = {
  model: { type: 'string' },
  weights: { type: 'string' },
  precision: { type: 'string' },
  resize: { type: 'string' },
  backend: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Options = NonNullable<ParseArgsConfig['options']>;

type Values<O extends Options> = {
  [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string;
};

/**
 * Parses argv with the shared options and the command's `extra` ones. Returns the exit code where the command
 * ends here: 2 (the error and the help on stderr) for options parseArgs rejects, 0 (the help on stdout) for --help.
 */
export function parseImageModelArgs<X extends Options>(
  argv: readonly string[],
  extra: X,
  help: string,
  out: Out,
): { values: Values<typeof IMAGE_MODEL_OPTIONS & X>; positionals: string[] } | number {
  let parsed: { values: Values<typeof IMAGE_MODEL_OPTIONS & X>; positionals: string[] };
  try {
    const r = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: { ...IMAGE_MODEL_OPTIONS, ...extra } });
    parsed = { values: r.values as Values<typeof IMAGE_MODEL_OPTIONS & X>, positionals: r.positionals };
  } catch (e) {
    out.stderr(`error: ${(e as Error).message}\n\n${help}`);
    return 2;
  }
  if (parsed.values.help) {
    out.stdout(help);
    return 0;
  }
  return parsed;
}

export interface ImageModelOptions {
  readonly resize: ResizeMode;
  readonly backend: NodeBackend;
  readonly precision: ImagenetPrecision;
}

/** Checks --resize, --backend and --precision (in that order); a bad one throws a UsageError naming it. */
export function imageModelOptions(values: { resize?: string; backend?: string; precision?: string }): ImageModelOptions {
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
  }
  return { resize, backend, precision };
}

/** Starts the backend, loads the model --model and --weights name, and says on stderr what was loaded and how fast. */
export async function loadImageModel(
  values: { model?: string; weights?: string },
  options: ImageModelOptions,
  out: Out,
): Promise<Loaded> {
  await initNodeBackend(options.backend);
  const t0 = performance.now();
  const loaded = await loadModel(values.model ?? 'ResNet50', values.weights, out.stderr, options.precision);
  const files = loaded.weights === 'imagenet' ? `, ${options.precision} files` : '';
  out.stderr(`${loaded.spec.name} (${loaded.weights} weights) on ${options.backend}${files}, loaded in ${(performance.now() - t0).toFixed(0)} ms`);
  return loaded;
}

/** The exit code for an error the command did not catch: 2 with the help for a UsageError, else 1. */
export function reportError(e: unknown, help: string, out: Out): number {
  if (e instanceof UsageError) {
    out.stderr(`error: ${e.message}\n\n${help}`);
    return 2;
  }
  out.stderr(`error: ${(e as Error).message}`);
  return 1;
}
