/// <reference lib="webworker" />
/**
 * The lab's worker: gradient-flow probes, the training race and the akamaster weights, all tfjs work off the
 * UI thread. Messages are typed in lab-protocol.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { expand, getPreset } from '../core';
import { generateShapeSet } from '../core/datasets/shapes';
import { parseNpz } from '../core/npz';
import { akamasterPreprocess, akamasterWeights, loadAkamasterWeights } from '../tf/akamaster';
import type { BackendName } from '../tf/backend';
import { runBackendCheck } from '../tf/backend-check';
import { buildModel } from '../tf/build';
import { IMAGENET_RESNET50_PUBLIC_PATH } from '../tf/imagenet';
import { fetchConv1Filters } from '../tf/imagenet-filters';
import { firstImages, graphOfRun, raceLesion } from '../tf/race-lesion';
import { gradientNormsAsync, probePairAsync } from '../tf/gradients';
import type { FilterImage, LabRequest, LabResponse, ProbeSettings } from './lab-protocol';
import { decodeFolder } from './decode-images';
import { LabAnalyses } from './lab-landscape';
import { Race, RACE_IMAGE_SIZE } from './lab-race';
import { initTrainingBackend } from './wasm-browser';

declare const self: DedicatedWorkerGlobalScope;
const post = (m: LabResponse) => self.postMessage(m);
const race = new Race(post);
const analyses = new LabAnalyses(post, race);

/** The backend in use; every request waits for the latest (re)start. */
let ready: Promise<unknown> | undefined;

function start(requested?: BackendName): Promise<unknown> {
  const prev = ready ?? Promise.resolve();
  ready = prev
    .catch(() => undefined)
    .then(async () => {
      // The race's models live on the old backend: drop them before switching (moving them lazily gave NaN in
      // the model worker, see model-host.ts).
      race.reset();
      try {
        const { choice, note } = await initTrainingBackend(requested);
        post({ type: 'ready', backend: choice.name, choice, requested, note });
      } catch (e) {
        post({ type: 'backend-failed', requested, message: e instanceof Error ? e.message : String(e) });
        throw e;
      }
    });
  return ready;
}

/** A batch of generated 32×32 images, normalised like the race's inputs. */
function probeBatch(batch: number, seed: number): { x: tf.Tensor4D; labels: tf.Tensor1D } {
  const set = generateShapeSet({ count: batch, size: 32, seed });
  return tf.tidy(() => ({
    x: tf.div(tf.sub(tf.tensor4d(set.images, [batch, 32, 32, 3]), 0.5), 0.25) as tf.Tensor4D,
    labels: tf.tensor1d(set.labels, 'int32'),
  }));
}

async function probe(id: number, settings: ProbeSettings): Promise<void> {
  const t0 = performance.now();
  post({ type: 'progress', id, label: `plain-${settings.depth} and ResNet-${settings.depth}: one forward/backward pass each`, fraction: 0 });
  const { x, labels } = probeBatch(settings.batch, settings.seed);
  try {
    const { plain, residual } = await probePairAsync(
      { depth: settings.depth, batchNorm: settings.batchNorm, init: settings.init, shortcut: settings.shortcut, seed: settings.seed },
      x,
      labels,
    );
    post({ type: 'probe-result', id, settings, plain, residual, ms: performance.now() - t0 });
  } finally {
    tf.dispose([x, labels]);
  }
}

async function akamaster(id: number, name: string, bytes: ArrayBuffer): Promise<void> {
  post({ type: 'progress', id, label: `reading ${name}`, fraction: 0 });
  const arrays = await parseNpz(new Uint8Array(bytes), name);
  const blocks = new Set([...arrays.keys()].filter((k) => k.startsWith('module.layer1.')).map((k) => k.split('.')[2]));
  if (!arrays.has('module.conv1.weight') || blocks.size === 0) {
    throw new Error(`${name} is not an akamaster CIFAR ResNet state dict (no module.conv1.weight / module.layer1.*)`);
  }
  const depth = 6 * blocks.size + 2;
  const spec = getPreset(`ResNet-${depth}`);
  const model = buildModel(spec);
  try {
    loadAkamasterWeights(model, arrays);
    post({ type: 'progress', id, label: `ResNet-${depth} loaded; gradient norms on 32 generated images`, fraction: 0.5 });
    const kernel = model.getLayer('conv1_conv').getWeights()[0];
    const filters: FilterImage = { kernel: Array.from(await kernel.data()), shape: kernel.shape as [number, number, number, number] };
    const set = generateShapeSet({ count: 32, size: 32, seed: 1 });
    const x = tf.tidy(() => akamasterPreprocess(tf.mul(tf.tensor4d(set.images, [32, 32, 32, 3]), 255) as tf.Tensor4D, akamasterWeights(name)));
    // Trained net: BN with its running statistics; the loss of its own top prediction for each image.
    const labels = tf.tidy(() => tf.argMax(model.predict(x) as tf.Tensor2D, 1).toInt() as tf.Tensor1D);
    const gradients = await gradientNormsAsync(model, expand(spec), x, labels, false);
    tf.dispose([x, labels]);
    post({ type: 'akamaster-result', id, model: spec.name, filters, gradients });
  } finally {
    model.dispose();
  }
}

