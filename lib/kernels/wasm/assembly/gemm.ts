// WebAssembly SIMD GEMM kernels (AssemblyScript). Row-major float32 matrices
// addressed by byte pointers into the shared linear memory. Every kernel
// computes one part of C (a range of rows, or of 8-column panels), so the
// threads of the pool can share one product by claiming parts.
//
//   gemm_packed:   C[M,N] (+)= op(A) · op(B), any strides, both packed on the fly
//   pack_panels:   packs a right-hand op(B) once (recurrent weights)
//   gemm_prepacked: C (+)= A · op(B) over a range of column panels, op(B) prepacked
//   gemm_rows_direct: C (+)= A · B for a few rows, B read in place
//
// The register tile is 6 rows × 8 columns: twelve f32x4 accumulators, two
// loads of B and six broadcasts of A per k. On x64 V8 has sixteen vector
// registers, so 6×8 is the largest tile that does not spill; it measured 1.2×
// the 4×8 tile (and 1.7× the 4×12 and 3×16 tiles, which spill).

const KC: i32 = 256;
/** Rows of C per register tile. */
const MR: i32 = 6;
/**
 * Rows of op(A) packed per block of the on-the-fly GEMM (a multiple of MR):
 * 240 × KC floats (240 KB) stay in L2, and every block packs the panels of B
 * again, so larger blocks pack B fewer times (1.07–1.10× on the 2×256
 * training step against 120, measured back to back).
 */
export const MC: i32 = 240;

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

/** Floats of scratch one thread needs for gemm_packed. */
export function packed_scratch_floats(): i32 {
  return MC * KC + KC * 8;
}

// ------------------------------------------------------------------ packing
// A block of op(A) is packed into panels of MR rows interleaved along k, and
// a block of op(B) into panels of 8 columns interleaved along k, so the
// register tile streams two contiguous buffers whatever the stored layout
// (and no stride walks a single cache set). Edges are zero-padded.

// op(X)[r, k] = X[r*sr + k*sk] (strides in elements).
// Rows [r0, r0+rows), k in [k0, k0+kb) → dst[(p*kb + k)*MR + q] = op(X)[r0 + MR·p + q, k0 + k]
function packA(dst: usize, X: usize, sr: i32, sk: i32, r0: i32, rows: i32, k0: i32, kb: i32): void {
  const panels = (rows + MR - 1) / MR;
  const step = <usize>sk << 2;
  for (let p = 0; p < panels; p++) {
    for (let q = 0; q < MR; q++) {
      const r = MR * p + q;
      let d = dst + (<usize>(p * kb * MR + q) << 2);
      if (r >= rows) {
        for (let k = 0; k < kb; k++) { store<f32>(d, 0); d += MR << 2; }
        continue;
      }
      let src = X + (<usize>((r0 + r) * sr + k0 * sk) << 2);
      for (let k = 0; k < kb; k++) { store<f32>(d, load<f32>(src)); d += MR << 2; src += step; }
    }
  }
}

