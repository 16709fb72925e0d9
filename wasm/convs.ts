// Convolution kernels for the inference runner on tfjs-backend-wasm's heap, compiled by AssemblyScript into
// WebAssembly SIMD: 3×3 stride-1 convolutions by Winograd's minimal filtering (Lavin & Gray, "Fast Algorithms for
// Convolutional Neural Networks", CVPR 2016, §4–5), F(2×2, 3×3) (4×4 input tiles, 16 products per tile where direct
// convolution needs 36) and F(4×4, 3×3) (6×6 tiles, 36 products for 144); and 1×1 convolutions, any stride, as one
// matrix product. Both end in the same register-tiled product (4 rows × 8 output channels).
//
// The module has no data, no globals and no heap of its own: it runs on the memory it imports (tfjs-backend-wasm's
// heap), at addresses the caller allocated there, so no tensor is copied in or out. All values are float32.
//
// A job (src/tf/wasm-convs/job.ts writes it) describes one convolution. Winograd (kind 0):
//   x  input, NHWC [n][h][w][c], 'same' padding (one row / column of zeros on each side)
//   u  transformed filter: `positions` matrices [c][co], each packed in panels of 8 output channels: [co / 8][c][8]
//   v  workspace [positions][tiles][c] per thread, the transformed input;  mm  workspace [positions][tiles][co]
//   y  output, NHWC [n][h][w][co], = relu?(conv(x) + bias)
// Tile t = (image · tilesH + ty) · tilesW + tx covers output rows ty·m … ty·m + m − 1 (m = 2 or 4). A thread takes
// its tiles or output channels through all three stages (input transform, products, output transform), so threads
// never wait on one another within a job (`run`). c % 4 == 0 and co % 8 == 0.
// Pointwise (kind 1): x [n][h][w][c], u the filter [c][co] packed as [co / 8][c][8], y [n][⌈h/s⌉][⌈w/s⌉][co] =
// relu?(x[s·i][s·j] · u + bias); a thread takes its output pixels or channels. co % 8 == 0.

// Job fields, i32 slots (job.ts has the same list).
const J_M: i32 = 2;
const J_X: i32 = 3;
const J_Y: i32 = 4;
const J_N: i32 = 5;
const J_H: i32 = 6;
const J_W: i32 = 7;
const J_C: i32 = 8;
const J_CO: i32 = 9;
const J_U: i32 = 10;
const J_BIAS: i32 = 11;
const J_RELU: i32 = 12;
const J_V: i32 = 13;
const J_MM: i32 = 14;
const J_SCRATCH: i32 = 15; // 1 KiB per thread
// 16: threads (read by the helpers only)
const J_KIND: i32 = 17; // 0 Winograd, 1 pointwise
const J_STRIDE: i32 = 18; // pointwise

@inline function field(job: usize, i: i32): i32 {
  return load<i32>(job + (<usize>i << 2));
}

@inline function ld(ok: bool, p: usize): v128 {
  return ok ? v128.load(p) : f32x4.splat(0);
}

// ---- F(4×4, 3×3) ----

// Bᵀ (6×6) on six values, outputs `os` bytes apart from `o`.
@inline function bt6(d0: v128, d1: v128, d2: v128, d3: v128, d4: v128, d5: v128, o: usize, os: usize): void {
  const four = f32x4.splat(4);
  const five = f32x4.splat(5);
  const t1 = f32x4.sub(d4, f32x4.mul(four, d2));
  const t2 = f32x4.sub(d3, f32x4.mul(four, d1));
  const t3 = f32x4.sub(d4, d2);
  const t4 = f32x4.mul(f32x4.splat(2), f32x4.sub(d3, d1));
  v128.store(o, f32x4.add(f32x4.sub(f32x4.mul(four, d0), f32x4.mul(five, d2)), d4));
  v128.store(o + os, f32x4.add(t1, t2));
  v128.store(o + 2 * os, f32x4.sub(t1, t2));
  v128.store(o + 3 * os, f32x4.add(t3, t4));
  v128.store(o + 4 * os, f32x4.sub(t3, t4));
  v128.store(o + 5 * os, f32x4.add(f32x4.sub(f32x4.mul(four, d1), f32x4.mul(five, d3)), d5));
}

