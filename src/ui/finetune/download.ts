/**
 * Save the fine-tuned model as one file per click (a second automatic download would meet the browser's
 * "download multiple files" prompt): a zip of the tfjs files (model.json with the class names + weights), or a
 * zip of the Keras .h5 + class list. The worker builds the zip (src/tf/model-zip.ts).
 */
import { modelClient } from '../../worker/client';
import { downloadBlob } from '../shared/download';

export async function downloadFinetuned(format: 'tfjs' | 'h5'): Promise<void> {
  const r = format === 'tfjs' ? await modelClient().exportFinetuned('tfjs') : await modelClient().exportFinetuned('h5');
  downloadBlob(new Blob([r.zip], { type: 'application/zip' }), r.filename);
}
