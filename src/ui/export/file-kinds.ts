/** What each exported file is and what reads it, from its name: shown beside it in the Export panel. */

const KINDS: readonly [RegExp, string][] = [
  [/^train\.py$/, 'training script (python train.py)'],
  [/\.py$/, 'Python source'],
  [/\.h5$/, 'Keras weights, HDF5 (load_weights by_name)'],
  [/\.onnx$/, 'ONNX model (onnxruntime)'],
  [/\.safetensors$/, 'weights (safetensors)'],
  [/\.(pt|pth)$/, 'PyTorch weights (torch.load)'],
  [/\.json$/, 'JSON'],
  [/^classes\.txt$/, 'class names, one per line'],
  [/\.txt$/, 'text'],
  [/\.md$/, 'how to run it'],
];

export function fileKind(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return KINDS.find(([re]) => re.test(name))?.[1] ?? '';
}
