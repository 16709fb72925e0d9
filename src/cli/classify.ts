/**
 * `resnet-explorer classify IMAGE… [--model ResNet50] [--weights PATH|URL|imagenet] [--precision float16] [--top 5] [--json]`
 * Prints the top-k (label, class index, probability) per image. --json prints one JSON array of
 * `{image, top: [{index, label, probability}]}` (an image that cannot be read gives `{image, error}` and exit 1).
 * Everything that is not the result goes to stderr, so stdout stays machine-readable.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { findPreset } from '../core';
import { classify, type Prediction } from '../tf/classify';
import { decodeImage } from '../tf/node-image';
import { preprocess } from '../tf/preprocess';
import { modelInput } from '../tf/weights-source';
import { INPUT_OPTIONS_HELP, imageModelOptions, loadImageModel, MODEL_OPTIONS_HELP, type Out, parseImageModelArgs, reportError } from './image-model-args';
import { UsageError } from './load-model';

export { loadModel, UsageError } from './load-model';

export const CLASSIFY_HELP = `Usage: resnet-explorer classify IMAGE… [options]

Options:
${MODEL_OPTIONS_HELP}
  --top K               classes to print per image (default 5)
${INPUT_OPTIONS_HELP}
  --json                one JSON array: [{image, top: [{index, label, probability}]}]
`;

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
  const parsed = parseImageModelArgs(argv, { top: { type: 'string' } }, CLASSIFY_HELP, out);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals: images } = parsed;
  try {
    if (images.length === 0) throw new UsageError('name at least one image');
    const k = values.top === undefined ? 5 : Number(values.top);
    if (!Number.isInteger(k) || k < 1) throw new UsageError(`--top must be a positive integer, got "${values.top}"`);
    const options = imageModelOptions(values);
    if (values.precision !== undefined) {
      const w = values.weights ?? (findPreset(values.model ?? 'ResNet50')?.name === 'ResNet50' ? 'imagenet' : 'none');
      if (w !== 'imagenet') throw new UsageError(`--precision applies to the ImageNet weights only (got --weights ${w})`);
    }

    const { model, description } = await loadImageModel(values, options, out);
    const target = modelInput(description);
    const results: Result[] = [];
    try {
      for (const image of images) {
        try {
          const bytes = new Uint8Array(await readFile(image).catch(() => {
            throw new Error(`cannot read ${image}`);
          }));
          const pixels = decodeImage(bytes, basename(image));
          const x = preprocess(pixels, target, options.resize);
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
    return reportError(e, CLASSIFY_HELP, out);
  }
}
