import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IMAGENET_CLASSES } from '../../src/tf/imagenet-labels';
import { fixture } from '../helpers/fixtures';

describe('ImageNet labels', () => {
  it('equal Keras imagenet_class_index.json entry for entry', () => {
    const index = JSON.parse(readFileSync(fixture('imagenet', 'imagenet_class_index.json'), 'utf8')) as Record<string, [string, string]>;
    expect(IMAGENET_CLASSES.length).toBe(Object.keys(index).length);
    IMAGENET_CLASSES.forEach((c, i) => {
      expect(c).toEqual(index[String(i)]);
    });
    expect(IMAGENET_CLASSES[386][1]).toBe('African_elephant');
  });
});
