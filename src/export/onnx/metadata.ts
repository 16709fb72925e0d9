/**
 * `metadata_props` of the exported model: what a user needs to feed it and read it, since preprocessing stays
 * outside the graph. Values are strings (ONNX's StringStringEntryProto); lists and objects are JSON.
 */
import type { ArchSpec } from '../../core';
import type { ExportPreprocessing } from '../types';
import type { StringStringEntryProto } from './proto';

export interface MetadataInput {
  readonly spec: ArchSpec;
  readonly preprocessing: ExportPreprocessing;
  readonly weightsLabel: string;
  readonly structureOnly: boolean;
  readonly classNames?: readonly string[];
  readonly outputName: string;
}

/** The preprocessing as one line of ASCII text, for any tool that shows metadata. */
export function preprocessingFormula(p: ExportPreprocessing): string {
  return (
    `x = (pixel * ${p.scale} - mean) / std per channel; pixels 0-255 in ${p.channelOrder} order, ` +
    `resized to ${p.inputSize[0]}x${p.inputSize[1]} (height x width), laid out NCHW`
  );
}

export function metadataProps(m: MetadataInput): StringStringEntryProto[] {
  const p = m.preprocessing;
  const entries: [string, string][] = [
    ['architecture', m.spec.name],
    ['weights', m.weightsLabel],
    ['structure_only', String(m.structureOnly)],
    ['input_name', 'input'],
    ['input_layout', 'NCHW'],
    ['input_size', JSON.stringify([...p.inputSize])],
    ['output_name', m.outputName],
    ['preprocessing', preprocessingFormula(p)],
    ['preprocessing_mode', p.mode],
    ['channel_order', p.channelOrder],
    ['pixel_scale', String(p.scale)],
    ['mean', JSON.stringify([...p.mean])],
    ['std', JSON.stringify([...p.std])],
    ['bn_epsilon', String(m.spec.bnEpsilon)],
  ];
  if (m.classNames) entries.push(['class_names', JSON.stringify([...m.classNames])]);
  entries.push(['spec', JSON.stringify(m.spec)]);
  return entries.map(([key, value]) => ({ key, value }));
}
