import { describe, expect, it } from 'vitest';
import { assignClasses, compareCodePoints, FolderDatasetError, groupByFolder } from '../../src/core/datasets';
import { groupByClass } from '../../src/ui/finetune/dataset';

/**
 * Class names whose orders differ: Python's `sorted()` (what Keras' index_directory uses on
 * os.listdir) gives Banana, Zebra, apple, class10, class2, éclair, ｆｕｌｌ, 𝒜lpha — by code point.
 * JS's default sort puts 𝒜 (U+1D49C, surrogates D835…) before ｆ (U+FF46); localeCompare ignores case and
 * puts 𝒜lpha first.
 */
const NAMES = ['class2', 'Zebra', 'éclair', 'class10', 'ｆｕｌｌ', '𝒜lpha', 'apple', 'Banana'];
const PYTHON_SORTED = ['Banana', 'Zebra', 'apple', 'class10', 'class2', 'éclair', 'ｆｕｌｌ', '𝒜lpha'];

describe('a folder of class folders (Keras image_dataset_from_directory)', () => {
  it('labels images by their top-level class folder, classes sorted', () => {
    const d = groupByFolder(['pets/dog/1.jpg', 'pets/cat/a.PNG', 'pets/cat/b.webp', 'pets/notes.txt', 'pets/dog/2.jpeg']);
    expect(d.classes).toEqual(['cat', 'dog']);
    expect(d.items.map((i) => [i.path, i.label])).toEqual([
      ['pets/cat/a.PNG', 0],
      ['pets/cat/b.webp', 0],
      ['pets/dog/1.jpg', 1],
      ['pets/dog/2.jpeg', 1],
    ]);
    expect(d.skipped).toEqual(['pets/notes.txt (not an image (png, jpg, jpeg, gif, webp, bmp or avif))']);
  });

  it('classes in code-point order, as Python sorts strings (not locale order, not UTF-16 order)', () => {
    const paths = NAMES.map((n) => `root/${n}/x.png`);
    expect(groupByFolder(paths).classes).toEqual(PYTHON_SORTED);
    expect([...NAMES].sort(compareCodePoints)).toEqual(PYTHON_SORTED);
    expect([...NAMES].sort()).not.toEqual(PYTHON_SORTED);
    expect([...NAMES].sort((a, b) => a.localeCompare(b))).not.toEqual(PYTHON_SORTED);
  });

  it('images at any depth belong to their class folder, in Keras file order; root files and hidden folders are skipped', () => {
    const a = assignClasses([
      { path: 'pets/cat/z.jpg' },
      { path: 'pets/cat/a/b.jpg' },
      { path: 'pets/cat/y.png' },
      { path: 'pets/dog/d.jpg' },
      { path: 'pets/loose.jpg' },
      { path: 'pets/.thumbs/t.jpg' },
      { path: 'pets/dog/readme', type: 'text/plain' },
    ]);
    expect(a.classes).toEqual(['cat', 'dog']);
    // iter_valid_files: directories sorted ('cat' before 'cat/a'), then file names sorted.
    expect(a.members[0]).toEqual([2, 0, 1]);
    expect(a.rejected.map((r) => [r.path, r.reason])).toEqual([
      ['pets/loose.jpg', expect.stringMatching(/not inside a class folder/)],
      ['pets/.thumbs/t.jpg', 'inside the hidden folder “.thumbs” (skipped, as Keras does)'],
      ['pets/dog/readme', 'not an image (text/plain)'],
    ]);
  });

  it('the lab and fine-tuning use the same rule', () => {
    const paths = ['p/b/1.jpg', 'p/B/2.jpg', 'p/a/deep/3.jpg', 'p/a/4.jpg', 'p/𝒜/5.jpg', 'p/ｆ/6.jpg'];
    const lab = groupByFolder(paths);
    const files = paths.map((path) => ({ path, file: new File([new Uint8Array(1)], path.split('/').pop()!, { type: 'image/jpeg' }) }));
    const ft = groupByClass(files).classes;
    expect([...ft.keys()]).toEqual(lab.classes);
    expect([...ft.values()].flat().map((f) => f.name)).toEqual(lab.items.map((i) => i.path.split('/').pop()));
    expect(lab.classes).toEqual(['B', 'a', 'b', 'ｆ', '𝒜']);
  });

  it('needs two classes and says what it found', () => {
    expect(() => groupByFolder(['x/cat/1.png', 'x/cat/2.png'])).toThrow(FolderDatasetError);
    expect(() => groupByFolder(['x/cat/1.png'])).toThrow(/only “cat”/);
    expect(() => groupByFolder(['a.png'])).toThrow(/no images in sub-folders/);
  });
});
