/**
 * `resnet-explorer finetune DIR --out OUTDIR [options]`: transfer learning on a folder with one sub-folder per
 * class (Keras' `image_dataset_from_directory` rule, src/core/datasets/folders.ts), with the app's code
 * (src/tf/finetune-run.ts) on the ImageNet ResNet50. Writes OUTDIR/model.json + weights (tfjs, class names in
 * userDefinedMetadata, loadable by `classify --weights OUTDIR/model.json` and the app), OUTDIR/model.weights.h5
 * (Keras save_weights layout), OUTDIR/classes.txt (one class per line, index order) and OUTDIR/model.onnx
 * (src/export/onnx).
 * `--json` prints `{classes, counts, epochs, best: {epoch, valLoss, valAccuracy}, confusion, …}` on stdout;
 * progress goes to stderr. Exit codes: 0 ok, 1 runtime failure, 2 bad input.
 */
import { existsSync, statSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { parseArgs } from 'node:util';
import type * as tf from '@tensorflow/tfjs';
import type { ArchSpec, Preprocessing } from '../core';
import { assignClasses } from '../core/datasets/folders';
import { fnv1a64 } from '../core/finetune-hygiene';
import { FINETUNE_DEFAULTS, HEAD_KINDS, type HeadKind } from '../tf/finetune';
import type { LabelledImage } from '../tf/finetune-data';
import type { Evaluation } from '../tf/finetune-eval';
import type { FinetuneRun } from '../tf/finetune-run';
import { DEFAULT_IMAGENET_PRECISION, type ImagenetPrecision, parseImagenetPrecision } from '../tf/imagenet-precision';
import { UsageError } from './classify';

type Out = { stdout: (s: string) => void; stderr: (s: string) => void };

export const FINETUNE_HELP = `Usage: resnet-explorer finetune DIR --out OUTDIR [options]

DIR holds one sub-folder per class (images at any depth below it; png, jpg, gif, bmp, webp).
Trains a new head on the ImageNet ResNet50's pooled features, as the app's Fine-tune panel does.

Options:
  --out OUTDIR          where to write model.json + weights (tfjs), model.weights.h5 (Keras) and classes.txt
  --head H              dense (Dense(N, softmax), default) or dense2048 (Dense(2048, relu) + Dense(N, softmax))
  --dropout D           dropout rate before the last Dense, in [0, 1) (default 0: none)
  --epochs E            head training epochs (default ${FINETUNE_DEFAULTS.epochs})
  --val F               fraction of each class held out for validation, in [0, 1) (default ${FINETUNE_DEFAULTS.validationSplit})
  --seed S              seed of the split, the head's initialisation and the shuffles (default ${FINETUNE_DEFAULTS.seed})
  --patience P          early stopping: stop after P epochs without a lower validation loss, keep the best (default 0: off)
  --batch B             batch size (default ${FINETUNE_DEFAULTS.batchSize})
  --lr LR               Adam learning rate of the head (default ${FINETUNE_DEFAULTS.learningRate}; conv5 uses LR/10)
  --no-flip             do not add left-right mirrors of the training images
  --finetune-conv5 E    then fine-tune conv5 with the head for E epochs (BN in inference mode; slow on CPU)
  --precision P         ImageNet weights' files: float32, float16 (default, as the app) or uint8
  --json                one JSON object on stdout: {classes, counts, epochs, best: {epoch, valLoss, valAccuracy}, confusion, …}
`;

/** Every file below `dir`, '/'-separated and relative to it, prefixed with a fixed root so the class rule sees DIR as the chosen folder. */
async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  const visit = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await visit(p);
      else if (e.isFile()) out.push(relative(dir, p).split(sep).join('/'));
    }
  };
  await visit(dir);
  return out;
}

export interface FolderImages {
  readonly classNames: string[];
  readonly images: LabelledImage[];
  /** Files that are not images or not in a class folder, with the reason. */
  readonly rejected: { path: string; reason: string }[];
}

