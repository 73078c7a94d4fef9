// WebAssembly SIMD GEMM kernels (AssemblyScript). Row-major float32 matrices
// addressed by byte pointers into the shared linear memory. Each kernel
// computes the rows [i0, i1) of C so two threads can split one product.
//
//   gemm_packed:    C[M,N] (+)= op(A) · op(B), any strides, packed panels
//   gemm_prepacked: C[M,N] (+)= A[M,K] · op(B), op(B) packed once by pack_panels
//   gemm_nt:        C[M,N] (+)= A[M,K] · B[N,K]ᵀ, dot products of rows
//
// The inner dimension is walked in blocks of KC so the packed block of B
// stays in cache while the rows of A stream past; register tiles are 4×8
// (packed) and 2×4 (nt, dot products reduced across lanes at the end).

const KC: i32 = 256;

@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

@inline function ld(p: usize): v128 {
  return v128.load(p);
}

@inline function st(p: usize, v: v128): void {
  v128.store(p, v);
}

// ------------------------------------------------------------------ packed
// GotoBLAS-style blocking for large products: a block of op(A) (MC rows ×
// KC) is packed into panels of 4 rows interleaved along k, and a panel of
// op(B) (KC × 8) into 8 columns interleaved along k, so the 4×8 register
// tile streams two contiguous buffers whatever the stored layout (and no
// stride walks a single cache set). Edges are zero-padded in the panels.

export const MC: i32 = 128;
/** Floats of scratch one thread needs for packed_gemm. */
export function packed_scratch_floats(): i32 {
  return MC * KC + KC * 8;
}

// op(X)[r, k] = X[r*sr + k*sk] (strides in elements)
function packA(dst: usize, X: usize, sr: i32, sk: i32, r0: i32, rows: i32, k0: i32, kb: i32): void {
  // rows [r0, r0+rows) → panels of 4: dst[(p*kb + k)*4 + q] = op(X)[r0 + 4p + q, k0 + k]
  const panels = (rows + 3) >> 2;
  for (let p = 0; p < panels; p++) {
    for (let q = 0; q < 4; q++) {
      const r = 4 * p + q;
      let d = dst + (<usize>(p * kb * 4 + q) << 2);
      if (r >= rows) {
        for (let k = 0; k < kb; k++) { store<f32>(d, 0); d += 16; }
        continue;
      }
      let src = X + (<usize>((r0 + r) * sr + k0 * sk) << 2);
      const step = <usize>sk << 2;
      for (let k = 0; k < kb; k++) { store<f32>(d, load<f32>(src)); d += 16; src += step; }
    }
  }
}

function packB(dst: usize, X: usize, sk: i32, sj: i32, j0: i32, cols: i32, k0: i32, kb: i32): void {
  // dst[k*8 + q] = op(B)[k0 + k, j0 + q], zero past `cols`
  if (sj == 1 && cols == 8) {
    let src = X + (<usize>(k0 * sk + j0) << 2);
    const step = <usize>sk << 2;
    let d = dst;
    for (let k = 0; k < kb; k++) {
      v128.store(d, v128.load(src));
      v128.store(d + 16, v128.load(src + 16));
      d += 32;
      src += step;
    }
    return;
  }
  for (let q = 0; q < 8; q++) {
    let d = dst + (<usize>q << 2);
    if (q >= cols) {
      for (let k = 0; k < kb; k++) { store<f32>(d, 0); d += 32; }
      continue;
    }
    let src = X + (<usize>(k0 * sk + (j0 + q) * sj) << 2);
    const step = <usize>sk << 2;
    for (let k = 0; k < kb; k++) { store<f32>(d, load<f32>(src)); d += 32; src += step; }
  }
}