// Aᵀ (4×6) on six values.
@inline function at6(m0: v128, m1: v128, m2: v128, m3: v128, m4: v128, m5: v128, o: usize, os: usize): void {
  const s12 = f32x4.add(m1, m2);
  const d12 = f32x4.sub(m1, m2);
  const s34 = f32x4.add(m3, m4);
  const d34 = f32x4.sub(m3, m4);
  v128.store(o, f32x4.add(f32x4.add(m0, s12), s34));
  v128.store(o + os, f32x4.add(d12, f32x4.mul(f32x4.splat(2), d34)));
  v128.store(o + 2 * os, f32x4.add(s12, f32x4.mul(f32x4.splat(4), s34)));
  v128.store(o + 3 * os, f32x4.add(f32x4.add(d12, f32x4.mul(f32x4.splat(8), d34)), m5));
}

// G (6×3) on three values.
@inline function g6(g0: v128, g1: v128, g2: v128, o: usize, os: usize): void {
  const a = f32x4.add(g0, g2);
  const b = f32x4.mul(f32x4.splat(1.0 / 24), g0);
  const c = f32x4.mul(f32x4.splat(1.0 / 6), g2);
  const d = f32x4.mul(f32x4.splat(1.0 / 12), g1);
  v128.store(o, f32x4.mul(f32x4.splat(0.25), g0));
  v128.store(o + os, f32x4.mul(f32x4.splat(-1.0 / 6), f32x4.add(a, g1)));
  v128.store(o + 2 * os, f32x4.mul(f32x4.splat(-1.0 / 6), f32x4.sub(a, g1)));
  v128.store(o + 3 * os, f32x4.add(f32x4.add(b, d), c));
  v128.store(o + 4 * os, f32x4.add(f32x4.sub(b, d), c));
  v128.store(o + 5 * os, g2);
}

// ---- F(2×2, 3×3) ----

@inline function bt4(d0: v128, d1: v128, d2: v128, d3: v128, o: usize, os: usize): void {
  v128.store(o, f32x4.sub(d0, d2));
  v128.store(o + os, f32x4.add(d1, d2));
  v128.store(o + 2 * os, f32x4.sub(d2, d1));
  v128.store(o + 3 * os, f32x4.sub(d1, d3));
}

@inline function at4(m0: v128, m1: v128, m2: v128, m3: v128, o: usize, os: usize): void {
  v128.store(o, f32x4.add(f32x4.add(m0, m1), m2));
  v128.store(o + os, f32x4.sub(f32x4.sub(m1, m2), m3));
}

@inline function g4(g0: v128, g1: v128, g2: v128, o: usize, os: usize): void {
  const a = f32x4.add(g0, g2);
  const half = f32x4.splat(0.5);
  v128.store(o, g0);
  v128.store(o + os, f32x4.mul(half, f32x4.add(a, g1)));
  v128.store(o + 2 * os, f32x4.mul(half, f32x4.sub(a, g1)));
  v128.store(o + 3 * os, g2);
}

// ---- stages ----

