/**
 * ONNX's own checker (Debian's python3-onnx, `onnx.checker.check_model(model, full_check=True)`: schema checks
 * plus strict shape inference) accepts the export of every preset, plain twins included, structure only, and a
 * few with weights. One python process for all files. A deliberately broken copy (declared output shape wrong)
 * must be rejected, so the check can fail. Runs where /usr/bin/python3 has onnx; with CI set it never skips.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type ArchSpec, expand, getPreset, PRESETS } from '../../src/core';
import { exportOnnx } from '../../src/export/onnx';
import { onnx } from '../../src/export/onnx/proto';
import { exportPreprocessing } from '../../src/export/preprocessing';
import type { WeightSet } from '../../src/export/types';
import { randomWeightSet } from './helpers/weight-set';

const PYTHON = '/usr/bin/python3';
const INSTALL = 'apt-get install -y python3-onnx';
const HAVE_ONNX = spawnSync(PYTHON, ['-c', 'import onnx'], { encoding: 'utf8' }).status === 0;

const CHECK = `
import json, sys, onnx
out = {}
for path in sys.argv[1:]:
    try:
        onnx.checker.check_model(onnx.load(path), full_check=True)
        out[path] = 'ok'
    except Exception as e:
        out[path] = type(e).__name__ + ': ' + str(e).splitlines()[0][:300]
print(json.dumps({'onnx': onnx.__version__, 'results': out}))
`;

describe.skipIf(!HAVE_ONNX && !process.env.CI)('onnx.checker (full_check) accepts every preset’s export', () => {
  const dir = mkdtempSync(join(tmpdir(), 'onnx-check-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('every preset structure-only, ResNet-20 / ResNeXt50 / ResNet50V2 / a custom spec with weights; a broken file fails', () => {
    if (!HAVE_ONNX) throw new Error(`${PYTHON} cannot import onnx: install it with \`${INSTALL}\``);
    const files: string[] = [];
    const write = (name: string, spec: ArchSpec, weights?: WeightSet) => {
      const { files: out } = exportOnnx({ spec, graph: expand(spec), weights, preprocessing: exportPreprocessing(spec.preprocessing, spec.input) });
      const path = join(dir, `${name}.onnx`);
      writeFileSync(path, out[0].bytes);
      files.push(path);
      return out[0].bytes;
    };
    for (const { spec } of PRESETS) write(spec.name, spec);
    for (const name of ['ResNet-20', 'ResNeXt50', 'ResNet50V2']) {
      const spec = getPreset(name);
      write(`${name}-weights`, spec, randomWeightSet(expand(spec)));
    }
    const custom: ArchSpec = { ...getPreset('ResNet-20'), name: 'same-v1', family: 'custom', pad3x3: 'same', shortcut: 'C', input: [33, 32, 3] };
    write('same-v1-weights', custom, randomWeightSet(expand(custom)));
    const noTop: ArchSpec = { ...getPreset('resnet18'), head: { ...getPreset('resnet18').head, includeTop: false, pooling: 'none' } };
    write('resnet18-notop', noTop);

    // Negative control: the classifier declared with 999 classes.
    const model = onnx.ModelProto.decode(write('broken', getPreset('ResNet-20')));
    model.graph!.output![0].type!.tensorType!.shape!.dim![1].dimValue = 999;
    const broken = join(dir, 'broken.onnx');
    writeFileSync(broken, onnx.ModelProto.encode(model).finish());

    const run = spawnSync(PYTHON, ['-c', CHECK, ...files], { encoding: 'utf8', maxBuffer: 1 << 24 });
    expect(run.stderr).toBe('');
    const { results } = JSON.parse(run.stdout) as { onnx: string; results: Record<string, string> };
    const failed = Object.entries(results).filter(([path, r]) => path !== broken && r !== 'ok');
    expect(failed).toEqual([]);
    expect(Object.keys(results).length).toBe(PRESETS.length + 6);
    console.log(`onnx ${JSON.parse(run.stdout).onnx}: ${Object.keys(results).length - 1} files ok; broken: ${results[broken]}`);
    expect(results[broken]).toMatch(/999|shape|Inferred/i);
  }, 600_000);
});