@inline function micro4x8(pa: usize, pb: usize, kb: i32, C: usize, N: i32, rows: i32, cols: i32, loadC: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const end = pb + (<usize>kb << 5);
  while (pb < end) {
    const b0 = ld(pb), b1 = ld(pb + 16);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa + 4);
    c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa + 8);
    c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
    a = v128.load32_splat(pa + 12);
    c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
    pa += 16;
    pb += 32;
  }
  const rs = <usize>N << 2;
  storeTile(C, rs, 0, c00, c01, cols, loadC);
  if (rows > 1) storeTile(C, rs, 1, c10, c11, cols, loadC);
  if (rows > 2) storeTile(C, rs, 2, c20, c21, cols, loadC);
  if (rows > 3) storeTile(C, rs, 3, c30, c31, cols, loadC);
}

/**
 * Packed GEMM over rows [i0, i1) of C: `C (+)= op(A)·op(B)` with
 * op(A)[i,k] = A[i*sai + k*sak], op(B)[k,j] = B[k*sbk + j*sbj].
 * `scratch` holds packed_scratch_floats() floats private to the calling thread.
 */
export function gemm_packed(
  M: i32, N: i32, K: i32, A: usize, sai: i32, sak: i32, B: usize, sbk: i32, sbj: i32,
  C: usize, acc: i32, scratch: usize, i0: i32, i1: i32,
): void {
  const pa = scratch, pb = scratch + (<usize>(MC * KC) << 2);
  if (K == 0) {
    if (!acc) memory.fill(C + (<usize>(i0 * N) << 2), 0, <usize>((i1 - i0) * N) << 2);
    return;
  }
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kb = min(KC, K - k0);
    const loadC = acc != 0 || k0 > 0;
    for (let m0 = i0; m0 < i1; m0 += MC) {
      const mb = min(MC, i1 - m0);
      packA(pa, A, sai, sak, m0, mb, k0, kb);
      for (let j0 = 0; j0 < N; j0 += 8) {
        const cols = min(8, N - j0);
        packB(pb, B, sbk, sbj, j0, cols, k0, kb);
        for (let r0 = 0; r0 < mb; r0 += 4) {
          micro4x8(
            pa + (<usize>(r0 * kb) << 2), pb, kb,
            C + (<usize>((m0 + r0) * N + j0) << 2), N, min(4, mb - r0), cols, loadC,
          );
        }
      }
    }
  }
}

// --------------------------------------------------------------- prepacked
// A right-hand matrix used by many products in a row (Wh over the T steps of
// a chunk, forward and backward) is packed once into 8-column panels laid
// out along k: dst[(p·K + k)·8 + q] = op(B)[k, 8p + q], zero past N. Each
// product then streams one contiguous panel per 8 columns of C.

/** Packs op(B) [K, N] (op(B)[k,j] = B[k*sbk + j*sbj]) into 8-column panels at `dst`. */
export function pack_panels(B: usize, K: i32, N: i32, sbk: i32, sbj: i32, dst: usize): void {
  for (let j0 = 0; j0 < N; j0 += 8) {
    packB(dst + (<usize>(j0 * K) << 2), B, sbk, sbj, j0, min(8, N - j0), 0, K);
  }
}

@inline function storeTile(C: usize, rs: usize, r: i32, lo: v128, hi: v128, cols: i32, loadC: bool): void {
  const row = C + <usize>r * rs;
  if (cols == 8) {
    st(row, loadC ? f32x4.add(ld(row), lo) : lo);
    st(row + 16, loadC ? f32x4.add(ld(row + 16), hi) : hi);
    return;
  }
  for (let q = 0; q < cols; q++) {
    let v: f32;
    switch (q) {
      case 0: v = f32x4.extract_lane(lo, 0); break;
      case 1: v = f32x4.extract_lane(lo, 1); break;
      case 2: v = f32x4.extract_lane(lo, 2); break;
      case 3: v = f32x4.extract_lane(lo, 3); break;
      case 4: v = f32x4.extract_lane(hi, 0); break;
      case 5: v = f32x4.extract_lane(hi, 1); break;
      case 6: v = f32x4.extract_lane(hi, 2); break;
      default: v = f32x4.extract_lane(hi, 3);
    }
    const p = row + (<usize>q << 2);
    store<f32>(p, loadC ? load<f32>(p) + v : v);
  }
}

