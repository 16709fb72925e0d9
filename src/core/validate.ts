import { SpecError } from './errors';
import { type ArchSpec, stageOutChannels } from './spec';

const LIMITS = {
  stages: [1, 8],
  blocks: [1, 1000],
  totalBlocks: 2000,
  width: [1, 8192],
  side: [1, 4096],
  channels: [1, 64],
  classes: [1, 100_000],
  /** The width of a fine-tuning head's hidden layer (Keras' examples use 256 to 2048). */
  hiddenUnits: [1, 16_384],
} as const;

function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): void {
  if (!allowed.includes(value as T)) {
    throw new SpecError(field, value, `allowed: ${allowed.map((a) => `'${a}'`).join(', ')}`);
  }
}

function intIn(field: string, value: unknown, lo: number, hi: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < lo || value > hi) {
    throw new SpecError(field, value, `must be an integer from ${lo} to ${hi}`);
  }
}

/** Product of all stride-2 steps: the smallest input side for which every stage keeps at least 1 pixel cleanly. */
export function totalStride(spec: ArchSpec): number {
  const stem = spec.stem.kind === 'imagenet' ? 4 : 1;
  return spec.stages.reduce((acc, s) => acc * s.stride, stem);
}

/**
 * Option A's shortcut pads the input with zero channels up to the block's output (He et al. 2015, Sec. 3.3:
 * "the shortcut still performs identity mapping, with extra zero entries padded for increasing dimensions"):
 * it can only widen. A stage whose blocks put out fewer channels than come in would need a negative pad.
 * Only a stage's first block can see a change of width: the others take the stage's own output.
 */
function zeroPadOnlyWidens(spec: ArchSpec): void {
  let inChannels = spec.stem.width;
  spec.stages.forEach((st, i) => {
    const out = stageOutChannels(spec, st);
    if (out < inChannels) {
      const outText = out === st.width ? `width ${st.width}` : `width ${st.width} × expansion ${spec.expansion} = ${out} output channels`;
      throw new SpecError(
        `stages[${i}].width`,
        st.width,
        `shortcut 'A' (zero-padding) can only widen, but stage ${i + 1} has ${outText} and its input has ${inChannels} channels; ` +
          `give it at least ${inChannels} output channels or use shortcut 'B' (a projection where the width changes)`,
      );
    }
    inChannels = out;
  });
}

/**
 * Check a spec that came from outside (a URL, a form, a JSON file, the CLI). Throws SpecError naming the
 * first offending field, the received value and what is allowed. Presets pass by construction (tested).
 */
