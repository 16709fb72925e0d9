/**
 * `resnet-explorer lesion IMAGE [--model ResNet50] [--weights …] [--json]`: delete each residual block in turn
 * (its branch set to zero, src/tf/lesion.ts) and print the top-1 and the probability of the original top-1.
 * Model loading and image decoding are the classify command's.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { expand } from '../core';
import { DEFAULT_IMAGENET_PRECISION, IMAGENET_PRECISIONS, type ImagenetPrecision, parseImagenetPrecision } from '../tf/imagenet-precision';
import { lesionJson, type LesionResult, lesionStudy } from '../tf/lesion';
import { initNodeBackend, type NodeBackend } from '../tf/node-backend';
import { decodeImage } from '../tf/node-image';
import { preprocess, type ResizeMode } from '../tf/preprocess';
import { modelInput } from '../tf/weights-source';
import { loadModel, UsageError } from './classify';

type Out = { stdout: (s: string) => void; stderr: (s: string) => void };

export const LESION_HELP = `Usage: resnet-explorer lesion IMAGE [options]

Deletes each residual block in turn (its residual branch set to zero, so the block passes its input on; in a
block with a projection shortcut only the projection remains) and prints the top-1 class and the probability
of the original top-1 after each deletion (Veit et al. 2016, Sec. 4.1).

Options:
  --model NAME          preset to build (default ResNet50)
  --weights W           imagenet (default for ResNet50), none (random), a model.json path/URL or a Keras .h5 file
  --precision P         ImageNet weights' files: ${IMAGENET_PRECISIONS.join(', ')} (default ${DEFAULT_IMAGENET_PRECISION}, as the app)
  --resize MODE         center-crop (default) or squash
  --backend B           wasm (default) or cpu
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
  let values: { model?: string; weights?: string; precision?: string; resize?: string; backend?: string; json?: boolean; help?: boolean };
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
        resize: { type: 'string' },
        backend: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    values = parsed.values;
    images = parsed.positionals;
  } catch (e) {
    out.stderr(`error: ${(e as Error).message}\n\n${LESION_HELP}`);
    return 2;
  }
  if (values.help) {
    out.stdout(LESION_HELP);
    return 0;
  }
  try {
    if (images.length !== 1) throw new UsageError(`name exactly one image, got ${images.length}${images.length ? `: ${images.join(', ')}` : ''}`);
    const image = images[0];
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
    const bytes = new Uint8Array(
      await readFile(image).catch(() => {
        throw new Error(`cannot read ${image}`);
      }),
    );

    await initNodeBackend(backend);
    const t0 = performance.now();
    const { model, spec, weights, description } = await loadModel(values.model ?? 'ResNet50', values.weights, out.stderr, precision);
    const files = weights === 'imagenet' ? `, ${precision} files` : '';
    out.stderr(`${spec.name} (${weights} weights) on ${backend}${files}, loaded in ${(performance.now() - t0).toFixed(0)} ms`);
    try {
      const pixels = decodeImage(bytes, basename(image));
      // The weights' input size and preprocessing, as classify (and the app) use.
      const x = preprocess(pixels, modelInput(description), resize);
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
    if (e instanceof UsageError) {
      out.stderr(`error: ${e.message}\n\n${LESION_HELP}`);
      return 2;
    }
    out.stderr(`error: ${(e as Error).message}`);
    return 1;
  }
}