/** C[i0..i1, :] (+)= A[M, K] · op(B) with op(B) prepacked by pack_panels. */
export function gemm_prepacked(M: i32, N: i32, K: i32, A: usize, P: usize, C: usize, acc: i32, i0: i32, i1: i32): void {
  gemm_prepacked_cols(M, N, K, A, P, C, acc, i0, i1, 0, (N + 7) >> 3);
}

/**
 * As gemm_prepacked, for the 8-column panels [p0, p1) only: a product of a
 * few rows (batch 1 when recording or sampling) splits across threads by columns.
 */
export function gemm_prepacked_cols(
  M: i32, N: i32, K: i32, A: usize, P: usize, C: usize, acc: i32, i0: i32, i1: i32, p0: i32, p1: i32,
): void {
  const jStart = p0 << 3, jEnd = min(N, p1 << 3);
  const rs = <usize>N << 2, ks = <usize>K << 2;
  const loadC = acc != 0;
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const a0 = A + <usize>i * ks;
    for (let j0 = jStart; j0 < jEnd; j0 += 8) {
      let pb = P + (<usize>(j0 * K) << 2);
      const end = pb + (<usize>K << 5);
      let pa = a0;
      let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
      let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
      let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
      let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
      while (pb < end) {
        const b0 = ld(pb), b1 = ld(pb + 16);
        let a = v128.load32_splat(pa);
        c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
        a = v128.load32_splat(pa + ks);
        c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
        a = v128.load32_splat(pa + 2 * ks);
        c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
        a = v128.load32_splat(pa + 3 * ks);
        c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
        pb += 32;
        pa += 4;
      }
      const c0 = C + (<usize>(i * N + j0) << 2);
      const cols = min(8, N - j0);
      storeTile(c0, rs, 0, c00, c01, cols, loadC);
      storeTile(c0, rs, 1, c10, c11, cols, loadC);
      storeTile(c0, rs, 2, c20, c21, cols, loadC);
      storeTile(c0, rs, 3, c30, c31, cols, loadC);
    }
  }
  for (; i < i1; i++) {
    const a0 = A + <usize>i * ks;
    for (let j0 = jStart; j0 < jEnd; j0 += 8) {
      let pb = P + (<usize>(j0 * K) << 2);
      const end = pb + (<usize>K << 5);
      let pa = a0;
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0), t0 = f32x4.splat(0), t1 = f32x4.splat(0);
      // two k per pass: two independent accumulator pairs hide the FMA latency
      while (pb + 32 < end) {
        const a = v128.load32_splat(pa), b = v128.load32_splat(pa + 4);
        s0 = madd(a, ld(pb), s0); s1 = madd(a, ld(pb + 16), s1);
        t0 = madd(b, ld(pb + 32), t0); t1 = madd(b, ld(pb + 48), t1);
        pb += 64;
        pa += 8;
      }
      if (pb < end) {
        const a = v128.load32_splat(pa);
        s0 = madd(a, ld(pb), s0); s1 = madd(a, ld(pb + 16), s1);
      }
      storeTile(C + (<usize>(i * N + j0) << 2), rs, 0, f32x4.add(s0, t0), f32x4.add(s1, t1), min(8, N - j0), loadC);
    }
  }
}

// ---------------------------------------------------------------------- nt

