/**
 * Legacy Keras / Caffe ResNet layer names (fchollet's keras-applications `resnet50.py`, the Caffe models of
 * He et al.) → tf.keras names. Only layers with weights have stable legacy names; the rest are `activation_N`.
 *
 *   conv1 → conv1_conv, bn_conv1 → conv1_bn, fc1000 → predictions,
 *   res2a_branch2a → conv2_block1_1_conv, bn3b_branch2c → conv3_block2_3_bn, res4a_branch1 → conv4_block1_0_conv,
 *   Caffe ResNet-101/152 blocks `res4b1` … `res4b22` → conv4_block2 … conv4_block23.
 */
const BRANCH: Readonly<Record<string, string>> = { '1': '0', '2a': '1', '2b': '2', '2c': '3' };

function blockIndex(tag: string): number | undefined {
  if (/^[a-z]$/.test(tag)) return tag.charCodeAt(0) - 96;
  const m = /^b(\d+)$/.exec(tag);
  return m ? Number(m[1]) + 1 : undefined;
}

/** The tf.keras name of a legacy layer name, or undefined when it has none (e.g. `activation_3`). */
export function legacyToKeras(name: string, classifierName = 'predictions'): string | undefined {
  if (name === 'conv1') return 'conv1_conv';
  if (name === 'bn_conv1') return 'conv1_bn';
  if (name === 'fc1000') return classifierName;
  const m = /^(res|bn)(\d)([a-z]\d*)_branch(1|2[abc])$/.exec(name);
  if (!m) return undefined;
  const block = blockIndex(m[3]);
  if (block === undefined) return undefined;
  return `conv${m[2]}_block${block}_${BRANCH[m[4]]}_${m[1] === 'res' ? 'conv' : 'bn'}`;
}
