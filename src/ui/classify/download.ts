/** Download the current model as model.json + weights (tfjs layers format, loadable here or with tf.loadLayersModel). */
import { modelClient } from '../../worker/client';
import { downloadBlob } from '../shared/download';

export async function downloadModel(): Promise<void> {
  const r = await modelClient().exportModel();
  downloadBlob(new Blob([r.modelJson], { type: 'application/json' }), 'model.json');
  downloadBlob(new Blob([r.weights], { type: 'application/octet-stream' }), `${r.name}.weights.bin`);
}
