/**
 * ONNX's own checker (Debian's python3-onnx, `onnx.checker.check_model(model, full_check=True)`: schema checks
 * plus strict shape inference) accepts the export of every preset, plain twins included, structure only, and a
 * few with weights. One python process for all files. A deliberately broken copy (declared output shape wrong)
 * must be rejected, so the check can fail. Runs where /usr/bin/python3 has onnx; with CI set it never skips.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type ArchSpec, expand, getPreset, PRESETS } from '../../src/core';
import { exportOnnx } from '../../src/export/onnx';
import { onnx } from '../../src/export/onnx/proto';
import { exportPreprocessing } from '../../src/export/preprocessing';
import type { WeightSet } from '../../src/export/types';
import { checkOnnxFiles, SKIP_ONNX_CHECK } from './helpers/onnx-checker';
import { randomWeightSet } from './helpers/weight-set';

describe.skipIf(SKIP_ONNX_CHECK)('onnx.checker (full_check) accepts every preset’s export', () => {
  const dir = mkdtempSync(join(tmpdir(), 'onnx-check-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('every preset structure-only, ResNet-20 / ResNeXt50 / ResNet50V2 / a custom spec with weights; a broken file fails', () => {
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

    const { version, results } = checkOnnxFiles(files);
    const failed = Object.entries(results).filter(([path, r]) => path !== broken && r !== 'ok');
    expect(failed).toEqual([]);
    expect(Object.keys(results).length).toBe(PRESETS.length + 6);
    console.log(`onnx ${version}: ${Object.keys(results).length - 1} files ok; broken: ${results[broken]}`);
    expect(results[broken]).toMatch(/999|shape|Inferred/i);
  }, 600_000);
});