// dst[k*8 + q] = op(X)[k0 + k, j0 + q] with op(X)[k, j] = X[k*sk + j*sj], zero past `cols`
function packB(dst: usize, X: usize, sk: i32, sj: i32, j0: i32, cols: i32, k0: i32, kb: i32): void {
  if (cols == 8 && sj == 1) {
    // rows of op(B) are contiguous: two vector copies per k
    let src = X + (<usize>(k0 * sk + j0) << 2);
    const step = <usize>sk << 2;
    let d = dst;
    for (let k = 0; k < kb; k++) {
      st(d, ld(src));
      st(d + 16, ld(src + 16));
      d += 32;
      src += step;
    }
    return;
  }
  let k = 0;
  if (cols == 8 && sk == 1) {
    // op(B) = Xᵀ with X's rows contiguous along k: transpose 4×4 blocks
    const rs = <usize>sj << 2;
    for (; k + 4 <= kb; k += 4) {
      for (let half = 0; half < 2; half++) {
        const s = X + (<usize>((j0 + 4 * half) * sj + k0 + k) << 2);
        const r0 = ld(s), r1 = ld(s + rs), r2 = ld(s + 2 * rs), r3 = ld(s + 3 * rs);
        const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
        const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7), t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
        const d = dst + (<usize>(k * 8 + 4 * half) << 2);
        st(d, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
        st(d + 32, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
        st(d + 64, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
        st(d + 96, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
      }
    }
  }
  // general strides, the remaining k, and partial panels
  for (let q = 0; q < 8; q++) {
    let d = dst + (<usize>(k * 8 + q) << 2);
    if (q >= cols) {
      for (let kk = k; kk < kb; kk++) { store<f32>(d, 0); d += 32; }
      continue;
    }
    let src = X + (<usize>((k0 + k) * sk + (j0 + q) * sj) << 2);
    const step = <usize>sk << 2;
    for (let kk = k; kk < kb; kk++) { store<f32>(d, load<f32>(src)); d += 32; src += step; }
  }
}

/** Packs op(B) [K, N] (op(B)[k,j] = B[k*sbk + j*sbj]) into 8-column panels at `dst`: dst[(p·K + k)·8 + q]. */
export function pack_panels(B: usize, K: i32, N: i32, sbk: i32, sbj: i32, dst: usize): void {
  for (let j0 = 0; j0 < N; j0 += 8) {
    packB(dst + (<usize>(j0 * K) << 2), B, sbk, sbj, j0, min(8, N - j0), 0, K);
  }
}


// ------------------------------------------------------------- micro-kernel

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

// C[0..rows, 0..cols] (+)= six rows of A over kb · panel of B (kb × 8).
// Row r of A at step k is at pa + r·rowStep + k·kStep bytes: a packed panel
// (rowStep 4, kStep 24) or rows read in place (rowStep = K·4, kStep 4). It
// is inlined with those constants, so the packed loop keeps its immediate
// offsets.
@inline function micro6x8(
  pa: usize, rowStep: usize, kStep: usize, pb: usize, kb: i32, C: usize, N: i32, rows: i32, cols: i32, loadC: bool,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  let c50 = f32x4.splat(0), c51 = f32x4.splat(0);
  const end = pb + (<usize>kb << 5);
  const r2 = rowStep * 2, r3 = rowStep * 3, r4 = rowStep * 4, r5 = rowStep * 5;
  while (pb < end) {
    const b0 = ld(pb), b1 = ld(pb + 16);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa + rowStep);
    c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa + r2);
    c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
    a = v128.load32_splat(pa + r3);
    c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
    a = v128.load32_splat(pa + r4);
    c40 = madd(a, b0, c40); c41 = madd(a, b1, c41);
    a = v128.load32_splat(pa + r5);
    c50 = madd(a, b0, c50); c51 = madd(a, b1, c51);
    pa += kStep;
    pb += 32;
  }
  const rs = <usize>N << 2;
  storeTile(C, rs, 0, c00, c01, cols, loadC);
  if (rows > 1) storeTile(C, rs, 1, c10, c11, cols, loadC);
  if (rows > 2) storeTile(C, rs, 2, c20, c21, cols, loadC);
  if (rows > 3) storeTile(C, rs, 3, c30, c31, cols, loadC);
  if (rows > 4) storeTile(C, rs, 4, c40, c41, cols, loadC);
  if (rows > 5) storeTile(C, rs, 5, c50, c51, cols, loadC);
}

// C[row, 0..cols] (+)= a row of A read in place (K floats) · panel of B (K × 8).
@inline function rowTimesPanel(pa: usize, pb: usize, K: i32, C: usize, cols: i32, loadC: bool): void {
  const end = pb + (<usize>K << 5);
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
  storeTile(C, 0, 0, f32x4.add(s0, t0), f32x4.add(s1, t1), cols, loadC);
}

// ------------------------------------------------------------------- GEMMs

/**
 * Rows [i0, i1) of `C (+)= op(A)·op(B)` with op(A)[i,k] = A[i*sai + k*sak]
 * and op(B)[k,j] = B[k*sbk + j*sbj]. Blocks of op(A) (MC × KC) and panels of
 * op(B) (KC × 8) are packed into `scratch` (packed_scratch_floats() floats,
 * private to the calling thread).
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
        for (let r0 = 0; r0 < mb; r0 += MR) {
          micro6x8(
            pa + (<usize>(r0 * kb) << 2), 4, 24, pb, kb,
            C + (<usize>((m0 + r0) * N + j0) << 2), N, min(MR, mb - r0), cols, loadC,
          );
        }
      }
    }
  }
}

/**
 * The 8-column panels [p0, p1) of `C (+)= A·op(B)`, A [M, K] row-major read
 * in place (six rows at a time), op(B) packed by
 * pack_panels at `P`. Each panel of B is read once and stays in cache while
 * every row of A passes it; leftover rows (and batch 1) read A in place.
 * Two threads split a product by panels, so a batch of one row splits too.
 */
export function gemm_prepacked(
  M: i32, N: i32, K: i32, A: usize, P: usize, C: usize, acc: i32, p0: i32, p1: i32,
): void {
  const rs = <usize>N << 2, ks = <usize>K << 2;
  const loadC = acc != 0;
  const full = (M / MR) * MR;
  for (let p = p0; p < p1; p++) {
    const j0 = p << 3, cols = min(8, N - j0);
    const pb = P + (<usize>(j0 * K) << 2);
    for (let i = 0; i < full; i += MR) {
      micro6x8(A + <usize>i * ks, ks, 4, pb, K, C + <usize>i * rs + (<usize>j0 << 2), N, MR, cols, loadC);
    }
    for (let i = full; i < M; i++) {
      rowTimesPanel(A + <usize>i * ks, pb, K, C + <usize>i * rs + (<usize>j0 << 2), cols, loadC);
    }
  }
}

/**
 * Columns [j0, j1) of `C (+)= A·B` for a few rows of A [M, K] (batch 1 when
 * sampling), B [K, N] row-major read in place: packing B would cost more than
 * the product. Each row streams B once, 32 columns (eight accumulators) at a time.
 */
export function gemm_rows_direct(
  M: i32, N: i32, K: i32, A: usize, B: usize, C: usize, acc: i32, j0: i32, j1: i32,
): void {
  const rs = <usize>N << 2, ks = <usize>K << 2;
  const loadC = acc != 0;
  for (let i = 0; i < M; i++) {
    const a0 = A + <usize>i * ks, c0 = C + <usize>i * rs;
    let j = j0;
    for (; j + 32 <= j1; j += 32) {
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
      let s4 = f32x4.splat(0), s5 = f32x4.splat(0), s6 = f32x4.splat(0), s7 = f32x4.splat(0);
      let pb = B + (<usize>j << 2);
      for (let k = 0; k < K; k++) {
        const a = v128.load32_splat(a0 + (<usize>k << 2));
        s0 = madd(a, ld(pb), s0); s1 = madd(a, ld(pb + 16), s1);
        s2 = madd(a, ld(pb + 32), s2); s3 = madd(a, ld(pb + 48), s3);
        s4 = madd(a, ld(pb + 64), s4); s5 = madd(a, ld(pb + 80), s5);
        s6 = madd(a, ld(pb + 96), s6); s7 = madd(a, ld(pb + 112), s7);
        pb += rs;
      }
      const c = c0 + (<usize>j << 2);
      storeTile(c, 0, 0, s0, s1, 8, loadC);
      storeTile(c + 32, 0, 0, s2, s3, 8, loadC);
      storeTile(c + 64, 0, 0, s4, s5, 8, loadC);
      storeTile(c + 96, 0, 0, s6, s7, 8, loadC);
    }
    for (; j < j1; j += 8) {
      const cols = min(8, j1 - j);
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0);
      let pb = B + (<usize>j << 2);
      if (cols == 8) {
        for (let k = 0; k < K; k++) {
          const a = v128.load32_splat(a0 + (<usize>k << 2));
          s0 = madd(a, ld(pb), s0); s1 = madd(a, ld(pb + 16), s1);
          pb += rs;
        }
      } else {
        // a partial panel: scalar columns, gathered into the two vectors
        for (let q = 0; q < cols; q++) {
          let s: f32 = 0;
          let pq = pb + (<usize>q << 2);
          for (let k = 0; k < K; k++) {
            s += load<f32>(a0 + (<usize>k << 2)) * load<f32>(pq);
            pq += rs;
          }
          switch (q) {
            case 0: s0 = f32x4.replace_lane(s0, 0, s); break;
            case 1: s0 = f32x4.replace_lane(s0, 1, s); break;
            case 2: s0 = f32x4.replace_lane(s0, 2, s); break;
            case 3: s0 = f32x4.replace_lane(s0, 3, s); break;
            case 4: s1 = f32x4.replace_lane(s1, 0, s); break;
            case 5: s1 = f32x4.replace_lane(s1, 1, s); break;
            default: s1 = f32x4.replace_lane(s1, 2, s);
          }
        }
      }
      storeTile(c0 + (<usize>j << 2), 0, 0, s0, s1, cols, loadC);
    }
  }
}
