/**
 * Calling the wasm backend's own kernels from inside another kernel. Kernels receive and return TensorInfos
 * (not Tensors), and intermediates must be released with `backend.disposeData` — the engine only tracks
 * what the outer kernel returns. Going through `getKernel` keeps these on XNNPACK (wasm's Conv2D) rather
 * than re-entering the engine, which would record intermediates on the gradient tape.
 */
import { backend_util, type KernelBackend, getKernel, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo } from '@tensorflow/tfjs-core';

export function callKernel(name: string, backend: KernelBackend, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo {
  const k = getKernel(name, 'wasm');
  if (!k) throw new Error(`wasm training kernels need the wasm kernel '${name}', which is not registered`);
  const out = k.kernelFunc({ inputs, attrs, backend });
  if (Array.isArray(out)) throw new Error(`wasm kernel '${name}' returned ${out.length} outputs, expected 1`);
  return out;
}

export function release(backend: KernelBackend, ...infos: TensorInfo[]): void {
  for (const t of infos) backend.disposeData(t.dataId);
}

export function transpose(backend: KernelBackend, x: TensorInfo, perm: number[]): TensorInfo {
  return callKernel('Transpose', backend, { x }, { perm });
}

export function slice(backend: KernelBackend, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  return callKernel('Slice', backend, { x }, { begin, size });
}

/**
 * A stride-1 NHWC convolution with explicit padding where any pad may be negative: a negative pad crops
 * the input (those rows/columns would never meet the filter), a positive one pads inside XNNPACK.
 */
export function convExplicit(
  backend: KernelBackend,
  x: TensorInfo,
  filter: TensorInfo,
  pads: { top: number; bottom: number; left: number; right: number },
  dilation: number,
): TensorInfo {
  const [b, h, w, c] = x.shape;
  const cropTop = Math.max(0, -pads.top);
  const cropBottom = Math.max(0, -pads.bottom);
  const cropLeft = Math.max(0, -pads.left);
  const cropRight = Math.max(0, -pads.right);
  const cropped = cropTop + cropBottom + cropLeft + cropRight > 0;
  const input = cropped
    ? slice(backend, x, [0, cropTop, cropLeft, 0], [b, h - cropTop - cropBottom, w - cropLeft - cropRight, c])
    : x;
  const pad = [
    [0, 0],
    [Math.max(0, pads.top), Math.max(0, pads.bottom)],
    [Math.max(0, pads.left), Math.max(0, pads.right)],
    [0, 0],
  ];
  const out = callKernel(
    'Conv2D',
    backend,
    { x: input, filter },
    { strides: [1, 1], pad, dilations: [dilation, dilation], dataFormat: 'NHWC', dimRoundingMode: undefined } as unknown as NamedAttrMap,
  );
  if (cropped) release(backend, input);
  return out;
}

/**
 * The forward convolution's geometry for a backprop kernel. Only NHWC with equal strides is supported (all a
 * ResNet uses); anything else throws naming the kernel and what it received.
 */
export function squareStrideConvInfo(
  kernel: string,
  xShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  attrs: {
    strides: [number, number] | number;
    pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
    dataFormat: 'NHWC' | 'NCHW';
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  },
): backend_util.Conv2DInfo {
  const format = backend_util.convertConv2DDataFormat(attrs.dataFormat);
  if (format !== 'channelsLast') throw new Error(`wasm ${kernel} supports dataFormat 'NHWC' only, got '${attrs.dataFormat}'`);
  const info = backend_util.computeConv2DInfo(xShape, filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, format);
  if (info.strideHeight !== info.strideWidth) {
    throw new Error(`wasm ${kernel} needs equal strides, got [${info.strideHeight}, ${info.strideWidth}]`);
  }
  return info;
}
