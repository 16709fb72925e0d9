/** Download the current model as model.json + weights (tfjs layers format, loadable here or with tf.loadLayersModel). */
import { modelClient } from '../../worker/client';

function save(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export async function downloadModel(): Promise<void> {
  const r = await modelClient().exportModel();
  save(new Blob([r.modelJson], { type: 'application/json' }), 'model.json');
  save(new Blob([r.weights], { type: 'application/octet-stream' }), `${r.name}.weights.bin`);
}
