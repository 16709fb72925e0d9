/**
 * TensorFlow's 'same' padding as explicit ONNX pads. TF (tensorflow/core/framework/kernel_shape_util.cc,
 * GetWindowedOutputSize with Padding::SAME): out = ceil(in / stride), total = max((out − 1)·stride + k − in, 0),
 * before = floor(total / 2), after = total − before. So a 3×3 stride-2 conv on an even side pads 0 before and 1
 * after, which ONNX's symmetric `auto_pad` cannot say: we always write the exact `pads`.
 */
export function samePads1d(size: number, kernel: number, stride: number): [number, number] {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + kernel - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** ONNX Conv `pads` for a 2-D 'same' conv: [top, left, bottom, right]. */
export function samePads(height: number, width: number, kernel: number, stride: number): [number, number, number, number] {
  const [top, bottom] = samePads1d(height, kernel, stride);
  const [left, right] = samePads1d(width, kernel, stride);
  return [top, left, bottom, right];
}
