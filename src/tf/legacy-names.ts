/**
 * Legacy Keras ResNet layer names (keras-applications ≤ 1.0.7, the Caffe-era scheme of He et al.'s released
 * models) → the names tf.keras uses today, which are our graph ids.
 *   conv1 → conv1_conv        bn_conv1 → conv1_bn        fc1000 → predictions (or the spec's classifier name)
 *   res2a_branch2a → conv2_block1_1_conv    bn2a_branch2a → conv2_block1_1_bn
 *   res2a_branch1  → conv2_block1_0_conv    branch2b → _2_, branch2c → _3_
 * Block letters: a, b, c, … (ResNet50) or a, b1, b2, … (Caffe ResNet101/152: res4b22).
 */

const BRANCH: Readonly<Record<string, string>> = { '1': '0', '2a': '1', '2b': '2', '2c': '3' };

function blockIndex(tag: string): number | undefined {
  if (/^[a-z]$/.test(tag)) return tag.charCodeAt(0) - 96;
  const m = /^b(\d+)$/.exec(tag);
  return m ? Number(m[1]) + 1 : undefined;
}

/** The current Keras name of a legacy layer name, or undefined when the name is not legacy ResNet. */
export function legacyToKeras(name: string, classifierName = 'predictions'): string | undefined {
  if (name === 'conv1') return 'conv1_conv';
  if (name === 'bn_conv1') return 'conv1_bn';
  if (name === 'fc1000') return classifierName;
  const m = /^(res|bn)(\d)([a-z]|b\d+)_branch(1|2[abc])$/.exec(name);
  if (!m) return undefined;
  const block = blockIndex(m[3]);
  if (block === undefined) return undefined;
  return `conv${m[2]}_block${block}_${BRANCH[m[4]]}_${m[1] === 'res' ? 'conv' : 'bn'}`;
}
