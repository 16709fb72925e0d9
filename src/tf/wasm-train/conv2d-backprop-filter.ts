/**
 * Conv2DBackpropFilter for the wasm backend (tfjs-backend-wasm 4.22 has none, so conv nets cannot train).
 *
 * dW[kh,kw,ci,co] = Σ_{b,oh,ow} xpad[b, oh·s + kh, ow·s + kw, ci] · dy[b,oh,ow,co]
 * is itself a convolution: take ci as the batch and b as the channel (x → [Ci,H,W,B]), use dy as the
 * filter (dy → [OH,OW,B,Co]) dilated by the forward stride, stride 1, padded like the forward conv.
 * The output [Ci,KH,KW,Co] is transposed back to HWIO. This runs on XNNPACK (wasm's Conv2D).
 */
import { Conv2DBackpropFilter, type Conv2DBackpropFilterAttrs, type KernelBackend, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { convExplicit, release, squareStrideConvInfo, transpose } from './kernel-calls';

const kernelFunc: KernelFunc = ({ inputs, backend: b, attrs }) => {
  const backend = b as KernelBackend;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as Conv2DBackpropFilterAttrs;
  const info = squareStrideConvInfo('Conv2DBackpropFilter', x.shape as [number, number, number, number], filterShape, { strides, pad, dataFormat, dimRoundingMode });
  const s = info.strideHeight;
  const xT = transpose(backend, x, [3, 1, 2, 0]); // [Ci, H, W, B]
  const dyT = transpose(backend, dy, [1, 2, 0, 3]); // [OH, OW, B, Co]
  const { top, left } = info.padInfo;
  // Output rows = H + top + bottom − (s·(OH−1) + 1) + 1 must equal KH.
  const bottom = info.filterHeight + s * (info.outHeight - 1) - info.inHeight - top;
  const right = info.filterWidth + s * (info.outWidth - 1) - info.inWidth - left;
  const out = convExplicit(backend, xT, dyT, { top, bottom, left, right }, s); // [Ci, KH, KW, Co]
  release(backend, xT, dyT);
  const dw = transpose(backend, out, [1, 2, 0, 3]);
  release(backend, out);
  return dw;
};

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc,
};
