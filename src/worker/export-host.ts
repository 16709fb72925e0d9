/**
 * Code export inside the model worker: the current model (with its weights and class names) or any spec (built
 * here with random weights, or structure only) → an exporter of src/export → one zip. Progress is posted as
 * `export-progress`; `cancel` stops it between steps. Nothing leaves the machine: the zip goes back to the page.
 */
import type * as tf from '@tensorflow/tfjs';
import type { ArchSpec } from '../core';
import type { WeightSet } from '../export/types';
import { buildModel } from '../tf/build';
import { CancelledError } from '../tf/errors';
import { exportInputFromModel } from '../tf/export-input';
import type { ModelInfo, Request, Response } from './protocol';

export interface ExportHostDeps {
  current(): { readonly model: tf.LayersModel; readonly info: ModelInfo } | undefined;
  post(m: Response, transfer?: Transferable[]): void;
  /** Running jobs by request id, for `cancel` (the model host's map). */
  readonly jobs: Map<number, AbortController>;
}

/** Let queued messages (a cancel) in: a macrotask, not a microtask. */
const yieldToMessages = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * The model's weights in Keras' layout, read back asynchronously (a synchronous read-back returned zeros on
 * WebGPU in a worker), yielding between layers so a cancel is seen.
 */
async function readWeights(model: tf.LayersModel, check: () => void, onLayer: (done: number, total: number) => void): Promise<WeightSet> {
  const layers: { layer: string; weights: { name: string; shape: number[]; data: Float32Array }[] }[] = [];
  for (const [i, layer] of model.layers.entries()) {
    const weights = [];
    for (const v of layer.weights) {
      weights.push({ name: `${v.originalName}:0`, shape: v.shape as number[], data: (await v.read().data()) as Float32Array });
    }
    layers.push({ layer: layer.name, weights });
    if (i % 16 === 15) {
      onLayer(i + 1, model.layers.length);
      await yieldToMessages();
      check();
    }
  }
  return { layers };
}

export class ExportHost {
  constructor(private readonly deps: ExportHostDeps) {}

  async run(req: Extract<Request, { type: 'export-code' }>): Promise<void> {
    const ctl = new AbortController();
    this.deps.jobs.set(req.id, ctl);
    const check = () => {
      if (ctl.signal.aborted) throw new CancelledError('export');
    };
    const progress = (fraction: number, message: string) => {
      check();
      this.deps.post({ type: 'export-progress', id: req.id, fraction, message });
    };
    let built: tf.LayersModel | undefined;
    try {
      const { runExport } = await import('../export');
      const { zipExport, exportFolderName } = await import('../export/zip');
      let spec: ArchSpec;
      let model: tf.LayersModel | undefined;
      let weightsLabel: string;
      let classNames: readonly string[] | undefined;
      if (req.source.kind === 'current') {
        const cur = this.deps.current();
        if (!cur) throw new Error('no model is loaded yet');
        ({ spec, weightsLabel, classNames } = cur.info);
        model = cur.model;
      } else {
        spec = req.source.spec;
        weightsLabel = req.source.weights === 'random' ? 'random (untrained)' : 'none (structure only)';
        if (req.source.weights === 'random') {
          progress(0, `building ${spec.name}`);
          await yieldToMessages();
          check();
          built = buildModel(spec);
          model = built;
        }
      }
      let input = exportInputFromModel(spec, undefined, { withWeights: false, classNames });
      if (model) {
        progress(0.02, 'reading the weights');
        const weights = await readWeights(model, check, (done, total) => progress(0.02 + 0.18 * (done / total), `reading the weights (${done}/${total} layers)`));
        input = { ...input, weights, weightsLabel };
      }
      built?.dispose();
      built = undefined;
      await yieldToMessages();
      check();
      const result = await runExport(req.format, input, (f, message) => progress(0.2 + 0.7 * f, message));
      await yieldToMessages();
      progress(0.92, 'zipping');
      const folder = exportFolderName(spec.name, req.format);
      const zip = zipExport(result, folder);
      const buffer = zip.buffer.byteLength === zip.byteLength ? (zip.buffer as ArrayBuffer) : (zip.slice().buffer as ArrayBuffer);
      this.deps.post(
        {
          type: 'code-exported',
          id: req.id,
          result: {
            format: result.format,
            modelName: spec.name,
            weightsLabel: input.weightsLabel ?? weightsLabel,
            files: result.files.map((f) => ({ path: f.path, bytes: f.bytes.byteLength })),
            runsWith: result.runsWith,
            notes: result.notes,
            folder,
            zip: buffer,
          },
        },
        [buffer],
      );
    } finally {
      built?.dispose();
      this.deps.jobs.delete(req.id);
    }
  }
}