/** Requests run one at a time (reads are asynchronous now): a backend switch never lands mid-probe. */
let queue: Promise<void> = Promise.resolve();
self.onmessage = (ev: MessageEvent<LabRequest>) => {
  // A cancel must not wait behind the scan it stops.
  if (ev.data.type === 'landscape-cancel') return analyses.cancel();
  queue = queue.then(() => handle(ev.data));
};

async function handle(m: LabRequest): Promise<void> {
  const id = 'id' in m ? m.id : undefined;
  try {
    if (m.type === 'init') {
      // A failure was already reported as 'backend-failed'.
      await start(m.backend).catch(() => undefined);
      return;
    }
    if (m.type === 'imagenet-filters') {
      // Plain fetches and arithmetic: no backend needed.
      const url = new URL(import.meta.env.BASE_URL + IMAGENET_RESNET50_PUBLIC_PATH, self.location.href).href;
      const f = await fetchConv1Filters(url);
      post({ type: 'imagenet-filters-result', id: m.id, filters: { kernel: Array.from(f.kernel), shape: f.shape }, name: f.name, shards: f.shards });
      return;
    }
    await (ready ?? start());
    switch (m.type) {
      case 'check':
        post({ type: 'progress', id: m.id, label: `training a tiny ResNet-8 for a few steps on ${tf.getBackend()}`, fraction: 0 });
        post({ type: 'check-result', id: m.id, result: await runBackendCheck() });
        break;
      case 'probe':
        await probe(m.id, m.settings);
        break;
      case 'race-start':
        race.start(m.settings);
        break;
      case 'race-pause':
        race.pause();
        break;
      case 'race-resume':
        race.resume();
        break;
      case 'race-reset':
        race.reset();
        break;
      case 'race-data': {
        const set = await decodeFolder(m.files, RACE_IMAGE_SIZE, (done, total) =>
          post({ type: 'progress', id: m.id, label: `decoding images ${done} / ${total}`, fraction: done / total }),
        );
        race.setCustomData(set);
        post({ type: 'race-data-ready', id: m.id, classes: set.classes, count: set.count, skipped: set.skipped });
        break;
      }
      case 'akamaster':
        await akamaster(m.id, m.name, m.bytes);
        break;
      case 'landscape-estimate':
        await analyses.estimate(m.id, m.images, m.bn);
        break;
      case 'landscape':
        await analyses.landscape(m.id, m.settings);
        break;
      case 'activation-stats':
        await analyses.activationStats(m.id, m.images);
        break;
      case 'race-lesion': {
        const pair = race.trained({ whilePaused: true });
        if (!pair) throw new Error('pause the race or let it finish first: the lesion study needs the trained weights fixed.');
        // The race's own images (held-out accuracy after a browser-sized race is near chance).
        const set = firstImages(pair.plain.data, 500);
        post({ type: 'progress', id: m.id, label: `plain-${pair.depth} and ResNet-${pair.depth} intact, on ${set.count} images`, fraction: 0 });
        const result = await raceLesion(
          { plain: { model: pair.plain.trainer.model, graph: graphOfRun(pair.plain) }, residual: { model: pair.residual.trainer.model, graph: graphOfRun(pair.residual) } },
          set,
          {
            onBlock: (done, total) => post({ type: 'progress', id: m.id, label: `deleted block ${done} / ${total}`, fraction: done / total }),
            yieldBetween: () => new Promise((r) => setTimeout(r, 0)),
          },
        );
        post({ type: 'race-lesion-result', id: m.id, depth: pair.depth, images: set.count, result });
        break;
      }
    }
  } catch (e) {
    post({ type: 'error', id, message: e instanceof Error ? e.message : String(e) });
  }
}
