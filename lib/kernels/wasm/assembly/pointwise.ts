// WebAssembly SIMD element-wise kernels (AssemblyScript): the fused cell
// steps, softmax cross-entropy and the small vector helpers of the Kernels
// interface. Same equations as lib/kernels/js.ts, four lanes at a time; the
// transcendental functions are polynomial approximations accurate to a few
// float32 ulps.

// ----------------------------------------------------------- exp, σ, tanh

// exp(x) = 2^n · p(r), n = round(x / ln 2), r = x − n·ln 2 (Cody–Waite split),
// p a degree-6 polynomial on [−ln2/2, ln2/2]. The rounding uses the
// 1.5·2^23 trick: adding it leaves n in the low mantissa bits, so no
// float-to-int conversion is needed; pmin/pmax are single instructions.
//
// The constants are mutable globals on purpose: V8 rebuilds a v128.const
// inside a loop on every use, while a global.get is one load (measured 1.6×
// faster for exp).
let EXP_HI = f32x4.splat(88.3762626647949);
let EXP_LO = f32x4.splat(-87.3365447504019);
let MAGIC = f32x4.splat(12582912.0); // 1.5 · 2^23
let LOG2E = f32x4.splat(1.44269504088896341);
let LN2_HI = f32x4.splat(0.693359375);
let LN2_LO = f32x4.splat(-2.12194440e-4);
let P0 = f32x4.splat(1.9875691500e-4);
let P1 = f32x4.splat(1.3981999507e-3);
let P2 = f32x4.splat(8.3334519073e-3);
let P3 = f32x4.splat(4.1665795894e-2);
let P4 = f32x4.splat(1.6666665459e-1);
let P5 = f32x4.splat(5.0000001201e-1);
let ONE = f32x4.splat(1);
let MINUS_TWO = f32x4.splat(-2);
let SIGN_BIT = i32x4.splat(0x80000000);

@inline function vexp(x: v128): v128 {
  const magic = MAGIC;
  x = f32x4.pmax(f32x4.pmin(x, EXP_HI), EXP_LO);
  const t = f32x4.add(f32x4.mul(x, LOG2E), magic);
  const n = f32x4.sub(t, magic);
  let r = f32x4.sub(x, f32x4.mul(n, LN2_HI));
  r = f32x4.sub(r, f32x4.mul(n, LN2_LO));
  let p = P0;
  p = f32x4.add(f32x4.mul(p, r), P1);
  p = f32x4.add(f32x4.mul(p, r), P2);
  p = f32x4.add(f32x4.mul(p, r), P3);
  p = f32x4.add(f32x4.mul(p, r), P4);
  p = f32x4.add(f32x4.mul(p, r), P5);
  p = f32x4.add(f32x4.mul(f32x4.mul(p, r), r), f32x4.add(r, ONE));
  // scale by 2^n: the integer n sits in t's low bits; move it to the exponent
  return i32x4.add(p, i32x4.shl(i32x4.sub(t, magic), 23));
}

@inline function vsigmoid(x: v128): v128 {
  const one = ONE;
  return f32x4.div(one, f32x4.add(one, vexp(f32x4.neg(x))));
}

// tanh(x) = sign(x) · (1 − e^{−2|x|}) / (1 + e^{−2|x|}), exact to a few ulps for all x
@inline function vtanh(x: v128): v128 {
  const one = ONE;
  const e = vexp(f32x4.mul(f32x4.abs(x), MINUS_TWO));
  const t = f32x4.div(f32x4.sub(one, e), f32x4.add(one, e));
  // copy the sign of x onto t
  return v128.or(t, v128.and(x, SIGN_BIT));
}

@inline function ld(p: usize): v128 {
  return v128.load(p);
}
@inline function st(p: usize, v: v128): void {
  v128.store(p, v);
}
@inline function lane0(v: v128): f32 {
  return f32x4.extract_lane(v, 0);
}
@inline function sexp(x: f32): f32 {
  return lane0(vexp(f32x4.splat(x)));
}
@inline function ssigmoid(x: f32): f32 {
  return lane0(vsigmoid(f32x4.splat(x)));
}
@inline function stanh(x: f32): f32 {
  return lane0(vtanh(f32x4.splat(x)));
}

/** out[0..n) = exp(x) (exported for tests of the approximation). */
export function exp_f32(x: usize, out: usize, n: i32): void {
  let k = 0;
  for (; k + 4 <= n; k += 4) st(out + (<usize>k << 2), vexp(ld(x + (<usize>k << 2))));
  for (; k < n; k++) store<f32>(out + (<usize>k << 2), sexp(load<f32>(x + (<usize>k << 2))));
}

