import { describe, expect, it } from 'vitest';
import { FolderDatasetError, groupByFolder } from '../../src/core/datasets';

describe('a folder of class folders', () => {
  it('labels images by their parent folder, classes sorted', () => {
    const d = groupByFolder(['pets/dog/1.jpg', 'pets/cat/a.PNG', 'pets/cat/b.webp', 'pets/notes.txt', 'pets/dog/2.jpeg']);
    expect(d.classes).toEqual(['cat', 'dog']);
    expect(d.items.map((i) => [i.path, i.label])).toEqual([
      ['pets/cat/a.PNG', 0],
      ['pets/cat/b.webp', 0],
      ['pets/dog/1.jpg', 1],
      ['pets/dog/2.jpeg', 1],
    ]);
    expect(d.skipped).toEqual(['pets/notes.txt (not an image: png, jpg, gif, webp or bmp)']);
  });

  it('needs two classes and says what it found', () => {
    expect(() => groupByFolder(['x/cat/1.png', 'x/cat/2.png'])).toThrow(FolderDatasetError);
    expect(() => groupByFolder(['x/cat/1.png'])).toThrow(/only “cat”/);
    expect(() => groupByFolder(['a.png'])).toThrow(/no images in sub-folders/);
  });
});