/** Bᵀ d B for tiles [t0, t1): an a×a tile (a = m + 2) per tile and 4 channels, written to v[k][t][c]. */
function inputTransform(job: usize, t0: i32, t1: i32, scratch: usize, v: usize): void {
  const m = field(job, J_M);
  const a = m + 2;
  const x = <usize>field(job, J_X);
  const h = field(job, J_H);
  const w = field(job, J_W);
  const c = field(job, J_C);
  const tilesH = (h + m - 1) / m;
  const tilesW = (w + m - 1) / m;
  const per = tilesH * tilesW;
  const tiles = field(job, J_N) * per;
  const rowBytes = <usize>w * <usize>c * 4;
  const posBytes = <usize>tiles * <usize>c * 4; // one position's matrix
  const rs = <usize>a * 16; // scratch row
  for (let t = t0; t < t1; t++) {
    const ty = (t % per) / tilesW;
    const tx = t % tilesW;
    const r0 = ty * m - 1;
    const c0 = tx * m - 1;
    const base = x + <usize>(t / per) * <usize>h * rowBytes;
    const vOff = v + <usize>t * <usize>c * 4;
    for (let g = 0; g < c; g += 4) {
      // Columns: Bᵀ down each of the a columns, into scratch[row][col].
      for (let j = 0; j < a; j++) {
        const cc = c0 + j;
        const okc = cc >= 0 && cc < w;
        const p = base + (<usize>cc * <usize>c + <usize>g) * 4;
        if (m == 4) {
          bt6(
            ld(okc && r0 >= 0, p + <usize>r0 * rowBytes),
            ld(okc && r0 + 1 < h, p + <usize>(r0 + 1) * rowBytes),
            ld(okc && r0 + 2 < h, p + <usize>(r0 + 2) * rowBytes),
            ld(okc && r0 + 3 < h, p + <usize>(r0 + 3) * rowBytes),
            ld(okc && r0 + 4 < h, p + <usize>(r0 + 4) * rowBytes),
            ld(okc && r0 + 5 < h, p + <usize>(r0 + 5) * rowBytes),
            scratch + <usize>j * 16, rs);
        } else {
          bt4(
            ld(okc && r0 >= 0, p + <usize>r0 * rowBytes),
            ld(okc && r0 + 1 < h, p + <usize>(r0 + 1) * rowBytes),
            ld(okc && r0 + 2 < h, p + <usize>(r0 + 2) * rowBytes),
            ld(okc && r0 + 3 < h, p + <usize>(r0 + 3) * rowBytes),
            scratch + <usize>j * 16, rs);
        }
      }
      // Rows: Bᵀ along each row (in place), then position i·a + j to its matrix.
      const dst = vOff + <usize>g * 4;
      for (let i = 0; i < a; i++) {
        const s = scratch + <usize>i * rs;
        if (m == 4) bt6(v128.load(s), v128.load(s, 16), v128.load(s, 32), v128.load(s, 48), v128.load(s, 64), v128.load(s, 80), s, 16);
        else bt4(v128.load(s), v128.load(s, 16), v128.load(s, 32), v128.load(s, 48), s, 16);
        for (let j = 0; j < a; j++) v128.store(dst + <usize>(i * a + j) * posBytes, v128.load(s + <usize>j * 16));
      }
    }
  }
}

/** Aᵀ M A + bias (+ ReLU) for tiles [t0, t1), from mm[k][t][co] into y, the tiles' parts inside the image. */
function outputTransform(job: usize, t0: i32, t1: i32, scratch: usize, g0: i32, g1: i32): void {
  const m = field(job, J_M);
  const a = m + 2;
  const y = <usize>field(job, J_Y);
  const h = field(job, J_H);
  const w = field(job, J_W);
  const co = field(job, J_CO);
  const bias = <usize>field(job, J_BIAS);
  const relu = field(job, J_RELU) != 0;
  const mm = <usize>field(job, J_MM);
  const tilesH = (h + m - 1) / m;
  const tilesW = (w + m - 1) / m;
  const per = tilesH * tilesW;
  const tiles = field(job, J_N) * per;
  const rowBytes = <usize>w * <usize>co * 4;
  const posBytes = <usize>tiles * <usize>co * 4;
  const rs = <usize>a * 16;
  const zero = f32x4.splat(0);
  for (let t = t0; t < t1; t++) {
    const ty = (t % per) / tilesW;
    const tx = t % tilesW;
    const base = y + <usize>(t / per) * <usize>h * rowBytes;
    const rows = min(m, h - ty * m);
    const cols = min(m, w - tx * m);
    const src = mm + <usize>t * <usize>co * 4;
    for (let g = g0; g < g1; g += 4) {
      const p = src + <usize>g * 4;
      // Columns: Aᵀ down each of the a columns (positions i·a + j for i < a), into scratch[row < m][col].
      for (let j = 0; j < a; j++) {
        const q = p + <usize>j * posBytes;
        const step = <usize>a * posBytes;
        if (m == 4) {
          at6(v128.load(q), v128.load(q + step), v128.load(q + 2 * step), v128.load(q + 3 * step), v128.load(q + 4 * step), v128.load(q + 5 * step), scratch + <usize>j * 16, rs);
        } else {
          at4(v128.load(q), v128.load(q + step), v128.load(q + 2 * step), v128.load(q + 3 * step), scratch + <usize>j * 16, rs);
        }
      }
      const b = bias != 0 ? v128.load(bias + <usize>g * 4) : zero;
      for (let i = 0; i < rows; i++) {
        const s = scratch + <usize>i * rs;
        if (m == 4) at6(v128.load(s), v128.load(s, 16), v128.load(s, 32), v128.load(s, 48), v128.load(s, 64), v128.load(s, 80), s, 16);
        else at4(v128.load(s), v128.load(s, 16), v128.load(s, 32), v128.load(s, 48), s, 16);
        const out = base + <usize>(ty * m + i) * rowBytes + (<usize>(tx * m) * <usize>co + <usize>g) * 4;
        for (let j = 0; j < cols; j++) {
          let r = f32x4.add(v128.load(s + <usize>j * 16), b);
          if (relu) r = f32x4.max(r, zero);
          v128.store(out + <usize>j * <usize>co * 4, r);
        }
      }
    }
  }
}

