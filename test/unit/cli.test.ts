import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { analyze, expand, getPreset } from '../../src/core';
import { main } from '../../src/cli/main';
import { kerasTopology } from '../helpers/fixtures';

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (s) => (stdout += s + '\n'), stderr: (s) => (stderr += s + '\n') });
  return { code, stdout, stderr };
}

describe('summary', () => {
  test('--json has the documented fields and Keras numbers', async () => {
    const r = await run('summary', 'ResNet50', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j).sort()).toEqual(['activationBytes', 'flops', 'layerNames', 'layers', 'macs', 'name', 'params', 'weightedLayers']);
    expect(j.params).toEqual({ total: 25_636_712, trainable: 25_583_592, nonTrainable: 53_120 });
    expect(j.layers).toBe(177);
    expect(j.weightedLayers).toBe(107);
    expect(j.flops).toBe(2 * j.macs);
    expect(j.layerNames).toHaveLength(177);
    expect(j.activationBytes).toBe(4 * analyze(expand(getPreset('ResNet50'))).activations);
  });

  test('layerNames follow the real Keras model.layers order (ResNet152)', async () => {
    const j = JSON.parse((await run('summary', 'ResNet152', '--json')).stdout);
    expect(j.layerNames.map((n: string) => (n === 'predictions' ? 'probs' : n))).toEqual(kerasTopology('ResNet152.model.json').map((l) => l.name));
  });

  test('--no-top, --pooling, --classes and --input change the model as Keras would', async () => {
    const noTop = JSON.parse((await run('summary', 'ResNet50', '--no-top', '--json')).stdout);
    expect(noTop.params.total).toBe(23_587_712);
    const pooled = JSON.parse((await run('summary', 'ResNet50', '--no-top', '--pooling', 'max', '--json')).stdout);
    expect(pooled.layerNames.at(-1)).toBe('max_pool');
    const ten = JSON.parse((await run('summary', 'ResNet50', '--classes', '10', '--json')).stdout);
    expect(ten.params.total).toBe(25_636_712 - 2048 * 990 - 990);
    const big = JSON.parse((await run('summary', 'ResNet50', '--input', '448,448,3', '--json')).stdout);
    expect(big.params.total).toBe(25_636_712);
    expect(big.macs).toBeGreaterThan(3.9 * ten.macs);
  });

  test('the table lists every layer with shapes, and the totals', async () => {
    const r = await run('summary', 'ResNet50');
    expect(r.stdout).toContain('conv2_block1_2_conv (Conv2D)');
    expect(r.stdout).toContain('(None, 56, 56, 64)');
    expect(r.stdout).toContain('Total params: 25,636,712');
    expect(r.stdout).toContain('Non-trainable params: 53,120');
    expect(r.stdout).toMatch(/FLOPs: .* = 2 × MACs/);
  });

  test('ResNeXt50 summary explains what Keras would count (computed, not a published figure)', async () => {
    const r = await run('summary', 'ResNeXt50');
    expect(r.stdout).toContain('Trainable params: 25,028,904');
    expect(r.stdout).toMatch(/Keras would count 153,\d{3},\d{3} in all \(computed/);
  });
});

describe('bad input exits non-zero naming the value and what is allowed', () => {
  const cases: [string[], RegExp][] = [
    [['summary', 'ResNet5O'], /Unknown model "ResNet5O".*resnet-explorer list/s],
    [['summary', 'ResNet50', '--input', '16,16,3'], /input height: received 16; must be an integer from 32/],
    [['summary', 'ResNet50', '--input', 'big'], /--input: received "big"; expected HEIGHT,WIDTH,CHANNELS/],
    [['summary', 'ResNeXt50', '--groups', '5'], /groups: received 5; the cardinality must divide every stage width/],
    [['summary', 'ResNet50', '--pooling', 'sum'], /--pooling: received "sum"; allowed: 'avg', 'max', 'none'/],
    [['summary', 'ResNet50', '--classes=-3'], /--classes: received "-3"; expected a positive integer/],
    [['summary', 'ResNet50', '--classes', '0'], /head.classes: received 0; must be an integer from 1/],
    [['summary', 'ResNet50', '--frobnicate'], /Unknown option '--frobnicate'/],
    [['summary', '--spec', '/nonexistent/spec.json'], /--spec: received "\/nonexistent\/spec.json"; could not read/],
    [['explode'], /Unknown command "explode"/],
  ];
  for (const [argv, message] of cases) {
    test(argv.join(' '), async () => {
      const r = await run(...argv);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    });
  }
});

test('compare and list', async () => {
  const c = await run('compare', 'resnet18', 'resnet34', 'ResNet50', '--json');
  const rows = JSON.parse(c.stdout);
  expect(rows.map((r: { name: string }) => r.name)).toEqual(['resnet18', 'resnet34', 'ResNet50']);
  expect(rows[0].params.trainable).toBe(11_689_512);
  const table = (await run('compare', 'ResNet-20', 'plain-ResNet-20')).stdout;
  expect(table.match(/269,722/g)).toHaveLength(2);
  const list = (await run('list')).stdout;
  for (const name of ['ResNet50', 'ResNeXt101', 'wide_resnet50_2', 'ResNet-1202', 'PreAct-ResNet-1001', 'plain-ResNet-56']) {
    expect(list).toMatch(new RegExp(`^${name}\\s`, 'm'));
  }
});

test('the installed binary runs (npx resnet-explorer)', () => {
  const out = execFileSync('node', ['bin/resnet-explorer.mjs', 'summary', 'ResNet-20', '--json'], { encoding: 'utf8' });
  expect(JSON.parse(out).params.trainable).toBe(269_722);
  const bad = spawnSync('node', ['bin/resnet-explorer.mjs', 'summary', 'nope'], { encoding: 'utf8' });
  expect(bad.status).toBe(2);
  expect(bad.stderr).toContain('Unknown model "nope"');
});
