/**
 * Keras layer names → PyTorch state-dict keys (torchvision's scheme, `torchvision/models/resnet.py`), and the
 * Keras weight layouts → PyTorch's:
 *
 *   conv1_conv                        → conv1            conv1_bn → bn1
 *   convS_blockK_J_conv / _J_bn       → layer{S-1}.{K-1}.convJ / .bnJ
 *   convS_blockK_0_conv / _0_bn       → layer{S-1}.{K-1}.downsample.0 / .downsample.1
 *   convS_blockK_preact_bn (V2)       → layer{S-1}.{K-1}.bn_pre
 *   post_bn (V2)                      → postnorm
 *   predictions / probs               → fc
 *   fc1 (a fine-tuning head's hidden Dense, HeadSpec.hidden) → fc1
 *
 *   conv kernel [kh, kw, in, out]     → weight [out, in, kh, kw]
 *   grouped (depthwise) [kh, kw, in, m] → weight [out, in/groups, kh, kw]   (see groupedToTorch)
 *   dense kernel [in, out]            → weight [out, in]
 *   BN gamma, beta, moving_mean, moving_variance → weight, bias, running_mean, running_var (+ num_batches_tracked)
 */
import { type GraphNode, HIDDEN_LAYER_NAME, type Op } from '../../core';
import { hwioToOihw } from '../kernel-layout';
import { ExportError, type LayerWeight } from '../types';

/** The module path of a weighted Keras layer, or undefined for a name outside the scheme. */
export function torchPrefix(layer: string, classifierName: string): string | undefined {
  if (layer === 'conv1_conv') return 'conv1';
  if (layer === 'conv1_bn') return 'bn1';
  if (layer === 'post_bn') return 'postnorm';
  if (layer === classifierName) return 'fc';
  if (layer === HIDDEN_LAYER_NAME) return 'fc1';
  const m = /^conv(\d+)_block(\d+)_(preact_bn|[0-9]_conv|[0-9]_bn)$/.exec(layer);
  if (!m) return undefined;
  const [, stage, block, part] = m;
  const base = `layer${Number(stage) - 1}.${Number(block) - 1}`;
  if (part === 'preact_bn') return `${base}.bn_pre`;
  const [j, kind] = part.split('_');
  if (j === '0') return `${base}.downsample.${kind === 'conv' ? 0 : 1}`;
  return `${base}.${kind}${j}`;
}

/**
 * One state-dict entry. The values are written on demand straight into their place in the output file, so a
 * large model is never held twice (Keras layout in, PyTorch layout out, no intermediate copy).
 */
export interface TorchTensor {
  readonly key: string;
  readonly dtype: 'F32' | 'I64';
  readonly shape: readonly number[];
  /** Writes the values (row-major, PyTorch layout) into `out`, which has exactly the tensor's length. */
  readonly write: (out: Float32Array | BigInt64Array) => void;
}

const fmt = (s: readonly number[]) => `[${s.join(', ')}]`;

/**
 * keras-applications' grouped conv (our GroupConv2D, src/tf/layers.ts): a depthwise kernel [kh, kw, Cin, m] with
 * m = Cout/G = Cin/G, whose output channel c·m + j is input channel c filtered for output j of c's group, then
 * summed over the group's inputs. So output channel g·m + j takes input a of group g (channel g·m + a) through
 * K[:, :, g·m + a, j]: torch weight W[g·m + j, a] = K[:, :, g·m + a, j], shape [Cout, Cin/G, kh, kw].
 */
export function groupedToTorch(
  k: Float32Array,
  kh: number,
  kw: number,
  cin: number,
  m: number,
  groups: number,
  out: Float32Array = new Float32Array(k.length),
): Float32Array {
  if (cin !== m * groups) throw new ExportError('pytorch', 'grouped kernel', [kh, kw, cin, m], `expects input channels = ${m} × ${groups} groups`);
  for (let g = 0; g < groups; g++)
    for (let j = 0; j < m; j++)
      for (let a = 0; a < m; a++)
        for (let y = 0; y < kh; y++)
          for (let x = 0; x < kw; x++) {
            const src = ((y * kw + x) * cin + g * m + a) * m + j;
            out[(((g * m + j) * m + a) * kh + y) * kw + x] = k[src];
          }
  return out;
}

