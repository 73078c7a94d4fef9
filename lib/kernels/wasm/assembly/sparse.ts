// WebAssembly SIMD kernels of sparse codes (AssemblyScript): a batch of n
// rows, each with k active features given as (index, value) slots, against a
// row-major [F, D] matrix (a dictionary's decoder, or a gradient). Same
// equations as lib/kernels/js.ts (topKRows, sparseDecode, sparseDot,
// sparseOuterAccumulate); each kernel computes one part (a range of rows, or
// of features), so the two threads of the pool can share a call.

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

/** y[0..D) += a · x[0..D). */
@inline function axpy(y: usize, a: f32, x: usize, D: i32): void {
  const av = f32x4.splat(a);
  let d = 0;
  for (; d + 8 <= D; d += 8) {
    const o = <usize>d << 2;
    st(y + o, madd(av, ld(x + o), ld(y + o)));
    st(y + o + 16, madd(av, ld(x + o + 16), ld(y + o + 16)));
  }
  for (; d < D; d++) {
    const o = <usize>d << 2;
    store<f32>(y + o, load<f32>(y + o) + a * load<f32>(x + o));
  }
}

/**
 * Rows [r0, r1) of the top k of `PRE [n, F]`: the k largest entries of each
 * row (of equal values, the lower index), written in ascending feature
 * order to idx[r, 0..k) with their values, ReLU'd, to val[r, 0..k). A
 * k-slot list kept in descending order admits an entry only when it beats
 * the list's smallest; once full, four entries at a time are skipped with
 * one vector compare. Needs 1 ≤ k ≤ F.
 */
export function topk_rows(PRE: usize, F: i32, k: i32, idx: usize, val: usize, scratch: usize, r0: i32, r1: i32): void {
  // scratch: k values then k indices (the list), per call
  const lv = scratch, li = scratch + (<usize>k << 2);
  for (let r = r0; r < r1; r++) {
    const row = PRE + (<usize>r * <usize>F << 2);
    let count = 0;
    let least: f32 = -Infinity;
    let j = 0;
    for (; j < F; j++) {
      if (count == k && j + 4 <= F && (j & 3) == 0) {
        // full: skip four entries at once when none beats the smallest kept
        if (!v128.any_true(f32x4.gt(ld(row + (<usize>j << 2)), f32x4.splat(least)))) {
          j += 3;
          continue;
        }
      }
      const v = load<f32>(row + (<usize>j << 2));
      if (count == k && !(v > least)) continue;
      if (v != v) continue; // NaN never enters
      // insert after the entries ≥ v (equal values keep the lower index first)
      let p = count < k ? count : k - 1;
      while (p > 0 && load<f32>(lv + (<usize>(p - 1) << 2)) < v) {
        store<f32>(lv + (<usize>p << 2), load<f32>(lv + (<usize>(p - 1) << 2)));
        store<i32>(li + (<usize>p << 2), load<i32>(li + (<usize>(p - 1) << 2)));
        p--;
      }
      store<f32>(lv + (<usize>p << 2), v);
      store<i32>(li + (<usize>p << 2), j);
      if (count < k) count++;
      if (count == k) least = load<f32>(lv + (<usize>(k - 1) << 2));
    }
    // a row of NaNs leaves slots empty: fill them with the first unused features
    for (let f = 0; count < k; f++) {
      let used = false;
      for (let q = 0; q < count; q++) if (load<i32>(li + (<usize>q << 2)) == f) used = true;
      if (used) continue;
      store<f32>(lv + (<usize>count << 2), 0);
      store<i32>(li + (<usize>count << 2), f);
      count++;
    }
    // ascending feature order (insertion sort of k slots)
    const oi = idx + (<usize>r * <usize>k << 2), ov = val + (<usize>r * <usize>k << 2);
    for (let q = 0; q < k; q++) {
      const f = load<i32>(li + (<usize>q << 2));
      const v = load<f32>(lv + (<usize>q << 2));
      let p = q;
      while (p > 0 && load<i32>(oi + (<usize>(p - 1) << 2)) > f) {
        store<i32>(oi + (<usize>p << 2), load<i32>(oi + (<usize>(p - 1) << 2)));
        store<f32>(ov + (<usize>p << 2), load<f32>(ov + (<usize>(p - 1) << 2)));
        p--;
      }
      store<i32>(oi + (<usize>p << 2), f);
      store<f32>(ov + (<usize>p << 2), v > 0 ? v : 0);
    }
  }
}

