/** Picked files → classes: sub-folder per class (root stripped or not), loose files, non-images reported. */
import { describe, expect, it } from 'vitest';
import { datasetProblem, groupByClass, isImageFile, mergeClasses } from '../../src/ui/finetune/dataset';
import { fromDataTransfer, fromFileList, type PickedFile } from '../../src/ui/shared/folder';

const f = (path: string, type = 'image/jpeg'): PickedFile => ({ file: new File([new Uint8Array(3)], path.split('/').pop()!, { type }), path });
const summary = (c: ReadonlyMap<string, readonly File[]>) => Object.fromEntries([...c].map(([k, v]) => [k, v.map((x) => x.name)]));

describe('fine-tune dataset from picked files', () => {
  it('a picked root folder: its sub-folders are the classes, sorted; deeper folders belong to their class', () => {
    const { classes, rejected } = groupByClass([f('pets/dog/b.jpg'), f('pets/cat/a.jpg'), f('pets/cat/more/c.png', 'image/png'), f('pets/dog/d.jpg')]);
    expect(summary(classes)).toEqual({ cat: ['a.jpg', 'c.png'], dog: ['b.jpg', 'd.jpg'] });
    expect([...classes.keys()]).toEqual(['cat', 'dog']);
    expect(rejected).toEqual([]);
  });

  it('dropped class folders themselves; one class folder alone is one class', () => {
    expect(summary(groupByClass([f('cat/a.jpg'), f('dog/b.jpg')]).classes)).toEqual({ cat: ['a.jpg'], dog: ['b.jpg'] });
    const one = groupByClass([f('cat/a.jpg'), f('cat/b.jpg')]).classes;
    expect(summary(one)).toEqual({ cat: ['a.jpg', 'b.jpg'] });
    expect(datasetProblem(one)).toMatch(/at least 2 classes; only "cat" so far/);
    const both = mergeClasses(one, groupByClass([f('dog/c.jpg')]).classes);
    expect(summary(both)).toEqual({ cat: ['a.jpg', 'b.jpg'], dog: ['c.jpg'] });
    expect(datasetProblem(both)).toBeUndefined();
  });

  it('lists non-images and files outside a class folder with the reason; loose files go to a named class', () => {
    const { classes, rejected } = groupByClass([f('pets/cat/a.jpg'), f('pets/notes.txt', 'text/plain'), f('pets/x.jpg'), f('pets/dog/.DS_Store', '')]);
    expect(summary(classes)).toEqual({ cat: ['a.jpg'] });
    expect(rejected).toEqual([
      { path: 'pets/notes.txt', reason: 'not an image (text/plain)' },
      { path: 'pets/x.jpg', reason: expect.stringMatching(/not inside a class folder/) },
      { path: 'pets/dog/.DS_Store', reason: 'not an image (png, jpg, jpeg, gif, webp, bmp or avif)' },
    ]);
    expect(summary(groupByClass([f('a.jpg'), f('b.webp', '')], ' bird ').classes)).toEqual({ bird: ['a.jpg', 'b.webp'] });
    expect(isImageFile(new File([], 'x.PNG'))).toBe(true);
    expect(datasetProblem(new Map())).toMatch(/none yet/);
  });
});

/** Minimal FileSystemEntry fakes: directories answer readEntries in batches of 2, then an empty batch. */
type Fake = { name: string; isFile: boolean; isDirectory: boolean; file?: (ok: (f: File) => void) => void; createReader?: () => unknown };
function fileEntry(name: string): Fake {
  return { name, isFile: true, isDirectory: false, file: (ok) => ok(new File([new Uint8Array(1)], name, { type: 'image/png' })) };
}
function dirEntry(name: string, children: Fake[]): Fake {
  return {
    name,
    isFile: false,
    isDirectory: true,
    createReader: () => {
      let at = 0;
      return {
        readEntries: (ok: (b: Fake[]) => void) => {
          const batch = children.slice(at, at + 2);
          at += 2;
          setTimeout(() => ok(batch), 0);
        },
      };
    },
  };
}

describe('folder reader', () => {
  it('walks dropped folders (all readEntries batches), paths relative to the drop, children sorted', async () => {
    const pets = dirEntry('pets', [
      dirEntry('dog', [fileEntry('d2.png'), fileEntry('d1.png'), fileEntry('d3.png')]),
      dirEntry('cat', [fileEntry('c1.png')]),
      fileEntry('readme.png'),
    ]);
    const dt = { items: [{ kind: 'file', webkitGetAsEntry: () => pets }], files: [] } as unknown as DataTransfer;
    const got = await fromDataTransfer(dt);
    expect(got.map((p) => p.path)).toEqual(['pets/cat/c1.png', 'pets/dog/d1.png', 'pets/dog/d2.png', 'pets/dog/d3.png', 'pets/readme.png']);
    expect(summary(groupByClass(got).classes)).toEqual({ cat: ['c1.png'], dog: ['d1.png', 'd2.png', 'd3.png'] });
  });

  it('without entries, takes the dropped files; a folder pick keeps webkitRelativePath', async () => {
    const file = new File([new Uint8Array(1)], 'a.jpg', { type: 'image/jpeg' });
    const dt = { items: [{ kind: 'file', webkitGetAsEntry: () => null }], files: [file] } as unknown as DataTransfer;
    expect((await fromDataTransfer(dt)).map((p) => p.path)).toEqual(['a.jpg']);
    const picked = new File([new Uint8Array(1)], 'b.jpg', { type: 'image/jpeg' });
    Object.defineProperty(picked, 'webkitRelativePath', { value: 'pets/cat/b.jpg' });
    expect(fromFileList([picked, file]).map((p) => p.path)).toEqual(['pets/cat/b.jpg', 'a.jpg']);
  });
});