/** [in, out] → [out, in]. */
export function denseToTorch(k: Float32Array, cin: number, cout: number, out: Float32Array = new Float32Array(k.length)): Float32Array {
  for (let i = 0; i < cin; i++) for (let o = 0; o < cout; o++) out[o * cin + i] = k[i * cout + o];
  return out;
}

/** `conv1_conv/kernel:0` → `kernel`. */
const shortName = (w: LayerWeight) => w.name.replace(/:\d+$/, '').split('/').pop()!;

function expectShape(layer: string, w: LayerWeight, want: readonly number[]): Float32Array {
  if (w.shape.length !== want.length || w.shape.some((d, i) => d !== want[i])) {
    throw new ExportError('pytorch', `${layer}/${shortName(w)} shape`, w.shape, `the graph expects ${fmt(want)}`);
  }
  if (w.data.length !== want.reduce((a, b) => a * b, 1)) {
    throw new ExportError('pytorch', `${layer}/${shortName(w)} length`, w.data.length, `shape ${fmt(want)} needs ${want.reduce((a, b) => a * b, 1)}`);
  }
  return w.data;
}

function pick(layer: string, weights: readonly LayerWeight[], name: string): LayerWeight {
  const w = weights.find((x) => shortName(x) === name);
  if (!w) {
    throw new ExportError('pytorch', `${layer} weights`, weights.map(shortName), `expected a '${name}' weight`);
  }
  return w;
}

/** The state-dict tensors of one weighted graph node from its Keras weights. */
export function layerToTorch(node: GraphNode, prefix: string, weights: readonly LayerWeight[]): TorchTensor[] {
  const op: Op = node.op;
  const layer = node.id;
  const f32 = (suffix: string, shape: readonly number[], write: (out: Float32Array) => void): TorchTensor => ({
    key: `${prefix}.${suffix}`,
    dtype: 'F32',
    shape,
    write: (out) => write(out as Float32Array),
  });
  const copy = (data: Float32Array) => (out: Float32Array) => out.set(data);
  const [inShape] = node.inShapes;
  switch (op.kind) {
    case 'conv': {
      const cin = inShape[2];
      const k = op.kernel;
      const out: TorchTensor[] = [];
      if (op.groups > 1) {
        const m = op.filters / op.groups;
        const w = expectShape(layer, pick(layer, weights, 'depthwise_kernel'), [k, k, cin, m]);
        out.push(f32('weight', [op.filters, cin / op.groups, k, k], (o) => groupedToTorch(w, k, k, cin, m, op.groups, o)));
      } else {
        const w = expectShape(layer, pick(layer, weights, 'kernel'), [k, k, cin, op.filters]);
        out.push(f32('weight', [op.filters, cin, k, k], (o) => hwioToOihw(w, k, k, cin, op.filters, o)));
      }
      if (op.bias) out.push(f32('bias', [op.filters], copy(expectShape(layer, pick(layer, weights, 'bias'), [op.filters]))));
      return out;
    }
    case 'bn': {
      const c = inShape[2];
      const take = (n: string) => expectShape(layer, pick(layer, weights, n), [c]);
      return [
        f32('weight', [c], copy(take('gamma'))),
        f32('bias', [c], copy(take('beta'))),
        f32('running_mean', [c], copy(take('moving_mean'))),
        f32('running_var', [c], copy(take('moving_variance'))),
        // torchvision's state dicts carry the BN step counter; Keras has none, so 0 (it only matters for momentum=None).
        { key: `${prefix}.num_batches_tracked`, dtype: 'I64', shape: [], write: (out) => out.fill(0n as never) },
      ];
    }
    case 'dense': {
      const cin = inShape[0];
      const w = expectShape(layer, pick(layer, weights, 'kernel'), [cin, op.units]);
      const b = expectShape(layer, pick(layer, weights, 'bias'), [op.units]);
      return [f32('weight', [op.units, cin], (o) => denseToTorch(w, cin, op.units, o)), f32('bias', [op.units], copy(b))];
    }
    default:
      throw new ExportError('pytorch', layer, op.kind, 'has weights in the file but no weights in the graph');
  }
}

export const hasWeights = (op: Op) => op.kind === 'conv' || op.kind === 'bn' || op.kind === 'dense';
