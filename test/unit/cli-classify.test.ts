import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runClassify } from '../../src/cli/classify';
import { getPreset } from '../../src/core';
import { buildModel } from '../../src/tf/build';
import { writeKerasH5 } from '../../src/tf/h5/keras-h5';
import { modelToKerasWeights } from '../../src/tf/h5/model-weights';
import { fixture, requireWeights, SKIP_WEIGHTS } from './helpers/fixtures';

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runClassify(args, { stdout: (s) => out.push(s), stderr: (s) => err.push(s) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('resnet-explorer classify', () => {
  it.skipIf(SKIP_WEIGHTS)('--json prints one parseable array with the elephant in the top 3, and nothing else on stdout', async () => {
    requireWeights();
    const tmp = mkdtempSync(join(tmpdir(), 'classify-'));
    const empty = join(tmp, 'empty.jpg');
    writeFileSync(empty, '');
    const r = await run([fixture('imagenet', 'elephant.jpg'), empty, '--json', '--top', '3']);
    expect(r.code).toBe(1); // one image failed
    const json = JSON.parse(r.stdout);
    expect(json).toHaveLength(2);
    expect(json[0].image).toBe(fixture('imagenet', 'elephant.jpg'));
    expect(json[0].top).toHaveLength(3);
    expect(json[0].top.map((p: { index: number }) => p.index)).toContain(386);
    expect(json[0].top[0]).toEqual({ index: 386, label: 'African_elephant', probability: expect.any(Number) });
    expect(json[1]).toEqual({ image: empty, error: 'empty.jpg is empty (0 bytes).' });
    expect(r.stderr).toMatch(/ResNet50 \(imagenet weights\) on wasm, float16 files/);
  });

  it('bad arguments exit 2 with a message naming the value', async () => {
    expect(await run([])).toMatchObject({ code: 2, stderr: expect.stringMatching(/name at least one image/) });
    expect(await run(['x.jpg', '--top', '0'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--top must be a positive integer, got "0"/) });
    expect(await run(['x.jpg', '--model', 'ResNet51'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/unknown model "ResNet51"/) });
    expect(await run(['x.jpg', '--bogus'])).toMatchObject({ code: 2 });
    expect(await run(['x.jpg', '--precision', 'int4'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/"int4"; choose one of: float32, float16, uint8/) });
    expect(await run(['x.jpg', '--precision', 'uint8', '--weights', 'none'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/ImageNet weights only \(got --weights none\)/) });
  });

  it('random weights are announced on stderr; a missing weights file is a clear error', async () => {
    const r = await run([fixture('imagenet', 'cat.jpg'), '--model', 'ResNet-20', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/random weights; its predictions mean nothing/);
    expect(['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']).toContain(JSON.parse(r.stdout)[0].top[0].label);
    const m = await run([fixture('imagenet', 'cat.jpg'), '--weights', '/nonexistent/model.json']);
    expect(m).toMatchObject({ code: 1, stderr: expect.stringMatching(/\/nonexistent\/model.json does not exist/) });
  });

  it('--weights FILE.h5 loads Keras HDF5 weights; weights for another model are a clear error', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'classify-h5-'));
    const save = async (preset: string, file: string) => {
      const m = buildModel(getPreset(preset));
      writeFileSync(join(tmp, file), await writeKerasH5(modelToKerasWeights(m)));
      m.dispose();
      return join(tmp, file);
    };
    const ok = await run([fixture('imagenet', 'cat.jpg'), '--model', 'ResNet-20', '--weights', await save('ResNet-20', 'r20.h5'), '--json']);
    expect(ok.code).toBe(0);
    expect(ok.stderr).toMatch(/ResNet-20 \(.*r20.h5 weights\)/);
    expect(ok.stderr).not.toMatch(/random weights/);
    const bad = await run([fixture('imagenet', 'cat.jpg'), '--model', 'ResNet-20', '--weights', await save('ResNet-32', 'r32.h5')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/error: .*(layers with weights|shape)/);
  });
});
