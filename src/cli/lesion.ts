/**
 * `resnet-explorer lesion IMAGE [--model ResNet50] [--weights …] [--json]`: delete each residual block in turn
 * (its branch set to zero, src/tf/lesion.ts) and print the top-1 and the probability of the original top-1.
 * Its options, model loading and image decoding are the classify command's (src/cli/image-model-args.ts).
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { expand } from '../core';
import { type LesionResult, lesionJson, lesionStudy } from '../tf/lesion';
import { decodeImage } from '../tf/node-image';
import { preprocess } from '../tf/preprocess';
import { modelInput } from '../tf/weights-source';
import { INPUT_OPTIONS_HELP, imageModelOptions, loadImageModel, MODEL_OPTIONS_HELP, type Out, parseImageModelArgs, reportError } from './image-model-args';
import { UsageError } from './load-model';

export const LESION_HELP = `Usage: resnet-explorer lesion IMAGE [options]

Deletes each residual block in turn (its residual branch set to zero, so the block passes its input on; in a
block with a projection shortcut only the projection remains) and prints the top-1 class and the probability
of the original top-1 after each deletion (Veit et al. 2016, Sec. 4.1).

Options:
${MODEL_OPTIONS_HELP}
${INPUT_OPTIONS_HELP}
  --json                {image, base: {index, label, probability}, blocks: [{block, shortcut, top, baseProbability}]}
`;

const pct = (p: number) => `${(p * 100).toFixed(2).padStart(6)}%`;

function textReport(image: string, r: LesionResult): string {
  const lines = [
    `${image}: intact top-1 ${r.base.label} (${r.base.index}) ${pct(r.base.probability)}`,
    `  ${'deleted block'.padEnd(15)} ${'shortcut'.padEnd(10)} ${'P(original)'.padStart(11)}  top-1 after deletion`,
  ];
  for (const b of r.blocks) {
    const changed = b.top.index !== r.base.index ? '  ← top-1 changed' : '';
    lines.push(
      `  ${(b.block + (b.downsampling ? ' ↓2' : '')).padEnd(15)} ${b.shortcut.padEnd(10)} ${pct(b.baseProbability).padStart(11)}  ${b.top.label} (${b.top.index}) ${pct(b.top.probability)}${changed}`,
    );
  }
  const changed = r.blocks.filter((b) => b.top.index !== r.base.index).map((b) => b.block);
  lines.push(`  top-1 changed after deleting: ${changed.length ? changed.join(', ') : 'none'} (${r.blocks.length} blocks, ${(r.ms / 1000).toFixed(1)} s)`);
  return lines.join('\n');
}

export async function runLesion(argv: readonly string[], out: Out): Promise<number> {
  const parsed = parseImageModelArgs(argv, {}, LESION_HELP, out);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals: images } = parsed;
  try {
    if (images.length !== 1) throw new UsageError(`name exactly one image, got ${images.length}${images.length ? `: ${images.join(', ')}` : ''}`);
    const image = images[0];
    const options = imageModelOptions(values);
    const bytes = new Uint8Array(
      await readFile(image).catch(() => {
        throw new Error(`cannot read ${image}`);
      }),
    );

    const { model, spec, description } = await loadImageModel(values, options, out);
    try {
      const pixels = decodeImage(bytes, basename(image));
      // The weights' input size and preprocessing, as classify (and the app) use.
      const x = preprocess(pixels, modelInput(description), options.resize);
      pixels.dispose();
      let r: LesionResult;
      try {
        r = await lesionStudy(model, expand(spec), x, {
          labels: description.labels,
          onBlock: (done, total, e) => out.stderr(`deleted ${e.block} (${done}/${total})`),
        });
      } finally {
        x.dispose();
      }
      out.stderr(`${r.blocks.length + 1} forward passes in ${(r.ms / 1000).toFixed(2)} s`);
      out.stdout(values.json ? JSON.stringify(lesionJson(image, r)) : textReport(image, r));
      return 0;
    } finally {
      model.dispose();
    }
  } catch (e) {
    return reportError(e, LESION_HELP, out);
  }
}