// ---------------------------------------------------------------- vectors

export function add_inplace(y: usize, x: usize, n: i32): void {
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    const o = <usize>k << 2;
    st(y + o, f32x4.add(ld(y + o), ld(x + o)));
  }
  for (; k < n; k++) {
    const o = <usize>k << 2;
    store<f32>(y + o, load<f32>(y + o) + load<f32>(x + o));
  }
}

export function mul_inplace(y: usize, x: usize, n: i32): void {
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    const o = <usize>k << 2;
    st(y + o, f32x4.mul(ld(y + o), ld(x + o)));
  }
  for (; k < n; k++) {
    const o = <usize>k << 2;
    store<f32>(y + o, load<f32>(y + o) * load<f32>(x + o));
  }
}

/**
 * Adam over elements [k0, k1): m = β1·m + (1 − β1)·g, v = β2·v + (1 − β2)·g²,
 * p −= lr · (m·c1) / (√(v·c2) + ε). The scalars are float32 here.
 */
export function adam_update(
  p: usize, g: usize, m: usize, v: usize, lr: f32, b1: f32, b2: f32, eps: f32, c1: f32, c2: f32,
  k0: i32, k1: i32,
): void {
  const vb1 = f32x4.splat(b1), va1 = f32x4.splat(1 - b1), vb2 = f32x4.splat(b2), va2 = f32x4.splat(1 - b2);
  const vlr = f32x4.splat(lr), veps = f32x4.splat(eps), vc1 = f32x4.splat(c1), vc2 = f32x4.splat(c2);
  let k = k0;
  for (; k + 4 <= k1; k += 4) {
    const o = <usize>k << 2;
    const gk = ld(g + o);
    const mk = f32x4.add(f32x4.mul(vb1, ld(m + o)), f32x4.mul(va1, gk));
    const vk = f32x4.add(f32x4.mul(vb2, ld(v + o)), f32x4.mul(f32x4.mul(va2, gk), gk));
    st(m + o, mk);
    st(v + o, vk);
    const step = f32x4.div(f32x4.mul(vlr, f32x4.mul(mk, vc1)), f32x4.add(f32x4.sqrt(f32x4.mul(vk, vc2)), veps));
    st(p + o, f32x4.sub(ld(p + o), step));
  }
  for (; k < k1; k++) {
    const o = <usize>k << 2;
    const gk = load<f32>(g + o);
    const mk = b1 * load<f32>(m + o) + (1 - b1) * gk;
    const vk = b2 * load<f32>(v + o) + (1 - b2) * gk * gk;
    store<f32>(m + o, mk);
    store<f32>(v + o, vk);
    store<f32>(p + o, load<f32>(p + o) - (lr * (mk * c1)) / (Mathf.sqrt(vk * c2) + eps));
  }
}

/** out[r, :] = table[idx[r], :] (+ bias) for r in [r0, r1). */
export function gather_rows(table: usize, idx: usize, N: i32, out: usize, bias: usize, r0: i32, r1: i32): void {
  const rowBytes = <usize>N << 2;
  for (let r = r0; r < r1; r++) {
    const src = table + <usize>load<i32>(idx + (<usize>r << 2)) * rowBytes;
    const dst = out + <usize>r * rowBytes;
    if (bias == 0) {
      memory.copy(dst, src, rowBytes);
      continue;
    }
    let j = 0;
    for (; j + 4 <= N; j += 4) {
      const o = <usize>j << 2;
      st(dst + o, f32x4.add(ld(src + o), ld(bias + o)));
    }
    for (; j < N; j++) {
      const o = <usize>j << 2;
      store<f32>(dst + o, load<f32>(src + o) + load<f32>(bias + o));
    }
  }
}

/** table[idx[r], :] += src[r, :] for every r (rows may repeat, so single-threaded). */
export function scatter_add_rows(table: usize, idx: usize, R: i32, N: i32, src: usize): void {
  const rowBytes = <usize>N << 2;
  for (let r = 0; r < R; r++) {
    add_inplace(table + <usize>load<i32>(idx + (<usize>r << 2)) * rowBytes, src + <usize>r * rowBytes, N);
  }
}

/** Y[m, :] += bias for m in [m0, m1). */
export function add_row_vector(Y: usize, bias: usize, N: i32, m0: i32, m1: i32): void {
  for (let m = m0; m < m1; m++) add_inplace(Y + (<usize>(m * N) << 2), bias, N);
}