/** A folder → labelled images (lazy decode; content hash for the duplicate check). Exit-2 errors for bad folders. */
export async function folderImages(dir: string): Promise<FolderImages> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`DIR "${dir}" is not a folder; give a folder with one sub-folder of images per class.`);
  const files = await walk(dir);
  const ROOT = '@root';
  const a = assignClasses(files.map((f) => ({ path: `${ROOT}/${f}` })));
  if (a.classes.length === 0) throw new UsageError(`no images in class sub-folders of "${dir}"; put each class's images in its own sub-folder (png, jpg, gif, bmp, webp).`);
  if (a.classes.length < 2) throw new UsageError(`fine-tuning needs at least 2 classes; "${dir}" has only "${a.classes[0]}".`);
  const { decodeImage } = await import('../tf/node-image');
  const images: LabelledImage[] = [];
  for (const [label, members] of a.members.entries()) {
    for (const i of members) {
      const rel = files[i];
      const path = join(dir, ...rel.split('/'));
      const key = fnv1a64(new Uint8Array(await readFile(path)));
      images.push({ name: rel, label, key, pixels: async () => decodeImage(new Uint8Array(await readFile(path)), rel) });
    }
  }
  return { classNames: [...a.classes], images, rejected: a.rejected.map((r) => ({ path: r.path.slice(ROOT.length + 1), reason: r.reason })) };
}

export interface FinetuneJson {
  classes: string[];
  counts: number[];
  /** Head epochs run (fewer than asked when early stopping ended training). */
  epochs: number;
  best: { epoch: number; valLoss: number | null; valAccuracy: number | null };
  /** Of the saved model on the validation split (after conv5 when it was fine-tuned): rows true, columns predicted. */
  confusion: number[][];
  stoppedEarly: boolean;
  trainExamples: number;
  valExamples: number;
  head: HeadKind;
  dropout: number;
  warnings: string[];
  skipped: { name: string; reason: string }[];
  conv5?: { epochs: number; msPerEpoch: number; before: { valLoss: number; valAccuracy: number } | null; after: { valLoss: number | null; valAccuracy: number | null } };
  accuracy: number | null;
  msPerImage: number;
}

/** The `--json` object of a run (also what the tests compare with in-process figures). */
export function finetuneJson(r: FinetuneRun, rejected: readonly { path: string; reason: string }[] = []): FinetuneJson {
  const h = r.head.history;
  const best = h[r.head.bestEpoch - 1];
  const finalEval: Evaluation = r.stage?.evaluation ?? r.evaluation;
  const last = r.stage?.result.history.at(-1);
  return {
    classes: [...r.classNames],
    counts: [...r.counts],
    epochs: h.length,
    best: { epoch: r.head.bestEpoch, valLoss: best?.valLoss ?? null, valAccuracy: best?.valAccuracy ?? null },
    confusion: finalEval.confusion,
    stoppedEarly: r.head.stoppedEarly,
    trainExamples: r.trainExamples,
    valExamples: r.valExamples,
    head: r.head.kind,
    dropout: r.head.dropout,
    warnings: [...r.hygiene.warnings],
    skipped: [...rejected.map((x) => ({ name: x.path, reason: x.reason })), ...r.skipped],
    ...(r.stage
      ? {
          conv5: {
            epochs: r.stage.result.history.length,
            msPerEpoch: r.stage.result.msPerEpoch,
            before: r.stage.result.before ?? null,
            after: { valLoss: last?.valLoss ?? null, valAccuracy: last?.valAccuracy ?? null },
          },
        }
      : {}),
    accuracy: finalEval.accuracy,
    msPerImage: r.msPerImage,
  };
}

/**
 * OUTDIR/model.onnx through the export registry (src/export/onnx), which reads the architecture from the spec:
 * `finetunedSpec` describes either head (dense2048's `fc1` is HeadSpec.hidden; dropout an Identity at
 * inference). Returns whether it was written.
 */
async function writeOnnx(
  outDir: string,
  spec: ArchSpec,
  model: tf.LayersModel,
  run: FinetuneRun,
  mode: Preprocessing,
): Promise<boolean> {
  const [{ runExport }, { exportInputFromModel }, { finetunedSpec }] = await Promise.all([import('../export'), import('../tf/export-input'), import('../tf/finetune')]);
  const input = exportInputFromModel(finetunedSpec(spec, run.classNames.length, run.head), model, { classNames: run.classNames, preprocessing: mode, weightsLabel: 'fine-tuned' });
  const result = await runExport('onnx', input);
  for (const f of result.files) await writeFile(join(outDir, f.path), f.bytes);
  return result.files.some((f) => f.path === 'model.onnx');
}

