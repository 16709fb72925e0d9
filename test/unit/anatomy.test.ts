/** The block-anatomy panel's model, derived from expand(spec): order, paths, shortcut and activation per family. */
import { describe, expect, test } from 'vitest';
import { expand, getPreset, plainTwin } from '../../src/core';
import { blockAnatomy, familyKind, representativeBlocks } from '../../src/core/anatomy';

const kinds = (steps: readonly { kind: string }[]) => steps.map((s) => s.kind);

describe('block anatomy from the graph', () => {
  test('plain-ResNet50V2: pre-activation (BN, ReLU before each conv) and no addition, in every block shown', () => {
    const g = expand(plainTwin(getPreset('ResNet50V2')));
    expect(familyKind(g)).toBe('plain');
    const shown = representativeBlocks(g);
    expect(shown.map((b) => [b.block, b.stride])).toEqual([
      ['conv2_block1', 1],
      ['conv2_block3', 2],
    ]);
    for (const b of shown) {
      expect(b.activation).toBe('pre');
      expect(b.add).toBeUndefined();
      expect(b.shortcut).toBe('none');
      expect(b.shortcutPath).toEqual([]);
      expect(b.afterAdd).toEqual([]);
      // Keras V2 pads its 3×3 explicitly; nothing follows the last 1×1 conv.
      expect(kinds(b.main)).toEqual(['bn', 'relu', 'conv', 'bn', 'relu', 'zeropad', 'conv', 'bn', 'relu', 'conv']);
      expect(b.formula).toBe('x₍ₗ₊₁₎ = F(x)');
    }
  });

  test('ResNet50 (V1): post-activation, projection conv + BN on the shortcut, ReLU after the addition', () => {
    const g = expand(getPreset('ResNet50'));
    expect(familyKind(g)).toBe('v1');
    const shown = representativeBlocks(g);
    expect(shown.map((b) => b.block)).toEqual(['conv2_block1', 'conv2_block2', 'conv3_block1']);
    const [first, identity, down] = shown;
    expect(first.activation).toBe('post');
    expect(kinds(first.main)).toEqual(['conv', 'bn', 'relu', 'conv', 'bn', 'relu', 'conv', 'bn']);
    expect(first.shortcut).toBe('projection');
    expect(first.shortcutPath.map((s) => s.id)).toEqual(['conv2_block1_0_conv', 'conv2_block1_0_bn']);
    expect(first.shortcutFrom).toBeUndefined();
    expect(first.add?.id).toBe('conv2_block1_add');
    expect(first.afterAdd.map((s) => s.id)).toEqual(['conv2_block1_out']);
    expect(first.formula).toBe('x₍ₗ₊₁₎ = ReLU(F(x) + W_s·x)');
    expect(identity.shortcut).toBe('identity');
    expect(identity.shortcutPath).toEqual([]);
    expect(identity.formula).toBe('x₍ₗ₊₁₎ = ReLU(F(x) + x)');
    // Keras ResNet50 strides the first 1×1 of a downsampling block.
    expect(down.stride).toBe(2);
    expect(down.main[0].label).toBe('conv 1×1 /2 · 128');
    expect(down.shortcutPath[0].outShape).toEqual([28, 28, 512]);
    expect(down.role).toBe('first block of conv3, downsamples /2');
  });

  test('ResNet50V2: the projection takes the pre-activated input; its downsampling block has a 1×1 max-pool', () => {
    const g = expand(getPreset('ResNet50V2'));
    expect(familyKind(g)).toBe('v2');
    const [first, , down] = representativeBlocks(g);
    expect(first.activation).toBe('pre');
    expect(first.shortcutFrom).toBe('conv2_block1_preact_relu');
    expect(first.afterAdd).toEqual([]);
    expect(first.formula).toBe('x₍ₗ₊₁₎ = F(x) + W_s·ReLU(BN(x))');
    expect(down.block).toBe('conv2_block3');
    expect(down.shortcut).toBe('subsample');
    expect(kinds(down.shortcutPath)).toEqual(['maxpool']);
  });

  test('ResNeXt50: the 3×3 is a grouped convolution with C = 32', () => {
    const g = expand(getPreset('ResNeXt50'));
    expect(familyKind(g)).toBe('resnext');
    const b = blockAnatomy(g, 'conv2_block2');
    expect(b.groups).toBe(32);
    expect(b.main.find((s) => s.id === 'conv2_block2_2_conv')!.label).toBe('grouped conv 3×3 · 128, C = 32');
    expect(b.formula).toBe('x₍ₗ₊₁₎ = ReLU(Σᵢ₌₁^32 Tᵢ(x) + x)');
  });

  test('CIFAR ResNet-20 (option A): the downsampling shortcut subsamples and zero-pads channels, no weights', () => {
    const g = expand(getPreset('ResNet-20'));
    const shown = representativeBlocks(g);
    expect(shown.map((b) => [b.block, b.shortcut])).toEqual([
      ['conv2_block1', 'identity'],
      ['conv3_block1', 'zeropad'],
    ]);
    const down = shown[1];
    expect(down.shortcutPath).toHaveLength(1);
    expect(down.shortcutPath[0]).toMatchObject({ kind: 'zeroPadShortcut', outShape: [16, 16, 32] });
    expect(down.shortcutPath[0].label).toBe('subsample /2, zero-pad channels +8/+8');
    expect(kinds(down.main)).toEqual(['zeropad', 'conv', 'bn', 'relu', 'zeropad', 'conv', 'bn']);
    expect(down.formula).toBe('x₍ₗ₊₁₎ = ReLU(F(x) + pad(x))');
  });

  test('an unknown block is an error naming it', () => {
    expect(() => blockAnatomy(expand(getPreset('resnet18')), 'conv9_block1')).toThrow(/conv9_block1/);
  });
});
