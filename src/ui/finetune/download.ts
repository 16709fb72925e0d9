/** Save the fine-tuned model: tfjs files (model.json with the class names + weights) or a Keras .h5 + class list. */
import { modelClient } from '../../worker/client';

function save(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export async function downloadFinetuned(format: 'tfjs' | 'h5'): Promise<void> {
  if (format === 'tfjs') {
    const r = await modelClient().exportFinetuned('tfjs');
    save(new Blob([r.modelJson], { type: 'application/json' }), 'model.json');
    save(new Blob([r.weights], { type: 'application/octet-stream' }), `${r.name}.weights.bin`);
    return;
  }
  const r = await modelClient().exportFinetuned('h5');
  save(new Blob([r.bytes], { type: 'application/x-hdf5' }), `${r.name}.weights.h5`);
  // Keras weight files have no place for labels: the class order goes alongside (index per line).
  save(new Blob([`${r.classNames.join('\n')}\n`], { type: 'text/plain' }), `${r.name}.classes.txt`);
}
