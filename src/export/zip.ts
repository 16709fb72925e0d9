/**
 * One zip of an export (fflate, pure JS). Weights are stored (level 0): float32 arrays barely compress and
 * deflating 100 MB would take seconds; code and text are deflated.
 */
import { zipSync, type Zippable } from 'fflate';
import type { ExportResult } from './types';

const STORED = /\.(h5|onnx|bin|safetensors|pt|pth|npz|npy)$/i;

/** Files under `<folder>/` inside the zip, so unzipping makes one folder. */
export function zipExport(result: ExportResult, folder: string): Uint8Array {
  const entries: Zippable = {};
  for (const f of result.files) entries[`${folder}/${f.path}`] = [f.bytes, { level: STORED.test(f.path) ? 0 : 6 }];
  return zipSync(entries);
}

/** A folder name from a model name: `ResNet-20` → `resnet-20-keras`. */
export function exportFolderName(modelName: string, format: string): string {
  return `${modelName.toLowerCase().replace(/[^a-z0-9_.-]+/g, '_')}-${format}`;
}
