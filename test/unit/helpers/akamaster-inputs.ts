import * as tf from '@tensorflow/tfjs';

/** The integer input formula of inputs() in scripts/reference/akamaster_logits.py (exact in float32), NHWC 4×32×32×3. */
export function akamasterInputs(): tf.Tensor4D {
  const S = 32;
  const v = new Float32Array(4 * S * S * 3);
  for (let n = 0; n < 4; n++)
    for (let h = 0; h < S; h++)
      for (let w = 0; w < S; w++)
        for (let c = 0; c < 3; c++) {
          v[((n * S + h) * S + w) * 3 + c] =
            n < 2
              ? ((n * 131 + c * 71 + h * 17 + w * 29 + ((h * w) % 13)) % 97) / 48.5 - 1
              : ((n * 37 + c * 11 + h * 3 + w * 2) % 64) / 32 - 1;
        }
  return tf.tensor4d(v, [4, S, S, 3]);
}
