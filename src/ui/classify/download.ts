/**
 * Download the current model as one zip of model.json + weights (tfjs layers format: unzip and load with
 * tf.loadLayersModel, or pick the zip itself as "tfjs model files" here). One file, because a second
 * automatic download would meet the browser's "download multiple files" prompt.
 */
import { modelClient } from '../../worker/client';
import { downloadBlob } from '../shared/download';

export async function downloadModel(): Promise<void> {
  const r = await modelClient().exportModel();
  downloadBlob(new Blob([r.zip], { type: 'application/zip' }), r.filename);
}
