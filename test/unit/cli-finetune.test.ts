/** `resnet-explorer finetune`: bad input exits 2 with a message naming what is wrong (no model is loaded for these). */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { folderImages, runFinetuneCli } from '../../src/cli/finetune';
import { main } from '../../src/cli/main';

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runFinetuneCli(args, { stdout: (s) => out.push(s), stderr: (s) => err.push(s) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('resnet-explorer finetune: bad input', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'cli-finetune-'));
  const one = join(tmp, 'one');
  mkdirSync(join(one, 'cat'), { recursive: true });
  writeFileSync(join(one, 'cat', 'a.jpg'), new Uint8Array([0xff, 0xd8]));
  const none = join(tmp, 'none');
  mkdirSync(join(none, 'cat'), { recursive: true });
  writeFileSync(join(none, 'cat', 'notes.txt'), 'hello');
  writeFileSync(join(none, 'loose.jpg'), new Uint8Array([0xff, 0xd8]));

  it('missing folder, one class, no images, bad flags: exit 2 naming the value', async () => {
    expect(await run([join(tmp, 'missing'), '--out', join(tmp, 'o')])).toMatchObject({ code: 2, stderr: expect.stringMatching(/DIR ".*missing" is not a folder/) });
    expect(await run([one, '--out', join(tmp, 'o')])).toMatchObject({ code: 2, stderr: expect.stringMatching(/at least 2 classes; ".*one" has only "cat"/) });
    expect(await run([none, '--out', join(tmp, 'o')])).toMatchObject({ code: 2, stderr: expect.stringMatching(/no images in class sub-folders/) });
    expect(await run([one])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--out OUTDIR is required/) });
    expect(await run([one, '--out', 'o', '--head', 'big'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--head must be one of dense, dense2048; got "big"/) });
    expect(await run([one, '--out', 'o', '--val', '1'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--val must be in \[0, 1\); got "1"/) });
    expect(await run([one, '--out', 'o', '--dropout=-0.1'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--dropout must be in \[0, 1\); got "-0.1"/) });
    expect(await run([one, '--out', 'o', '--epochs', '2.5'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--epochs must be an integer in 1…1000; got "2.5"/) });
    expect(await run([one, '--out', 'o', '--patience', '2', '--val', '0'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--patience needs a validation set/) });
    expect(await run([one, '--out', 'o', '--nope'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/Unknown option '--nope'/) });
  });

  it('is registered in the main command and its help', async () => {
    const out: string[] = [];
    expect(await main(['finetune', '--help'], { stdout: (s) => out.push(s), stderr: () => {} })).toBe(0);
    expect(out.join('')).toMatch(/--finetune-conv5 E/);
    const help: string[] = [];
    await main(['--help'], { stdout: (s) => help.push(s), stderr: () => {} });
    expect(help.join('')).toMatch(/finetune DIR --out OUTDIR/);
  });

  it('reads a folder as Keras does: classes sorted by code point, files below a class at any depth, non-images listed', async () => {
    const d = join(tmp, 'pets');
    for (const p of ['dog/b.jpg', 'Cat/x/a.png', 'dog/a.jpg', 'readme.jpg', 'dog/notes.txt']) {
      mkdirSync(join(d, p, '..'), { recursive: true });
      writeFileSync(join(d, p), p);
    }
    const f = await folderImages(d);
    expect(f.classNames).toEqual(['Cat', 'dog']);
    expect(f.images.map((im) => [im.name, im.label])).toEqual([
      ['Cat/x/a.png', 0],
      ['dog/a.jpg', 1],
      ['dog/b.jpg', 1],
    ]);
    expect(f.images.every((im) => /^[0-9a-f]{16}$/.test(im.key!))).toBe(true);
    expect(f.rejected.map((r) => r.path).sort()).toEqual(['dog/notes.txt', 'readme.jpg']);
  });
});