/** Rows [r0, r1) of `out[r] += Σ_s val[r, s] · W[idx[r, s]]` over the slots with f0 ≤ idx < f1. */
export function sparse_decode(
  idx: usize, val: usize, k: i32, W: usize, D: i32, f0: i32, f1: i32, out: usize, r0: i32, r1: i32,
): void {
  const rowBytes = <usize>D << 2;
  for (let r = r0; r < r1; r++) {
    const y = out + <usize>r * rowBytes;
    const slot = <usize>r * <usize>k << 2;
    for (let s = 0; s < k; s++) {
      const f = load<i32>(idx + slot + (<usize>s << 2));
      const a = load<f32>(val + slot + (<usize>s << 2));
      if (f < f0 || f >= f1 || a == 0) continue;
      axpy(y, a, W + <usize>f * rowBytes, D);
    }
  }
}

/** Rows [r0, r1) of `dval[r, s] = G[r] · W[idx[r, s]]` for the slots with f0 ≤ idx < f1 (others kept). */
export function sparse_dot(
  idx: usize, k: i32, G: usize, W: usize, D: i32, f0: i32, f1: i32, dval: usize, r0: i32, r1: i32,
): void {
  const rowBytes = <usize>D << 2;
  for (let r = r0; r < r1; r++) {
    const g = G + <usize>r * rowBytes;
    const slot = <usize>r * <usize>k << 2;
    for (let s = 0; s < k; s++) {
      const f = load<i32>(idx + slot + (<usize>s << 2));
      if (f < f0 || f >= f1) continue;
      const w = W + <usize>f * rowBytes;
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0);
      let d = 0;
      for (; d + 8 <= D; d += 8) {
        const o = <usize>d << 2;
        s0 = madd(ld(g + o), ld(w + o), s0);
        s1 = madd(ld(g + o + 16), ld(w + o + 16), s1);
      }
      const t = f32x4.add(s0, s1);
      let sum: f32 = f32x4.extract_lane(t, 0) + f32x4.extract_lane(t, 1) +
        f32x4.extract_lane(t, 2) + f32x4.extract_lane(t, 3);
      for (; d < D; d++) sum += load<f32>(g + (<usize>d << 2)) * load<f32>(w + (<usize>d << 2));
      store<f32>(dval + slot + (<usize>s << 2), sum);
    }
  }
}

/**
 * Features [f0 + c0, f0 + c1) of `dW[idx[r, s]] += val[r, s] · G[r]` over
 * all n rows, rows in order: each feature's row of dW is written by one
 * thread only, in the same order whoever runs it.
 */
export function sparse_outer_accumulate(
  idx: usize, val: usize, n: i32, k: i32, G: usize, D: i32, f0: i32, dW: usize, c0: i32, c1: i32,
): void {
  const rowBytes = <usize>D << 2;
  const lo = f0 + c0, hi = f0 + c1;
  const slots = n * k;
  for (let q = 0; q < slots; q++) {
    const f = load<i32>(idx + (<usize>q << 2));
    if (f < lo || f >= hi) continue;
    const a = load<f32>(val + (<usize>q << 2));
    if (a == 0) continue;
    axpy(dW + <usize>f * rowBytes, a, G + <usize>(q / k) * rowBytes, D);
  }
}

/**
 * Rows [c0, c1) of `out [C, R] = Aᵀ` for `A [R, C]`: the weight gradient of a
 * sparse product gathered by feature rows, put back in the weight's layout.
 * Blocks of 4 × 4 are transposed in registers; a block row of out is written
 * in order while four rows of A stream past.
 */
export function transpose(A: usize, R: i32, C: i32, out: usize, c0: i32, c1: i32): void {
  const ra = <usize>C << 2, ro = <usize>R << 2;
  let c = c0;
  for (; c + 4 <= c1; c += 4) {
    let r = 0;
    for (; r + 4 <= R; r += 4) {
      const s = A + <usize>r * ra + (<usize>c << 2);
      const r0 = ld(s), r1 = ld(s + ra), r2 = ld(s + 2 * ra), r3 = ld(s + 3 * ra);
      const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
      const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7), t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
      const d = out + <usize>c * ro + (<usize>r << 2);
      st(d, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
      st(d + ro, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
      st(d + 2 * ro, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
      st(d + 3 * ro, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
    }
    for (; r < R; r++) {
      for (let q = 0; q < 4; q++) {
        store<f32>(out + <usize>(c + q) * ro + (<usize>r << 2), load<f32>(A + <usize>r * ra + (<usize>(c + q) << 2)));
      }
    }
  }
  for (; c < c1; c++) {
    for (let r = 0; r < R; r++) {
      store<f32>(out + <usize>c * ro + (<usize>r << 2), load<f32>(A + <usize>r * ra + (<usize>c << 2)));
    }
  }
}