// Four rows of a (at a0 … a3, k values each) times one packed panel [k][8], plus b0 | b1, then max(0, ·) with `relu`:
// 8 accumulators, stored at c, c + ns, c + 2·ns, c + 3·ns.
@inline function panel4(a0: usize, a1: usize, a2: usize, a3: usize, bp: usize, c: usize, k: i32, ns: usize, b0: v128, b1: v128, relu: bool): void {
  let c00 = b0, c01 = b1, c10 = b0, c11 = b1, c20 = b0, c21 = b1, c30 = b0, c31 = b1;
  let pb = bp;
  const end = <usize>k * 4;
  for (let o: usize = 0; o < end; o += 4) {
    const w0 = v128.load(pb);
    const w1 = v128.load(pb, 16);
    const x0 = v128.load32_splat(a0 + o);
    const x1 = v128.load32_splat(a1 + o);
    const x2 = v128.load32_splat(a2 + o);
    const x3 = v128.load32_splat(a3 + o);
    c00 = f32x4.add(c00, f32x4.mul(x0, w0));
    c01 = f32x4.add(c01, f32x4.mul(x0, w1));
    c10 = f32x4.add(c10, f32x4.mul(x1, w0));
    c11 = f32x4.add(c11, f32x4.mul(x1, w1));
    c20 = f32x4.add(c20, f32x4.mul(x2, w0));
    c21 = f32x4.add(c21, f32x4.mul(x2, w1));
    c30 = f32x4.add(c30, f32x4.mul(x3, w0));
    c31 = f32x4.add(c31, f32x4.mul(x3, w1));
    pb += 32;
  }
  if (relu) {
    const z = f32x4.splat(0);
    c00 = f32x4.max(c00, z);
    c01 = f32x4.max(c01, z);
    c10 = f32x4.max(c10, z);
    c11 = f32x4.max(c11, z);
    c20 = f32x4.max(c20, z);
    c21 = f32x4.max(c21, z);
    c30 = f32x4.max(c30, z);
    c31 = f32x4.max(c31, z);
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  v128.store(c + ns, c10);
  v128.store(c + ns, c11, 16);
  v128.store(c + 2 * ns, c20);
  v128.store(c + 2 * ns, c21, 16);
  v128.store(c + 3 * ns, c30);
  v128.store(c + 3 * ns, c31, 16);
}

// One row: as panel4.
@inline function panel1(a: usize, bp: usize, c: usize, k: i32, b0: v128, b1: v128, relu: bool): void {
  let c0 = b0, c1 = b1;
  let pb = bp;
  for (let i = 0; i < k; i++) {
    const x = v128.load32_splat(a + <usize>i * 4);
    c0 = f32x4.add(c0, f32x4.mul(x, v128.load(pb)));
    c1 = f32x4.add(c1, f32x4.mul(x, v128.load(pb, 16)));
    pb += 32;
  }
  if (relu) {
    c0 = f32x4.max(c0, f32x4.splat(0));
    c1 = f32x4.max(c1, f32x4.splat(0));
  }
  v128.store(c, c0);
  v128.store(c, c1, 16);
}

// Rows of a product kept together while every panel passes over them: ≈ 16 KiB of a, in fours.
@inline function blockRows(k: i32): i32 {
  return max(4, (4096 / k) & ~3);
}

/** mm[k][t] = v[k][t] × u[k] for every position k, tiles [t0, t1) and output panels [p0, p1). */
function products(job: usize, t0: i32, t1: i32, p0: i32, p1: i32, v: usize): void {
  const m = field(job, J_M);
  const positions = (m + 2) * (m + 2);
  const c = field(job, J_C);
  const co = field(job, J_CO);
  const h = field(job, J_H);
  const w = field(job, J_W);
  const tiles = field(job, J_N) * ((h + m - 1) / m) * ((w + m - 1) / m);
  const u = <usize>field(job, J_U);
  const mm = <usize>field(job, J_MM);
  const uBytes = <usize>c * <usize>co * 4;
  const panelBytes = <usize>c * 32;
  const zero = f32x4.splat(0);
  const ks = <usize>c * 4;
  const ns = <usize>co * 4;
  const rb = blockRows(c);
  for (let k = 0; k < positions; k++) {
    const a = v + <usize>k * <usize>tiles * ks;
    const out = mm + <usize>k * <usize>tiles * ns;
    const b = u + <usize>k * uBytes;
    for (let r0 = t0; r0 < t1; r0 += rb) {
      const r1 = min(t1, r0 + rb);
      for (let p = p0; p < p1; p++) {
        const bp = b + <usize>p * panelBytes;
        let r = r0;
        for (; r + 4 <= r1; r += 4) {
          const ar = a + <usize>r * ks;
          panel4(ar, ar + ks, ar + 2 * ks, ar + 3 * ks, bp, out + <usize>r * ns + <usize>p * 32, c, ns, zero, zero, false);
        }
        for (; r < r1; r++) panel1(a + <usize>r * ks, bp, out + <usize>r * ns + <usize>p * 32, c, zero, zero, false);
      }
    }
  }
}

// Input address of output pixel r of a pointwise job.
@inline function pixel(x: usize, r: i32, oh: i32, ow: i32, h: i32, w: i32, s: i32, ks: usize): usize {
  const per = oh * ow;
  const img = r / per;
  const q = r % per;
  return x + ((<usize>img * <usize>h + <usize>((q / ow) * s)) * <usize>w + <usize>((q % ow) * s)) * ks;
}

/** Output pixels [r0, r1) and output panels [p0, p1) of a pointwise (1×1) job. */
function pointwise(job: usize, r0: i32, r1: i32, p0: i32, p1: i32): void {
  const x = <usize>field(job, J_X);
  const y = <usize>field(job, J_Y);
  const h = field(job, J_H);
  const w = field(job, J_W);
  const c = field(job, J_C);
  const co = field(job, J_CO);
  const u = <usize>field(job, J_U);
  const bias = <usize>field(job, J_BIAS);
  const relu = field(job, J_RELU) != 0;
  const s = field(job, J_STRIDE);
  const oh = (h + s - 1) / s;
  const ow = (w + s - 1) / s;
  const ks = <usize>c * 4;
  const ns = <usize>co * 4;
  const panelBytes = <usize>c * 32;
  const rb = blockRows(c);
  const zero = f32x4.splat(0);
  for (let b0 = r0; b0 < r1; b0 += rb) {
    const b1 = min(r1, b0 + rb);
    for (let p = p0; p < p1; p++) {
      const bp = u + <usize>p * panelBytes;
      const lo = bias != 0 ? v128.load(bias + <usize>p * 32) : zero;
      const hi = bias != 0 ? v128.load(bias + <usize>p * 32, 16) : zero;
      let r = b0;
      for (; r + 4 <= b1; r += 4) {
        const a0 = pixel(x, r, oh, ow, h, w, s, ks);
        if (s == 1) {
          panel4(a0, a0 + ks, a0 + 2 * ks, a0 + 3 * ks, bp, y + <usize>r * ns + <usize>p * 32, c, ns, lo, hi, relu);
        } else {
          panel4(a0, pixel(x, r + 1, oh, ow, h, w, s, ks), pixel(x, r + 2, oh, ow, h, w, s, ks), pixel(x, r + 3, oh, ow, h, w, s, ks), bp, y + <usize>r * ns + <usize>p * 32, c, ns, lo, hi, relu);
        }
      }
      for (; r < b1; r++) panel1(pixel(x, r, oh, ow, h, w, s, ks), bp, y + <usize>r * ns + <usize>p * 32, c, lo, hi, relu);
    }
  }
}

@inline function share(total: i32, thread: i32, threads: i32): i32 {
  return <i32>((<i64>total * thread) / threads);
}

/**
 * Thread `thread` of `threads`' share of the job. Where the filter is the larger operand (few pixels or tiles, many
 * channels: conv4 and conv5), each thread takes a range of output channels, so that each reads only its part of the
 * filter; a Winograd thread then transforms the whole input into a copy of its own (v + thread · positions · tiles ·
 * c floats), which costs less than reading the whole filter twice. Elsewhere each takes a range of pixels or tiles.
 */
export function run(job: usize, thread: i32, threads: i32): void {
  const co = field(job, J_CO);
  const panels = co / 8;
  if (field(job, J_KIND) == 1) {
    const s = field(job, J_STRIDE);
    const pixels = field(job, J_N) * ((field(job, J_H) + s - 1) / s) * ((field(job, J_W) + s - 1) / s);
    if (co > pixels && panels >= threads) pointwise(job, 0, pixels, share(panels, thread, threads), share(panels, thread + 1, threads));
    else pointwise(job, share(pixels, thread, threads), share(pixels, thread + 1, threads), 0, panels);
    return;
  }
  const m = field(job, J_M);
  const tiles = field(job, J_N) * ((field(job, J_H) + m - 1) / m) * ((field(job, J_W) + m - 1) / m);
  const scratch = <usize>field(job, J_SCRATCH) + (<usize>thread << 10);
  const v = <usize>field(job, J_V);
  if (co > 2 * tiles && panels >= threads) {
    const p0 = share(panels, thread, threads);
    const p1 = share(panels, thread + 1, threads);
    const own = v + <usize>thread * <usize>((m + 2) * (m + 2)) * <usize>tiles * <usize>field(job, J_C) * 4;
    inputTransform(job, 0, tiles, scratch, own);
    products(job, 0, tiles, p0, p1, own);
    outputTransform(job, 0, tiles, scratch, p0 * 8, p1 * 8);
    return;
  }
  const t0 = share(tiles, thread, threads);
  const t1 = share(tiles, thread + 1, threads);
  if (t0 >= t1) return;
  inputTransform(job, t0, t1, scratch, v);
  products(job, t0, t1, 0, panels, v);
  outputTransform(job, t0, t1, scratch, 0, co);
}

/**
 * The filter g (HWIO [3][3][c][co], as tfjs keeps a conv's kernel) as u: G g Gᵀ for each input / output channel
 * pair, `positions` matrices [c][co] packed as [co / 8][c][8]; each output channel times scale[co] when `scale` is
 * not 0 (a BatchNormalization folded in on the way: G (s·g) Gᵀ = s · G g Gᵀ). `scratch`: 1 KiB.
 */
export function transformFilter(g: usize, c: i32, co: i32, m: i32, u: usize, scratch: usize, scale: usize): void {
  const a = m + 2;
  const tap = <usize>c * <usize>co * 4; // one of the nine taps' [c][co]
  const uBytes = <usize>c * <usize>co * 4;
  const rs = <usize>3 * 16;
  // Panel by panel, so that each position's writes run on in order (a few MB apart, 16 or 36 streams).
  for (let o8 = 0; o8 < co; o8 += 8) for (let ci = 0; ci < c; ci++) for (let o = o8; o < o8 + 8; o += 4) {
    {
      const p = g + (<usize>ci * <usize>co + <usize>o) * 4;
      // Columns s: G down the three rows r, into scratch[i][s].
      for (let s = 0; s < 3; s++) {
        const q = p + <usize>s * tap;
        if (m == 4) g6(v128.load(q), v128.load(q + 3 * tap), v128.load(q + 6 * tap), scratch + <usize>s * 16, rs);
        else g4(v128.load(q), v128.load(q + 3 * tap), v128.load(q + 6 * tap), scratch + <usize>s * 16, rs);
      }
      const dst = u + ((<usize>(o >> 3) * <usize>c + <usize>ci) * 8 + <usize>(o & 7)) * 4;
      const out = scratch + 512;
      const k = scale != 0 ? v128.load(scale + <usize>o * 4) : f32x4.splat(1);
      for (let i = 0; i < a; i++) {
        const s = scratch + <usize>i * rs;
        if (m == 4) g6(v128.load(s), v128.load(s, 16), v128.load(s, 32), out, 16);
        else g4(v128.load(s), v128.load(s, 16), v128.load(s, 32), out, 16);
        for (let j = 0; j < a; j++) v128.store(dst + <usize>(i * a + j) * uBytes, f32x4.mul(k, v128.load(out + <usize>j * 16)));
      }
    }
  }
}

/** A 1×1 filter [c][co] as [co / 8][c][8], each output channel times scale[co] when `scale` is not 0. */
export function packPointwise(g: usize, c: i32, co: i32, u: usize, scale: usize): void {
  for (let o = 0; o < co; o += 4) {
    const k = scale != 0 ? v128.load(scale + <usize>o * 4) : f32x4.splat(1);
    const dst = u + (<usize>(o >> 3) * <usize>c * 8 + <usize>(o & 7)) * 4;
    for (let ci = 0; ci < c; ci++) v128.store(dst + <usize>ci * 32, f32x4.mul(k, v128.load(g + (<usize>ci * <usize>co + <usize>o) * 4)));
  }
}
