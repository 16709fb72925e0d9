/**
 * Keras conv kernels are [kh, kw, in, out] (HWIO); ONNX Conv (onnx/docs/Operators.md, Conv: W is
 * (M × C/group × kH × kW)) and PyTorch's Conv2d.weight ([out, in/groups, kh, kw]) are OIHW.
 */

/** [kh, kw, in, out] → [out, in, kh, kw], into `out` (a new array unless given; it must have k's length). */
export function hwioToOihw(k: Float32Array, kh: number, kw: number, cin: number, cout: number, out: Float32Array = new Float32Array(k.length)): Float32Array {
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++) {
        const src = ((y * kw + x) * cin + i) * cout;
        for (let o = 0; o < cout; o++) out[((o * cin + i) * kh + y) * kw + x] = k[src + o];
      }
  return out;
}
