/**
 * The exporters by format. Adding one is one entry here; the CLI (`export --format …`) and the app's Export
 * panel list and run whatever this registry holds. Each exporter is imported when first run, so the app's page
 * can list formats without loading them (they run in the model worker).
 */
import type { ExportFormat, ExportInput, ExportProgress, ExportResult } from './types';

export type Exporter = (input: ExportInput, progress?: ExportProgress) => ExportResult | Promise<ExportResult>;

export interface ExporterEntry {
  readonly format: ExportFormat;
  /** Shown in menus: 'Keras code (model.py, train.py, weights.h5)'. */
  readonly label: string;
  /** The CLI's --out: one file (its first file; any others are written beside it) or a folder. */
  readonly output: 'file' | 'folder';
  readonly run: Exporter;
}

export const EXPORTERS: readonly ExporterEntry[] = [
  { format: 'onnx', label: 'ONNX (model.onnx, opset 13)', output: 'file', run: async (i, p) => (await import('./onnx')).exportOnnx(i, p) },
  { format: 'pytorch', label: 'PyTorch (model.py, train.py, weights.safetensors)', output: 'folder', run: async (i, p) => (await import('./pytorch')).exportPytorch(i, p) },
  { format: 'keras', label: 'Keras code (model.py, train.py, weights.h5)', output: 'folder', run: async (i, p) => (await import('./keras')).exportKeras(i, p) },
];

export const EXPORT_FORMATS: readonly string[] = EXPORTERS.map((e) => e.format);

export class UnknownFormatError extends Error {
  override readonly name = 'UnknownFormatError';
  constructor(readonly received: unknown) {
    super(`unknown export format ${JSON.stringify(received)}; allowed: ${EXPORT_FORMATS.join(', ')}`);
  }
}

export function exporterFor(format: string): ExporterEntry {
  const entry = EXPORTERS.find((e) => e.format === format);
  if (!entry) throw new UnknownFormatError(format);
  return entry;
}

/** Run one exporter. Throws UnknownFormatError, or the exporter's ExportError for what the format cannot express. */
export async function runExport(format: string, input: ExportInput, progress?: ExportProgress): Promise<ExportResult> {
  return await exporterFor(format).run(input, progress);
}

export * from './types';
