/**
 * Reads the layer calls of a generated model.py back, independently of the generator: each line of
 * `build_model()` of the form `VAR = CALL(ARGS)(INPUTS)` is parsed as Python literals, then Keras' own shape and
 * parameter rules (keras/layers/convolutional, normalization, pooling, core) are applied to it. What this returns
 * is what Keras would build from the file, not what the generator meant.
 */

export type PyValue = number | string | boolean | null | PyValue[];

export interface ParsedLayer {
  readonly cls: string;
  readonly name: string;
  readonly args: readonly PyValue[];
  readonly kwargs: Readonly<Record<string, PyValue>>;
  /** Layer names of the inputs (resolved through the variables). */
  readonly inputs: readonly string[];
  readonly outShape: readonly number[];
  readonly params: { readonly total: number; readonly trainable: number };
  /** The shapes of the weights Keras creates for the call, in Keras' order (what `load_weights` assigns). */
  readonly weightShapes: readonly (readonly number[])[];
}

/** Split on commas outside brackets and quotes. */
function splitTop(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (quote) {
      if (ch === '\\') {
        cur += ch + s[++i];
        continue;
      }
      if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(cur.trim());
      cur = '';
      continue;
    }
    cur += ch;
  }
  if (cur.trim()) parts.push(cur.trim());
  return parts;
}

export function parseLiteral(src: string): PyValue {
  const s = src.trim();
  if (/^-?\d+$/.test(s)) return Number.parseInt(s, 10);
  if (/^-?(\d+\.?\d*|\.\d+)(e-?\d+)?$/i.test(s)) return Number.parseFloat(s);
  if (s === 'True' || s === 'False') return s === 'True';
  if (s === 'None') return null;
  if (/^'([^'\\]|\\.)*'$/.test(s)) return s.slice(1, -1).replace(/\\(.)/g, '$1');
  if ((s.startsWith('(') && s.endsWith(')')) || (s.startsWith('[') && s.endsWith(']'))) {
    return splitTop(s.slice(1, -1)).map(parseLiteral);
  }
  throw new Error(`not a Python literal: ${s}`);
}

const LINE = /^ {4}(\w+) = ((?:layers|keras)\.\w+|GroupConv2D|ZeroPadShortcut)\((.*?)\)(?:\((.*)\))?$/;

/** Keras' output shape and params of one call, from its arguments and input shapes. */
function keras(cls: string, args: readonly PyValue[], kw: Record<string, PyValue>, ins: readonly (readonly number[])[]) {
  const x = ins[0];
  const num = (v: PyValue | undefined, what: string) => {
    if (typeof v !== 'number') throw new Error(`${cls}: ${what} is ${JSON.stringify(v)}`);
    return v;
  };
  const conv = (n: number, k: number, s: number, padding: PyValue) =>
    padding === 'same' ? Math.ceil(n / s) : padding === 'valid' ? Math.floor((n - k) / s) + 1 : Number.NaN;
  switch (cls) {
    case 'keras.Input':
      return { out: kw.shape as number[], total: 0, trainable: 0, shapes: [] };
    case 'layers.ZeroPadding2D': {
      const [ph, pw] = kw.padding as number[];
      return { out: [x[0] + 2 * ph, x[1] + 2 * pw, x[2]], total: 0, trainable: 0, shapes: [] };
    }
    case 'layers.Conv2D':
    case 'GroupConv2D': {
      const [filters, k] = [num(args[0], 'filters'), num(args[1], 'kernel_size')];
      const s = num(kw.strides ?? 1, 'strides');
      const groups = cls === 'GroupConv2D' ? num(kw.groups, 'groups') : 1;
      if (x[2] % groups || filters % groups) throw new Error(`${cls}: groups ${groups} do not divide ${x[2]} → ${filters}`);
      // Conv2D: kernel [k, k, C/G, F]; our GroupConv2D: depthwise [k, k, C, F/G] — the same count.
      const kernel = cls === 'GroupConv2D' ? [k, k, x[2], filters / groups] : [k, k, x[2], filters];
      const shapes = kw.use_bias === false ? [kernel] : [kernel, [filters]];
      const w = shapes.reduce((a, sh) => a + sh.reduce((p, d) => p * d, 1), 0);
      return { out: [conv(x[0], k, s, kw.padding ?? 'valid'), conv(x[1], k, s, kw.padding ?? 'valid'), filters], total: w, trainable: w, shapes };
    }
    case 'layers.BatchNormalization':
      return { out: x, total: 4 * x[2], trainable: 2 * x[2], shapes: [[x[2]], [x[2]], [x[2]], [x[2]]] };
    case 'layers.Activation':
      return { out: x, total: 0, trainable: 0, shapes: [] };
    case 'layers.MaxPooling2D': {
      const p = num(args[0], 'pool_size');
      const s = num(kw.strides ?? p, 'strides');
      return { out: [conv(x[0], p, s, kw.padding ?? 'valid'), conv(x[1], p, s, kw.padding ?? 'valid'), x[2]], total: 0, trainable: 0, shapes: [] };
    }
    case 'ZeroPadShortcut': {
      const s = num(kw.stride, 'stride');
      const [a, b] = kw.channel_pad as number[];
      return { out: [Math.ceil(x[0] / s), Math.ceil(x[1] / s), x[2] + a + b], total: 0, trainable: 0, shapes: [] };
    }
    case 'layers.Add':
      if (ins.length < 2 || ins.some((s) => s.join() !== x.join())) throw new Error(`Add of shapes ${ins.map((s) => s.join('x')).join(', ')}`);
      return { out: x, total: 0, trainable: 0, shapes: [] };
    case 'layers.GlobalAveragePooling2D':
    case 'layers.GlobalMaxPooling2D':
      return { out: [x[2]], total: 0, trainable: 0, shapes: [] };
    case 'layers.Dropout':
      return { out: x, total: 0, trainable: 0, shapes: [] };
    case 'layers.Dense': {
      const units = num(args[0], 'units');
      const w = x[0] * units + units;
      return { out: [units], total: w, trainable: w, shapes: [[x[0], units], [units]] };
    }
    default:
      throw new Error(`unknown layer class ${cls}`);
  }
}