export function validateSpec(spec: ArchSpec): void {
  if (typeof spec !== 'object' || spec === null) throw new SpecError('spec', spec, 'expected an object');
  if (typeof spec.name !== 'string' || spec.name.trim() === '' || spec.name.length > 80) {
    throw new SpecError('name', spec.name, 'expected a non-empty name of at most 80 characters');
  }
  oneOf('family', spec.family, ['keras', 'torchvision', 'cifar', 'custom']);
  oneOf('block', spec.block, ['basic', 'bottleneck']);
  oneOf('activation', spec.activation, ['post', 'pre']);
  oneOf('strideAt', spec.strideAt, ['first1x1', '3x3']);
  oneOf('downsampleAt', spec.downsampleAt, ['first', 'last']);
  oneOf('shortcut', spec.shortcut, ['A', 'B', 'C']);
  oneOf('convBias', spec.convBias, ['all', 'none', 'v2']);
  oneOf('pad3x3', spec.pad3x3, ['same', 'explicit']);
  oneOf('preprocessing', spec.preprocessing, ['caffe', 'tf', 'torch']);
  if (typeof spec.residual !== 'boolean') throw new SpecError('residual', spec.residual, 'expected true or false');
  if (typeof spec.bnEpsilon !== 'number' || !(spec.bnEpsilon > 0 && spec.bnEpsilon < 1)) {
    throw new SpecError('bnEpsilon', spec.bnEpsilon, 'expected a number between 0 and 1 (exclusive)');
  }
  intIn('groups', spec.groups, 1, 1024);
  intIn('expansion', spec.expansion, 1, 16);
  if (spec.block === 'basic') {
    if (spec.strideAt !== '3x3') {
      throw new SpecError('strideAt', spec.strideAt, "basic blocks have no 1×1 conv: use '3x3'");
    }
    if (spec.groups !== 1) throw new SpecError('groups', spec.groups, 'basic blocks support only groups = 1 (as torchvision)');
    if (spec.expansion !== 1) throw new SpecError('expansion', spec.expansion, 'basic blocks have expansion 1');
  }
  if (typeof spec.stem !== 'object' || spec.stem === null) throw new SpecError('stem', spec.stem, 'expected an object');
  oneOf('stem.kind', spec.stem.kind, ['imagenet', 'cifar']);
  intIn('stem.width', spec.stem.width, LIMITS.width[0], LIMITS.width[1]);

  if (!Array.isArray(spec.stages) || spec.stages.length < LIMITS.stages[0] || spec.stages.length > LIMITS.stages[1]) {
    throw new SpecError('stages', spec.stages, `expected a list of ${LIMITS.stages[0]} to ${LIMITS.stages[1]} stages`);
  }
  let total = 0;
  spec.stages.forEach((st, i) => {
    if (typeof st !== 'object' || st === null) throw new SpecError(`stages[${i}]`, st, 'expected {blocks, width, stride}');
    intIn(`stages[${i}].blocks`, st.blocks, LIMITS.blocks[0], LIMITS.blocks[1]);
    intIn(`stages[${i}].width`, st.width, LIMITS.width[0], LIMITS.width[1]);
    if (st.stride !== 1 && st.stride !== 2) throw new SpecError(`stages[${i}].stride`, st.stride, 'allowed: 1, 2');
    if (st.width % spec.groups !== 0) {
      throw new SpecError(
        'groups',
        spec.groups,
        `the cardinality must divide every stage width; stages[${i}].width = ${st.width} is not a multiple of ${spec.groups}`,
      );
    }
    total += st.blocks;
  });
  if (total > LIMITS.totalBlocks) {
    throw new SpecError('stages', `${total} blocks`, `at most ${LIMITS.totalBlocks} blocks in all`);
  }
  if (spec.residual && spec.shortcut === 'A') zeroPadOnlyWidens(spec);

  if (!Array.isArray(spec.input) || spec.input.length !== 3) {
    throw new SpecError('input', spec.input, 'expected [height, width, channels]');
  }
  const [h, w, c] = spec.input;
  const minSide = totalStride(spec);
  for (const [field, v] of [
    ['input height', h],
    ['input width', w],
  ] as const) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < minSide || v > LIMITS.side[1]) {
      throw new SpecError(
        field,
        v,
        `must be an integer from ${minSide} to ${LIMITS.side[1]} (this network downsamples ${minSide}×; Keras refuses inputs under 32×32 for ImageNet models)`,
      );
    }
  }
  intIn('input channels', c, LIMITS.channels[0], LIMITS.channels[1]);

  const head = spec.head;
  if (typeof head !== 'object' || head === null) throw new SpecError('head', head, 'expected an object');
  if (typeof head.includeTop !== 'boolean') throw new SpecError('head.includeTop', head.includeTop, 'expected true or false');
  oneOf('head.pooling', head.pooling, ['none', 'avg', 'max']);
  intIn('head.classes', head.classes, LIMITS.classes[0], LIMITS.classes[1]);
  oneOf('head.classifierActivation', head.classifierActivation, ['softmax', 'linear']);
  oneOf('head.classifierName', head.classifierName, ['predictions', 'probs']);
  validateHeadExtras(head);
}

/** HeadSpec.hidden and .dropout: a fine-tuning head's extra layers, only on top of a classifier. */
function validateHeadExtras(head: ArchSpec['head']): void {
  const { hidden, dropout } = head;
  if (hidden !== undefined) {
    if (!head.includeTop) {
      throw new SpecError('head.hidden', hidden, 'a hidden layer sits under the classifier: it needs includeTop = true');
    }
    if (typeof hidden !== 'object' || hidden === null) throw new SpecError('head.hidden', hidden, 'expected {units, activation}');
    intIn('head.hidden.units', hidden.units, LIMITS.hiddenUnits[0], LIMITS.hiddenUnits[1]);
    oneOf('head.hidden.activation', hidden.activation, ['relu']);
  }
  if (dropout !== undefined) {
    if (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1)) {
      throw new SpecError('head.dropout', dropout, 'expected a rate from 0 (no Dropout layer) up to but excluding 1 (Keras Dropout)');
    }
    if (dropout > 0 && !head.includeTop) {
      throw new SpecError('head.dropout', dropout, 'a Dropout layer sits before the classifier: it needs includeTop = true');
    }
  }
}