function num(name: string, v: string | undefined, fallback: number, ok: (x: number) => boolean, allowed: string): number {
  if (v === undefined) return fallback;
  const x = Number(v);
  if (v.trim() === '' || !ok(x)) throw new UsageError(`--${name} must be ${allowed}; got "${v}"`);
  return x;
}

export async function runFinetuneCli(argv: readonly string[], out: Out): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    const parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        out: { type: 'string' },
        head: { type: 'string' },
        dropout: { type: 'string' },
        epochs: { type: 'string' },
        val: { type: 'string' },
        seed: { type: 'string' },
        patience: { type: 'string' },
        batch: { type: 'string' },
        lr: { type: 'string' },
        'no-flip': { type: 'boolean' },
        'finetune-conv5': { type: 'string' },
        precision: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    values = parsed.values;
    positionals = parsed.positionals;
  } catch (e) {
    out.stderr(`error: ${(e as Error).message}\n\n${FINETUNE_HELP}`);
    return 2;
  }
  if (values.help) {
    out.stdout(FINETUNE_HELP);
    return 0;
  }
  try {
    if (positionals.length !== 1) throw new UsageError(`name one folder (DIR); got ${positionals.length}`);
    const outDir = values.out as string | undefined;
    if (!outDir) throw new UsageError('--out OUTDIR is required: the folder to write the model into');
    const head = (values.head ?? 'dense') as HeadKind;
    if (!HEAD_KINDS.includes(head)) throw new UsageError(`--head must be one of ${HEAD_KINDS.join(', ')}; got "${values.head}"`);
    const isInt = (lo: number, hi: number) => (x: number) => Number.isInteger(x) && x >= lo && x <= hi;
    const epochs = num('epochs', values.epochs as string, FINETUNE_DEFAULTS.epochs, isInt(1, 1000), 'an integer in 1…1000');
    const validationSplit = num('val', values.val as string, FINETUNE_DEFAULTS.validationSplit, (x) => x >= 0 && x < 1, 'in [0, 1)');
    const seed = num('seed', values.seed as string, FINETUNE_DEFAULTS.seed, isInt(0, 2 ** 31 - 1), 'an integer in 0…2147483647');
    const patience = num('patience', values.patience as string, 0, isInt(0, 1000), 'an integer ≥ 0 (0 = off)');
    const dropout = num('dropout', values.dropout as string, 0, (x) => x >= 0 && x < 1, 'in [0, 1)');
    const batchSize = num('batch', values.batch as string, FINETUNE_DEFAULTS.batchSize, isInt(1, 4096), 'a positive integer');
    const learningRate = num('lr', values.lr as string, FINETUNE_DEFAULTS.learningRate, (x) => x > 0 && x <= 1, 'in (0, 1]');
    const stageEpochs = num('finetune-conv5', values['finetune-conv5'] as string, 0, isInt(0, 100), 'an integer in 0…100');
    if (patience > 0 && validationSplit === 0) throw new UsageError('--patience needs a validation set: give --val > 0');
    let precision: ImagenetPrecision = DEFAULT_IMAGENET_PRECISION;
    if (values.precision !== undefined) {
      try {
        precision = parseImagenetPrecision(values.precision as string);
      } catch (e) {
        throw new UsageError(`--precision: ${(e as Error).message}`);
      }
    }
    const folder = await folderImages(positionals[0]);
    for (const r of folder.rejected) out.stderr(`skipped ${r.path}: ${r.reason}`);

    const [{ initNodeWasm }, { loadModel }, { runFinetune, runModel, disposeRun }, { releaseCombined }, { exportLayersModel }, { weightsMetadata }] = await Promise.all([
      import('../tf/node-wasm'),
      import('./classify'),
      import('../tf/finetune-run'),
      import('../tf/finetune'),
      import('../tf/layers-model-export'),
      import('../tf/weights-source'),
    ]);
    await initNodeWasm();
    const t0 = performance.now();
    const { model: base, spec, description } = await loadModel('ResNet50', 'imagenet', out.stderr, precision);
    out.stderr(`ResNet50 (ImageNet, ${precision}) loaded in ${(performance.now() - t0).toFixed(0)} ms; ${folder.images.length} images in ${folder.classNames.length} classes`);
    try {
      const run = await runFinetune(base, { input: spec.input, preprocessing: description.preprocessing.mode }, folder.images, folder.classNames, {
        head,
        dropout,
        epochs,
        validationSplit,
        seed,
        patience,
        batchSize,
        learningRate,
        flip: !values['no-flip'],
        stageEpochs,
        onImage: (d, t, name) => out.stderr(`features ${d}/${t} ${name}`),
        onEpoch: (l, phase) =>
          out.stderr(
            `${phase === 'head' ? 'head' : 'conv5'} epoch ${l.epoch}/${l.epochs}: loss ${l.loss.toFixed(4)} acc ${l.accuracy.toFixed(3)}${
              l.valLoss !== undefined ? ` val_loss ${l.valLoss.toFixed(4)} val_acc ${l.valAccuracy!.toFixed(3)}` : ''
            } (${l.ms.toFixed(0)} ms)`,
          ),
        onBatch: (d, t, e) => out.stderr(`conv5 epoch ${e} batch ${d}/${t}`),
      });
      try {
        for (const s of run.skipped) out.stderr(`skipped ${s.name}: ${s.reason}`);
        for (const w of run.hygiene.warnings) out.stderr(`warning: ${w}`);
        const model = runModel(base, run, 'resnet_finetuned');
        let onnx = false;
        try {
          await mkdir(outDir, { recursive: true });
          const m = await exportLayersModel(model, 'model', weightsMetadata(description, run.classNames));
          await writeFile(join(outDir, 'model.json'), m.modelJson);
          await writeFile(join(outDir, `${m.name}.weights.bin`), new Uint8Array(m.weights));
          const [{ writeKerasH5 }, { modelToKerasWeights }] = await Promise.all([import('../tf/h5/keras-h5'), import('../tf/h5/model-weights')]);
          await writeFile(join(outDir, 'model.weights.h5'), await writeKerasH5(modelToKerasWeights(model)));
          await writeFile(join(outDir, 'classes.txt'), `${run.classNames.join('\n')}\n`);
          onnx = await writeOnnx(outDir, spec, model, run, description.preprocessing.mode);
        } finally {
          releaseCombined(model);
        }
        const json = { ...finetuneJson(run, folder.rejected), files: ['model.json', 'model.weights.bin', 'model.weights.h5', 'classes.txt', ...(onnx ? ['model.onnx'] : [])] };
        if (values.json) out.stdout(JSON.stringify(json));
        else {
          const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)} %`);
          out.stdout(
            [
              `classes: ${json.classes.map((c, i) => `${c} (${json.counts[i]})`).join(', ')}`,
              `head ${json.head}${json.dropout ? ` + dropout ${json.dropout}` : ''}: ${json.epochs} epochs${json.stoppedEarly ? ' (stopped early)' : ''}, best epoch ${json.best.epoch} val_loss ${json.best.valLoss?.toFixed(4) ?? '—'} val_acc ${pct(json.best.valAccuracy)}`,
              ...(json.conv5 ? [`conv5: ${json.conv5.epochs} epochs, ${(json.conv5.msPerEpoch / 1000).toFixed(1)} s/epoch, val_acc ${pct(json.conv5.before?.valAccuracy ?? null)} → ${pct(json.conv5.after.valAccuracy)}`] : []),
              `validation accuracy ${pct(json.accuracy)}; confusion (rows true, columns predicted):`,
              ...json.confusion.map((row, i) => `  ${json.classes[i].padEnd(16)} ${row.map((v) => String(v).padStart(4)).join('')}`),
              `wrote ${json.files.map((f) => join(outDir, f)).join(', ')}`,
            ].join('\n'),
          );
        }
        return 0;
      } finally {
        disposeRun(run);
      }
    } finally {
      base.dispose();
    }
  } catch (e) {
    if (e instanceof UsageError || (e as Error).name === 'FinetuneInputError') {
      out.stderr(`error: ${(e as Error).message}\n\n${FINETUNE_HELP}`);
      return 2;
    }
    out.stderr(`error: ${(e as Error).message}`);
    return 1;
  }
}
