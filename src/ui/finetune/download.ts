/** Save the fine-tuned model: tfjs files (model.json with the class names + weights) or a Keras .h5 + class list. */
import { modelClient } from '../../worker/client';
import { downloadBlob } from '../shared/download';

export async function downloadFinetuned(format: 'tfjs' | 'h5'): Promise<void> {
  if (format === 'tfjs') {
    const r = await modelClient().exportFinetuned('tfjs');
    downloadBlob(new Blob([r.modelJson], { type: 'application/json' }), 'model.json');
    downloadBlob(new Blob([r.weights], { type: 'application/octet-stream' }), `${r.name}.weights.bin`);
    return;
  }
  const r = await modelClient().exportFinetuned('h5');
  downloadBlob(new Blob([r.bytes], { type: 'application/x-hdf5' }), `${r.name}.weights.h5`);
  // Keras weight files have no place for labels: the class order goes alongside (index per line).
  downloadBlob(new Blob([`${r.classNames.join('\n')}\n`], { type: 'text/plain' }), `${r.name}.classes.txt`);
}
