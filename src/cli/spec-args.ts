/** Turn CLI flags into a spec: a preset (or a JSON spec file) with Keras-style overrides. */
import { readFileSync } from 'node:fs';
import { type ArchSpec, getPreset, type Pooling, SpecError } from '../core';

export interface SpecFlags {
  readonly top?: boolean;
  readonly input?: string;
  readonly pooling?: string;
  readonly classes?: string;
  readonly groups?: string;
  readonly spec?: string;
}

/** The parseArgs options of the spec-changing flags (summary, compare and export take them alike). */
export const SPEC_FLAG_OPTIONS = {
  'no-top': { type: 'boolean' },
  input: { type: 'string' },
  pooling: { type: 'string' },
  classes: { type: 'string' },
  groups: { type: 'string' },
  spec: { type: 'string' },
} as const;

/** The spec-changing options as parsed by node:util parseArgs (shared by summary, compare and export). */
export function specFlags(values: {
  readonly 'no-top'?: boolean;
  readonly input?: string;
  readonly pooling?: string;
  readonly classes?: string;
  readonly groups?: string;
  readonly spec?: string;
}): SpecFlags {
  const { input, pooling, classes, groups, spec } = values;
  return { top: values['no-top'] ? false : undefined, input, pooling, classes, groups, spec };
}

function parseIntFlag(flag: string, value: string): number {
  if (!/^\s*\d+\s*$/.test(value)) throw new SpecError(flag, value, 'expected a positive integer');
  return Number(value);
}

export function parseInput(value: string): [number, number, number] {
  const parts = value.split(/[,x×]/).map((s) => s.trim());
  if (parts.length !== 3 || parts.some((p) => !/^\d+$/.test(p))) {
    throw new SpecError('--input', value, 'expected HEIGHT,WIDTH,CHANNELS, e.g. 224,224,3');
  }
  return parts.map(Number) as [number, number, number];
}

export function loadSpecFile(path: string): ArchSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new SpecError('--spec', path, `could not read the file (${(e as Error).message})`);
  }
  try {
    return JSON.parse(text) as ArchSpec;
  } catch (e) {
    throw new SpecError('--spec', path, `expected a JSON ArchSpec (${(e as Error).message})`);
  }
}

export function specFromFlags(model: string | undefined, flags: SpecFlags): ArchSpec {
  let spec: ArchSpec;
  if (flags.spec) spec = loadSpecFile(flags.spec);
  else if (model) spec = getPreset(model);
  else throw new SpecError('model', model, 'name a model (see `resnet-explorer list`) or pass --spec FILE');
  let head = spec.head;
  if (flags.top === false) head = { ...head, includeTop: false, pooling: 'none' };
  if (flags.pooling !== undefined) {
    if (!['avg', 'max', 'none'].includes(flags.pooling)) throw new SpecError('--pooling', flags.pooling, "allowed: 'avg', 'max', 'none'");
    head = { ...head, pooling: flags.pooling as Pooling };
  }
  if (flags.classes !== undefined) head = { ...head, classes: parseIntFlag('--classes', flags.classes) };
  return {
    ...spec,
    head,
    ...(flags.input !== undefined ? { input: parseInput(flags.input) } : {}),
    ...(flags.groups !== undefined ? { groups: parseIntFlag('--groups', flags.groups) } : {}),
  };
}