/** Every layer `build_model()` in this model.py creates, in order, with Keras' shapes and params, and the model's output layer. */
export function readKerasModel(source: string): { layers: ParsedLayer[]; output: string } {
  const lines = source.split('\n');
  const start = lines.indexOf('def build_model():');
  if (start < 0) throw new Error('no build_model() in model.py');
  const vars = new Map<string, string>();
  const shapes = new Map<string, readonly number[]>();
  const out: ParsedLayer[] = [];
  let output: string | undefined;
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '' || line.trim().startsWith('#') || line.trim().startsWith('"""')) continue;
    if (!line.startsWith('    ')) break;
    if (line.trim().startsWith('return ')) {
      const m = /^return keras\.Model\(inputs, (\w+), name=MODEL_NAME\)$/.exec(line.trim());
      if (!m) throw new Error(`unexpected return: ${line}`);
      output = vars.get(m[1]);
      break;
    }
    const m = LINE.exec(line);
    if (!m) throw new Error(`line ${i + 1} is not a layer call: ${line}`);
    const [, target, cls, argSrc, inputSrc] = m;
    const args: PyValue[] = [];
    const kwargs: Record<string, PyValue> = {};
    for (const part of splitTop(argSrc)) {
      const kv = /^(\w+)=(.*)$/s.exec(part);
      if (kv) kwargs[kv[1]] = parseLiteral(kv[2]);
      else args.push(parseLiteral(part));
    }
    const name = kwargs.name;
    if (typeof name !== 'string') throw new Error(`line ${i + 1}: no name=`);
    const inputVars = inputSrc === undefined ? [] : splitTop(inputSrc.replace(/^\[(.*)\]$/, '$1'));
    const inputs = inputVars.map((v) => {
      const n = vars.get(v);
      if (!n) throw new Error(`line ${i + 1}: variable ${v} is not defined yet`);
      return n;
    });
    const k = keras(cls, args, kwargs, inputs.map((n) => shapes.get(n)!));
    vars.set(target, name);
    shapes.set(name, k.out);
    out.push({ cls, name, args, kwargs, inputs, outShape: k.out, params: { total: k.total, trainable: k.trainable }, weightShapes: k.shapes });
  }
  if (!output) throw new Error('build_model() returns no keras.Model of a defined variable');
  return { layers: out, output };
}

/** The layers only. */
export function readKerasModelPy(source: string): ParsedLayer[] {
  return readKerasModel(source).layers;
}
