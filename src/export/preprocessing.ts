import { normalization, type ArchSpec, type Preprocessing } from '../core';
import type { ExportPreprocessing } from './types';

/** The preprocessing a set of weights expects, as written into exported metadata and generated code. */
export function exportPreprocessing(mode: Preprocessing, input: ArchSpec['input']): ExportPreprocessing {
  return { mode, ...normalization(mode), inputSize: [input[0], input[1]] };
}