@inline function hsum4(a: v128, b: v128, c: v128, d: v128): v128 {
  // [Σa, Σb, Σc, Σd]
  const ab = f32x4.add(v128.shuffle<f32>(a, b, 0, 4, 2, 6), v128.shuffle<f32>(a, b, 1, 5, 3, 7));
  const cd = f32x4.add(v128.shuffle<f32>(c, d, 0, 4, 2, 6), v128.shuffle<f32>(c, d, 1, 5, 3, 7));
  return f32x4.add(v128.shuffle<f32>(ab, cd, 0, 1, 4, 5), v128.shuffle<f32>(ab, cd, 2, 3, 6, 7));
}

function dot(K: i32, pa: usize, pb: usize): f32 {
  const K4 = K & ~3;
  let s = f32x4.splat(0);
  for (let k = 0; k < K4; k += 4) s = madd(ld(pa + (<usize>k << 2)), ld(pb + (<usize>k << 2)), s);
  let r = f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) +
    f32x4.extract_lane(s, 3);
  for (let k = K4; k < K; k++) r += load<f32>(pa + (<usize>k << 2)) * load<f32>(pb + (<usize>k << 2));
  return r;
}

export function gemm_nt(M: i32, N: i32, K: i32, A: usize, B: usize, C: usize, acc: i32, i0: i32, i1: i32): void {
  const K4 = K & ~3, N4 = N & ~3;
  const ks = <usize>K << 2;
  let i = i0;
  for (; i + 2 <= i1; i += 2) {
    const a0p = A + <usize>i * ks, a1p = a0p + ks;
    for (let j = 0; j < N4; j += 4) {
      const b0p = B + <usize>j * ks, b1p = b0p + ks, b2p = b1p + ks, b3p = b2p + ks;
      let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s02 = f32x4.splat(0), s03 = f32x4.splat(0);
      let s10 = f32x4.splat(0), s11 = f32x4.splat(0), s12 = f32x4.splat(0), s13 = f32x4.splat(0);
      for (let k = 0; k < K4; k += 4) {
        const o = <usize>k << 2;
        const a0 = ld(a0p + o), a1 = ld(a1p + o);
        const b0 = ld(b0p + o), b1 = ld(b1p + o), b2 = ld(b2p + o), b3 = ld(b3p + o);
        s00 = madd(a0, b0, s00); s01 = madd(a0, b1, s01); s02 = madd(a0, b2, s02); s03 = madd(a0, b3, s03);
        s10 = madd(a1, b0, s10); s11 = madd(a1, b1, s11); s12 = madd(a1, b2, s12); s13 = madd(a1, b3, s13);
      }
      let r0 = hsum4(s00, s01, s02, s03), r1 = hsum4(s10, s11, s12, s13);
      for (let k = K4; k < K; k++) {
        const o = <usize>k << 2;
        const a0 = v128.load32_splat(a0p + o), a1 = v128.load32_splat(a1p + o);
        const b = f32x4(load<f32>(b0p + o), load<f32>(b1p + o), load<f32>(b2p + o), load<f32>(b3p + o));
        r0 = madd(a0, b, r0);
        r1 = madd(a1, b, r1);
      }
      const c0 = C + (<usize>(i * N + j) << 2), c1 = c0 + (<usize>N << 2);
      st(c0, acc ? f32x4.add(ld(c0), r0) : r0);
      st(c1, acc ? f32x4.add(ld(c1), r1) : r1);
    }
    for (let j = N4; j < N; j++) {
      const bp = B + <usize>j * ks;
      const c0 = C + (<usize>(i * N + j) << 2), c1 = c0 + (<usize>N << 2);
      store<f32>(c0, (acc ? load<f32>(c0) : 0) + dot(K, a0p, bp));
      store<f32>(c1, (acc ? load<f32>(c1) : 0) + dot(K, a1p, bp));
    }
  }
  for (; i < i1; i++) {
    const ap = A + <usize>i * ks;
    for (let j = 0; j < N; j++) {
      const c0 = C + (<usize>(i * N + j) << 2);
      store<f32>(c0, (acc ? load<f32>(c0) : 0) + dot(K, ap, B + <usize>j * ks));
    }
  }
}
