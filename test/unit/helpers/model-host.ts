/** The model worker's host in Node (wasm), loading the ImageNet ResNet50 from the local weight files over a fake fetch. */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { IMAGENET_RESNET50_JSON } from '../../../src/tf/node-io';
import { ModelHost } from '../../../src/worker/model-host';
import type { Response as HostMessage } from '../../../src/worker/protocol';

/** Where the host believes the ImageNet weights are; fetches under it read public/weights/resnet50/. */
const BASE = 'http://weights.test/resnet50/';

export function imagenetModelHost(post: (m: HostMessage) => void): ModelHost {
  const require = createRequire(import.meta.url);
  return new ModelHost({
    post,
    wasmPaths: `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`,
    imagenetUrl: `${BASE}model.json`,
    fetch: (async (u: RequestInfo | URL) => new Response(await readFile(join(dirname(IMAGENET_RESNET50_JSON), String(u).slice(BASE.length))))) as typeof fetch,
  });
}