/** dbias[j] += Σ_m dY[m, j] for columns j in [j0, j1); rows stream in memory order. */
export function sum_rows(dY: usize, M: i32, N: i32, dbias: usize, j0: i32, j1: i32): void {
  for (let m = 0; m < M; m++) {
    const row = dY + (<usize>(m * N) << 2);
    let j = j0;
    for (; j + 4 <= j1; j += 4) {
      const o = <usize>j << 2;
      st(dbias + o, f32x4.add(ld(dbias + o), ld(row + o)));
    }
    for (; j < j1; j++) {
      const o = <usize>j << 2;
      store<f32>(dbias + o, load<f32>(dbias + o) + load<f32>(row + o));
    }
  }
}

// ------------------------------------------------------------------- rnn

export function rnn_forward(a: usize, h: usize, n0: i32, n1: i32): void {
  let k = n0;
  for (; k + 4 <= n1; k += 4) st(h + (<usize>k << 2), vtanh(ld(a + (<usize>k << 2))));
  for (; k < n1; k++) store<f32>(h + (<usize>k << 2), stanh(load<f32>(a + (<usize>k << 2))));
}

export function rnn_backward(h: usize, dh: usize, da: usize, n0: i32, n1: i32): void {
  let k = n0;
  for (; k + 4 <= n1; k += 4) {
    const o = <usize>k << 2;
    const hv = ld(h + o);
    st(da + o, f32x4.mul(ld(dh + o), f32x4.sub(f32x4.splat(1), f32x4.mul(hv, hv))));
  }
  for (; k < n1; k++) {
    const o = <usize>k << 2;
    const hv = load<f32>(h + o);
    store<f32>(da + o, load<f32>(dh + o) * (1 - hv * hv));
  }
}

// ------------------------------------------------------------------ lstm
// Rows b in [b0, b1) of a [B, 4H] gate block (i, f, g, o) and [B, H] states.

export function lstm_forward(H: i32, gates: usize, cPrev: usize, c: usize, tanhC: usize, h: usize, b0: i32, b1: i32): void {
  const hb = <usize>H << 2;
  for (let b = b0; b < b1; b++) {
    const g0 = gates + <usize>b * 4 * hb, s0 = <usize>b * hb;
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const o = <usize>j << 2;
      const i = vsigmoid(ld(g0 + o));
      const f = vsigmoid(ld(g0 + hb + o));
      const g = vtanh(ld(g0 + 2 * hb + o));
      const og = vsigmoid(ld(g0 + 3 * hb + o));
      st(g0 + o, i);
      st(g0 + hb + o, f);
      st(g0 + 2 * hb + o, g);
      st(g0 + 3 * hb + o, og);
      const cv = f32x4.add(f32x4.mul(f, ld(cPrev + s0 + o)), f32x4.mul(i, g));
      st(c + s0 + o, cv);
      const tc = vtanh(cv);
      st(tanhC + s0 + o, tc);
      st(h + s0 + o, f32x4.mul(og, tc));
    }
    for (; j < H; j++) {
      const o = <usize>j << 2;
      const i = ssigmoid(load<f32>(g0 + o));
      const f = ssigmoid(load<f32>(g0 + hb + o));
      const g = stanh(load<f32>(g0 + 2 * hb + o));
      const og = ssigmoid(load<f32>(g0 + 3 * hb + o));
      store<f32>(g0 + o, i);
      store<f32>(g0 + hb + o, f);
      store<f32>(g0 + 2 * hb + o, g);
      store<f32>(g0 + 3 * hb + o, og);
      const cv = f * load<f32>(cPrev + s0 + o) + i * g;
      store<f32>(c + s0 + o, cv);
      const tc = stanh(cv);
      store<f32>(tanhC + s0 + o, tc);
      store<f32>(h + s0 + o, og * tc);
    }
  }
}

