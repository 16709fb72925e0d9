/**
 * A model as tfjs layers-model files: model.json (topology + manifest, optional metadata such as the class
 * names of a fine-tuned model) and one weights file, loadable with tf.loadLayersModel or this app.
 */
import * as tf from '@tensorflow/tfjs';

export interface ExportedLayersModel {
  readonly modelJson: string;
  readonly weights: ArrayBuffer;
  /** File-name-safe model name; the weights file is `${name}.weights.bin`. */
  readonly name: string;
}

export async function exportLayersModel(model: tf.LayersModel, name: string, metadata?: Record<string, unknown>): Promise<ExportedLayersModel> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const safe = name.replace(/[^\w.-]+/g, '_');
  const modelJson = JSON.stringify({
    format: 'layers-model',
    generatedBy: 'resnet-explorer',
    convertedBy: null,
    modelTopology: saved!.modelTopology,
    weightsManifest: [{ paths: [`${safe}.weights.bin`], weights: saved!.weightSpecs }],
    ...(metadata ? { userDefinedMetadata: metadata } : {}),
  });
  return { modelJson, weights: saved!.weightData as ArrayBuffer, name: safe };
}
