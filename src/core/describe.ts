/** Human descriptions of specs and ops, shared by the CLI, the tables and the diagram. */
import type { Analysis } from './analysis';
import type { Op } from './graph';
import { citationText } from './references';
import type { ArchSpec } from './spec';
import { strideNote } from './stride';

/** The Keras class name a graph op becomes. */
export function kerasClassName(op: Op): string {
  switch (op.kind) {
    case 'input':
      return 'InputLayer';
    case 'zeropad':
      return 'ZeroPadding2D';
    case 'conv':
      return op.groups > 1 ? 'GroupConv2D' : 'Conv2D';
    case 'bn':
      return 'BatchNormalization';
    case 'relu':
      return 'Activation';
    case 'maxpool':
      return 'MaxPooling2D';
    case 'zeroPadShortcut':
      return 'ZeroPadShortcut';
    case 'add':
      return 'Add';
    case 'globalAvgPool':
      return 'GlobalAveragePooling2D';
    case 'globalMaxPool':
      return 'GlobalMaxPooling2D';
    case 'dense':
      return 'Dense';
    case 'dropout':
      return 'Dropout';
  }
}

/** One line saying what kind of ResNet a spec is. */
export function describeSpec(spec: ArchSpec): string {
  const parts = [
    spec.block === 'bottleneck' ? 'bottleneck blocks' : 'basic blocks',
    spec.activation === 'post' ? 'post-activation (V1)' : 'pre-activation (V2)',
  ];
  if (spec.block === 'bottleneck') parts.push(spec.strideAt === 'first1x1' ? 'stride on the first 1×1' : 'stride on the 3×3');
  if (spec.groups > 1) parts.push(`cardinality ${spec.groups}`);
  parts.push(spec.residual ? `shortcut option ${spec.shortcut}` : 'plain (no shortcuts)');
  parts.push(`stages [${spec.stages.map((s) => s.blocks).join(', ')}]`);
  return parts.join(', ');
}

/**
 * Notes that explain where our numbers differ from what people compare them with. Our figures are computed
 * from the graphs (stride.ts, the analysis); published ones are read from references.ts and cited.
 */
export function specNotes(spec: ArchSpec, a: Analysis): string[] {
  const notes: string[] = [];
  if (spec.block === 'bottleneck' && spec.strideAt === 'first1x1' && spec.stem.kind === 'imagenet') {
    const note = strideNote();
    notes.push(
      'Stride 2 sits on the first 1×1 conv of each downsampling block (the paper’s released Caffe models, Keras V1), so the 3×3 runs at the ' +
        `reduced resolution; torchvision ("v1.5") strides the 3×3. ${note.text} (${note.cites.map(citationText).join('; ')})`,
    );
  }
  if (a.kerasGconvConstantParams > 0) {
    const keras = a.params.total + a.kerasGconvConstantParams;
    notes.push(
      `With true grouped 3×3 convs the model has ${a.params.trainable.toLocaleString('en-US')} trainable params. keras-applications ` +
        'builds each grouped conv as a DepthwiseConv2D followed by a frozen 1×1 Conv2D (`_2_gconv`) whose 0/1 kernel sums within groups; those constant ' +
        `kernels add ${a.kerasGconvConstantParams.toLocaleString('en-US')} "non-trainable params", so Keras would count ` +
        `${keras.toLocaleString('en-US')} in all (computed here from the layers it builds). We build a true grouped conv, so they do not exist here.`,
    );
  }
  if (!spec.residual) notes.push('Plain twin: the same layers without shortcuts or additions.');
  return notes;
}