export function lstm_backward(
  H: i32, gates: usize, cPrev: usize, tanhC: usize, dh: usize, dc: usize, dgates: usize, b0: i32, b1: i32,
): void {
  const hb = <usize>H << 2;
  const one = ONE;
  for (let b = b0; b < b1; b++) {
    const g0 = gates + <usize>b * 4 * hb, d0 = dgates + <usize>b * 4 * hb, s0 = <usize>b * hb;
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const o = <usize>j << 2;
      const i = ld(g0 + o), f = ld(g0 + hb + o), g = ld(g0 + 2 * hb + o), og = ld(g0 + 3 * hb + o);
      const tc = ld(tanhC + s0 + o), dhv = ld(dh + s0 + o);
      const dcv = f32x4.add(ld(dc + s0 + o), f32x4.mul(f32x4.mul(dhv, og), f32x4.sub(one, f32x4.mul(tc, tc))));
      st(d0 + o, f32x4.mul(f32x4.mul(dcv, g), f32x4.mul(i, f32x4.sub(one, i))));
      st(d0 + hb + o, f32x4.mul(f32x4.mul(dcv, ld(cPrev + s0 + o)), f32x4.mul(f, f32x4.sub(one, f))));
      st(d0 + 2 * hb + o, f32x4.mul(f32x4.mul(dcv, i), f32x4.sub(one, f32x4.mul(g, g))));
      st(d0 + 3 * hb + o, f32x4.mul(f32x4.mul(dhv, tc), f32x4.mul(og, f32x4.sub(one, og))));
      st(dc + s0 + o, f32x4.mul(dcv, f));
    }
    for (; j < H; j++) {
      const o = <usize>j << 2;
      const i = load<f32>(g0 + o), f = load<f32>(g0 + hb + o);
      const g = load<f32>(g0 + 2 * hb + o), og = load<f32>(g0 + 3 * hb + o);
      const tc = load<f32>(tanhC + s0 + o), dhv = load<f32>(dh + s0 + o);
      const dcv = load<f32>(dc + s0 + o) + dhv * og * (1 - tc * tc);
      store<f32>(d0 + o, dcv * g * i * (1 - i));
      store<f32>(d0 + hb + o, dcv * load<f32>(cPrev + s0 + o) * f * (1 - f));
      store<f32>(d0 + 2 * hb + o, dcv * i * (1 - g * g));
      store<f32>(d0 + 3 * hb + o, dhv * tc * og * (1 - og));
      store<f32>(dc + s0 + o, dcv * f);
    }
  }
}

// ------------------------------------------------------------------- gru

export function gru_forward(
  H: i32, xg: usize, hg: usize, bhn: usize, hPrev: usize, gates: usize, hn: usize, h: usize, b0: i32, b1: i32,
): void {
  const hb = <usize>H << 2;
  const one = ONE;
  for (let b = b0; b < b1; b++) {
    const x0 = xg + <usize>b * 3 * hb, r0 = hg + <usize>b * 3 * hb, g0 = gates + <usize>b * 3 * hb;
    const s0 = <usize>b * hb;
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const o = <usize>j << 2;
      const r = vsigmoid(f32x4.add(ld(x0 + o), ld(r0 + o)));
      const z = vsigmoid(f32x4.add(ld(x0 + hb + o), ld(r0 + hb + o)));
      const hnv = f32x4.add(ld(r0 + 2 * hb + o), ld(bhn + o));
      const n = vtanh(f32x4.add(ld(x0 + 2 * hb + o), f32x4.mul(r, hnv)));
      st(g0 + o, r);
      st(g0 + hb + o, z);
      st(g0 + 2 * hb + o, n);
      st(hn + s0 + o, hnv);
      st(h + s0 + o, f32x4.add(f32x4.mul(f32x4.sub(one, z), n), f32x4.mul(z, ld(hPrev + s0 + o))));
    }
    for (; j < H; j++) {
      const o = <usize>j << 2;
      const r = ssigmoid(load<f32>(x0 + o) + load<f32>(r0 + o));
      const z = ssigmoid(load<f32>(x0 + hb + o) + load<f32>(r0 + hb + o));
      const hnv = load<f32>(r0 + 2 * hb + o) + load<f32>(bhn + o);
      const n = stanh(load<f32>(x0 + 2 * hb + o) + r * hnv);
      store<f32>(g0 + o, r);
      store<f32>(g0 + hb + o, z);
      store<f32>(g0 + 2 * hb + o, n);
      store<f32>(hn + s0 + o, hnv);
      store<f32>(h + s0 + o, (1 - z) * n + z * load<f32>(hPrev + s0 + o));
    }
  }
}

