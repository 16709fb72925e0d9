/**
 * PyTorch export (issue 10): a folder with model.py (a readable nn.Module with torchvision's module names),
 * weights.safetensors, train.py (torchrun / DDP) and README.md. For torchvision-style specs the state dict has
 * exactly the keys and shapes of torchvision's own resnet18 … wide_resnet50_2.
 */
import { ExportError, type ExportFile, type ExportInput, type ExportProgress, type ExportResult, type LayerWeight } from '../types';
import { hasWeights, layerToTorch, type TorchTensor, torchPrefix } from './keys';
import { modelPy } from './model-py';
import { planFor, pyFloat } from './plan';
import { readmeMd } from './readme';
import { writeSafetensors } from './safetensors';
import { trainPy } from './train-py';

export { torchPrefix } from './keys';
export { readSafetensorsHeader, writeSafetensors } from './safetensors';

const text = (path: string, s: string): ExportFile => ({ path, bytes: new TextEncoder().encode(s) });

/**
 * The state dict (graph order; torchvision's order within each layer) from the Keras-layout weights. Checks
 * every name and shape now; the values are converted when written.
 */
export function torchStateDict(input: ExportInput): TorchTensor[] {
  const { graph, weights } = input;
  if (!weights) throw new ExportError('pytorch', 'weights', undefined, 'no weights to convert');
  const classifier = input.spec.head.classifierName;
  const byLayer = new Map<string, readonly LayerWeight[]>();
  for (const l of weights.layers) if (l.weights.length > 0) byLayer.set(l.layer, l.weights);
  const nodes = graph.nodes.filter((n) => hasWeights(n.op));
  for (const layer of byLayer.keys()) {
    // keras-applications ResNeXt files carry a frozen constant `_2_gconv` (the group sum), which the grouped conv does itself.
    if (!nodes.some((n) => n.id === layer) && !layer.endsWith('_2_gconv')) {
      throw new ExportError('pytorch', 'weights', layer, `is not a layer of ${graph.name}`);
    }
  }
  const out: TorchTensor[] = [];
  for (const node of nodes) {
    const w = byLayer.get(node.id);
    if (!w) throw new ExportError('pytorch', 'weights', node.id, `has no weights; ${graph.name} needs weights for every conv, BN and dense layer`);
    const prefix = torchPrefix(node.id, classifier);
    if (!prefix) throw new ExportError('pytorch', 'layer name', node.id, 'has no PyTorch counterpart');
    out.push(...layerToTorch(node, prefix, w));
  }
  return out;
}

export function exportPytorch(input: ExportInput, progress?: ExportProgress): ExportResult {
  progress?.(0, 'planning the module');
  const { spec, graph } = input;
  const plan = planFor(graph, spec);
  const classes = plan.head.kind === 'classifier' ? plan.head.classes : undefined;
  if (input.classNames && input.classNames.length !== classes) {
    throw new ExportError('pytorch', 'classNames', input.classNames.length, `the classifier has ${classes ?? 'no'} outputs`);
  }
  const weightsLabel = input.weights ? (input.weightsLabel ?? 'unnamed') : 'none (structure only)';
  const notes: string[] = [`BatchNorm epsilon ${pyFloat(plan.eps)}`];
  if (!input.weights) notes.push('structure only: no weights.safetensors');
  if (plan.head.kind === 'classifier' && plan.head.softmax) notes.push('forward() returns logits; the Keras softmax is in predict()');
  if (plan.sameStrided) {
    notes.push("TF 'same' padding of stride-2 3×3 convs reproduced with an explicit asymmetric pad");
  }

  const files: ExportFile[] = [text('model.py', modelPy({ plan, preprocessing: input.preprocessing, weightsLabel }))];
  if (input.weights) {
    progress?.(0.05, 'checking the weights');
    const tensors = torchStateDict(input);
    const metadata: Record<string, string> = {
      format: 'pt',
      model: spec.name,
      weights: weightsLabel,
      generator: 'ResNet Explorer',
      spec: JSON.stringify(spec),
    };
    if (input.preprocessing) metadata.preprocessing = JSON.stringify(input.preprocessing);
    if (input.classNames) metadata.class_names = JSON.stringify(input.classNames);
    const bytes = writeSafetensors(tensors, metadata, (done, total) => {
      if (done % 32 === 0 || done === total) progress?.(0.1 + (0.85 * done) / total, `weights.safetensors: ${tensors[done - 1].key}`);
    });
    files.push({ path: 'weights.safetensors', bytes });
    notes.push(`${tensors.length} tensors in weights.safetensors`);
  }
  if (input.classNames) files.push(text('classes.txt', input.classNames.join('\n') + '\n'));
  files.push(text('train.py', trainPy(plan.name)));
  files.push(text('README.md', readmeMd({ plan, weightsLabel, hasWeights: !!input.weights, preprocessing: input.preprocessing, classNames: input.classNames, notes })));
  progress?.(1, 'done');
  return { format: 'pytorch', files, runsWith: 'PyTorch ≥ 1.13 (Python 3; Pillow for images, torchvision for train.py)', notes };
}