export function gru_backward(
  H: i32, gates: usize, hn: usize, hPrev: usize, dh: usize, dxg: usize, dhg: usize, dhPrev: usize, b0: i32, b1: i32,
): void {
  const hb = <usize>H << 2;
  const one = ONE;
  for (let b = b0; b < b1; b++) {
    const g0 = gates + <usize>b * 3 * hb, x0 = dxg + <usize>b * 3 * hb, h0 = dhg + <usize>b * 3 * hb;
    const s0 = <usize>b * hb;
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const o = <usize>j << 2;
      const r = ld(g0 + o), z = ld(g0 + hb + o), n = ld(g0 + 2 * hb + o);
      const dhv = ld(dh + s0 + o);
      const dnPre = f32x4.mul(f32x4.mul(dhv, f32x4.sub(one, z)), f32x4.sub(one, f32x4.mul(n, n)));
      const dzPre = f32x4.mul(
        f32x4.mul(dhv, f32x4.sub(ld(hPrev + s0 + o), n)),
        f32x4.mul(z, f32x4.sub(one, z)),
      );
      const drPre = f32x4.mul(f32x4.mul(dnPre, ld(hn + s0 + o)), f32x4.mul(r, f32x4.sub(one, r)));
      st(x0 + o, drPre);
      st(x0 + hb + o, dzPre);
      st(x0 + 2 * hb + o, dnPre);
      st(h0 + o, drPre);
      st(h0 + hb + o, dzPre);
      st(h0 + 2 * hb + o, f32x4.mul(dnPre, r));
      st(dhPrev + s0 + o, f32x4.mul(dhv, z));
    }
    for (; j < H; j++) {
      const o = <usize>j << 2;
      const r = load<f32>(g0 + o), z = load<f32>(g0 + hb + o), n = load<f32>(g0 + 2 * hb + o);
      const dhv = load<f32>(dh + s0 + o);
      const dnPre = dhv * (1 - z) * (1 - n * n);
      const dzPre = dhv * (load<f32>(hPrev + s0 + o) - n) * z * (1 - z);
      const drPre = dnPre * load<f32>(hn + s0 + o) * r * (1 - r);
      store<f32>(x0 + o, drPre);
      store<f32>(x0 + hb + o, dzPre);
      store<f32>(x0 + 2 * hb + o, dnPre);
      store<f32>(h0 + o, drPre);
      store<f32>(h0 + hb + o, dzPre);
      store<f32>(h0 + 2 * hb + o, dnPre * r);
      store<f32>(dhPrev + s0 + o, dhv * z);
    }
  }
}

// ------------------------------------------------------- softmax x-entropy

/** Rows [r0, r1): probs = softmax(logits), losses[r] = −log probs[r, t]. */
export function softmax_xent_forward(
  logits: usize, targets: usize, V: i32, probs: usize, losses: usize, r0: i32, r1: i32,
): void {
  const vb = <usize>V << 2;
  for (let r = r0; r < r1; r++) {
    const row = logits + <usize>r * vb, prow = probs + <usize>r * vb;
    let mx: f32 = -Infinity;
    for (let v = 0; v < V; v++) mx = max(mx, load<f32>(row + (<usize>v << 2)));
    const zt = load<f32>(row + (<usize>load<i32>(targets + (<usize>r << 2)) << 2)) - mx;
    const mv = f32x4.splat(mx);
    let sv = f32x4.splat(0);
    let v = 0;
    for (; v + 4 <= V; v += 4) {
      const e = vexp(f32x4.sub(ld(row + (<usize>v << 2)), mv));
      st(prow + (<usize>v << 2), e);
      sv = f32x4.add(sv, e);
    }
    let sum: f32 = f32x4.extract_lane(sv, 0) + f32x4.extract_lane(sv, 1) +
      f32x4.extract_lane(sv, 2) + f32x4.extract_lane(sv, 3);
    for (; v < V; v++) {
      const e = sexp(load<f32>(row + (<usize>v << 2)) - mx);
      store<f32>(prow + (<usize>v << 2), e);
      sum += e;
    }
    store<f32>(losses + (<usize>r << 2), <f32>Math.log(<f64>sum) - zt);
    const inv = f32x4.splat(1 / sum);
    v = 0;
    for (; v + 4 <= V; v += 4) st(prow + (<usize>v << 2), f32x4.mul(ld(prow + (<usize>v << 2)), inv));
    for (; v < V; v++) store<f32>(prow + (<usize>v << 2), load<f32>(prow + (<usize>v << 2)) / sum);
  }
}

/** Rows [r0, r1): dlogits = scale · (probs − onehot(targets)). */
export function softmax_xent_backward(
  probs: usize, targets: usize, V: i32, scale: f32, dlogits: usize, r0: i32, r1: i32,
): void {
  const vb = <usize>V << 2;
  const sv = f32x4.splat(scale);
  for (let r = r0; r < r1; r++) {
    const prow = probs + <usize>r * vb, drow = dlogits + <usize>r * vb;
    let v = 0;
    for (; v + 4 <= V; v += 4) st(drow + (<usize>v << 2), f32x4.mul(ld(prow + (<usize>v << 2)), sv));
    for (; v < V; v++) store<f32>(drow + (<usize>v << 2), load<f32>(prow + (<usize>v << 2)) * scale);
    const t = drow + (<usize>load<i32>(targets + (<usize>r << 2)) << 2);
    store<f32>(t, load<f32>(t) - scale);
  }
}
