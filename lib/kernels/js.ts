/**
 * The reference kernels backend in plain TypeScript: readable loops that the
 * tests and any faster backend are compared with. The GEMM unrolls the inner
 * dimension by four so each output row is read and written a quarter as
 * often; everything else is one straightforward loop per equation.
 *
 * @module
 */
import type { FloatDtype, Kernels, Vec } from "./backend.ts";

/** Logistic sigmoid `1 / (1 + e^−x)`, the true sigmoid (not a hard approximation). */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Rows of B kept hot in cache while every row of A streams past (≈ 64 KB–256 KB). */
const K_BLOCK = 64;
/** Rows of B (transposed operand) reused across all rows of A in gemmNT. */
const N_BLOCK = 16;

function gemmNN(M: number, N: number, K: number, A: Vec, B: Vec, C: Vec): void {
  // C[i, :] += Σ_k A[i, k] · B[k, :], k in blocks so the block of B stays in cache.
  for (let k0 = 0; k0 < K; k0 += K_BLOCK) {
    const k1 = Math.min(K, k0 + K_BLOCK);
    for (let i = 0; i < M; i++) {
      rowUpdate(C, i * N, N, k0, k1, (k) => A[i * K + k]!, B);
    }
  }
}

function gemmTN(M: number, N: number, K: number, A: Vec, B: Vec, C: Vec): void {
  // C[i, :] += Σ_k A[k, i] · B[k, :], k in blocks as in gemmNN.
  for (let k0 = 0; k0 < K; k0 += K_BLOCK) {
    const k1 = Math.min(K, k0 + K_BLOCK);
    for (let i = 0; i < M; i++) {
      rowUpdate(C, i * N, N, k0, k1, (k) => A[k * M + i]!, B);
    }
  }
}

/**
 * `C[c0 : c0+N] += Σ_{k0 ≤ k < k1} a(k) · B[k, :]`, four rows of B per pass so
 * the row of C is read and written a quarter as often.
 */
function rowUpdate(
  C: Vec,
  c0: number,
  N: number,
  k0: number,
  k1: number,
  a: (k: number) => number,
  B: Vec,
): void {
  let k = k0;
  for (; k + 4 <= k1; k += 4) {
    const a0 = a(k), a1 = a(k + 1), a2 = a(k + 2), a3 = a(k + 3);
    const b0 = k * N, b1 = b0 + N, b2 = b1 + N, b3 = b2 + N;
    for (let j = 0; j < N; j++) {
      C[c0 + j] = C[c0 + j]! + a0 * B[b0 + j]! + a1 * B[b1 + j]! + a2 * B[b2 + j]! +
        a3 * B[b3 + j]!;
    }
  }
  for (; k < k1; k++) {
    const ak = a(k), bk = k * N;
    for (let j = 0; j < N; j++) C[c0 + j] = C[c0 + j]! + ak * B[bk + j]!;
  }
}

function gemmNT(M: number, N: number, K: number, A: Vec, B: Vec, C: Vec): void {
  // C[i, j] += Σ_k A[i, k] · B[j, k]: dot products of contiguous rows; a block
  // of rows of B is reused by every row of A before moving on.
  const K4 = K - (K % 4);
  for (let j0 = 0; j0 < N; j0 += N_BLOCK) {
    const j1 = Math.min(N, j0 + N_BLOCK);
    for (let i = 0; i < M; i++) {
      const ai = i * K;
      for (let j = j0; j < j1; j++) {
        const bj = j * K;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        let k = 0;
        for (; k < K4; k += 4) {
          s0 += A[ai + k]! * B[bj + k]!;
          s1 += A[ai + k + 1]! * B[bj + k + 1]!;
          s2 += A[ai + k + 2]! * B[bj + k + 2]!;
          s3 += A[ai + k + 3]! * B[bj + k + 3]!;
        }
        for (; k < K; k++) s0 += A[ai + k]! * B[bj + k]!;
        C[i * N + j] = C[i * N + j]! + (s0 + s1) + (s2 + s3);
      }
    }
  }
}

function gemmTT(M: number, N: number, K: number, A: Vec, B: Vec, C: Vec): void {
  // C[i, j] += Σ_k A[k, i] · B[j, k]
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += A[k * M + i]! * B[j * K + k]!;
      C[i * N + j] = C[i * N + j]! + s;
    }
  }
}

/** The reference TypeScript backend. */
export const jsKernels: Kernels = {
  name: "js",

  alloc(dtype: FloatDtype, n: number): Vec {
    return dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
  },

  gemm(transA, transB, M, N, K, A, B, C, accumulate) {
    if (!accumulate) C.fill(0, 0, M * N);
    if (!transA && !transB) gemmNN(M, N, K, A, B, C);
    else if (!transA && transB) gemmNT(M, N, K, A, B, C);
    else if (transA && !transB) gemmTN(M, N, K, A, B, C);
    else gemmTT(M, N, K, A, B, C);
  },

  gatherRows(table, idx, N, out, bias) {
    for (let r = 0; r < idx.length; r++) {
      const src = idx[r]! * N, dst = r * N;
      if (bias) {
        for (let j = 0; j < N; j++) out[dst + j] = table[src + j]! + bias[j]!;
      } else for (let j = 0; j < N; j++) out[dst + j] = table[src + j]!;
    }
  },

  scatterAddRows(table, idx, N, src) {
    for (let r = 0; r < idx.length; r++) {
      const dst = idx[r]! * N, s = r * N;
      for (let j = 0; j < N; j++) {
        table[dst + j] = table[dst + j]! + src[s + j]!;
      }
    }
  },

  addRowVector(Y, bias, M, N) {
    for (let m = 0; m < M; m++) {
      const row = m * N;
      for (let j = 0; j < N; j++) Y[row + j] = Y[row + j]! + bias[j]!;
    }
  },

  sumRowsAccumulate(dY, M, N, dbias) {
    for (let m = 0; m < M; m++) {
      const row = m * N;
      for (let j = 0; j < N; j++) dbias[j] = dbias[j]! + dY[row + j]!;
    }
  },

  rnnCellForward(a, h, n) {
    for (let k = 0; k < n; k++) h[k] = Math.tanh(a[k]!);
  },

  rnnCellBackward(h, dh, da, n) {
    for (let k = 0; k < n; k++) da[k] = dh[k]! * (1 - h[k]! * h[k]!);
  },

  lstmCellForward(B, H, gates, cPrev, c, tanhC, h) {
    for (let b = 0; b < B; b++) {
      const g0 = b * 4 * H, s0 = b * H;
      for (let j = 0; j < H; j++) {
        const i = sigmoid(gates[g0 + j]!);
        const f = sigmoid(gates[g0 + H + j]!);
        const g = Math.tanh(gates[g0 + 2 * H + j]!);
        const o = sigmoid(gates[g0 + 3 * H + j]!);
        gates[g0 + j] = i;
        gates[g0 + H + j] = f;
        gates[g0 + 2 * H + j] = g;
        gates[g0 + 3 * H + j] = o;
        const cNext = f * cPrev[s0 + j]! + i * g;
        c[s0 + j] = cNext;
        const tc = Math.tanh(cNext);
        tanhC[s0 + j] = tc;
        h[s0 + j] = o * tc;
      }
    }
  },

  lstmCellBackward(B, H, gates, cPrev, tanhC, dh, dc, dgates) {
    for (let b = 0; b < B; b++) {
      const g0 = b * 4 * H, s0 = b * H;
      for (let j = 0; j < H; j++) {
        const i = gates[g0 + j]!, f = gates[g0 + H + j]!;
        const g = gates[g0 + 2 * H + j]!, o = gates[g0 + 3 * H + j]!;
        const tc = tanhC[s0 + j]!;
        const dhj = dh[s0 + j]!;
        // dc = dc_from_future + dh ⊙ o ⊙ (1 − tanh²c)
        const dcj = dc[s0 + j]! + dhj * o * (1 - tc * tc);
        dgates[g0 + j] = dcj * g * i * (1 - i); // di_pre
        dgates[g0 + H + j] = dcj * cPrev[s0 + j]! * f * (1 - f); // df_pre
        dgates[g0 + 2 * H + j] = dcj * i * (1 - g * g); // dg_pre
        dgates[g0 + 3 * H + j] = dhj * tc * o * (1 - o); // do_pre
        dc[s0 + j] = dcj * f; // dcPrev
      }
    }
  },

  gruCellForward(B, H, xg, hg, bhn, hPrev, gates, hn, h) {
    for (let b = 0; b < B; b++) {
      const g0 = b * 3 * H, s0 = b * H;
      for (let j = 0; j < H; j++) {
        const r = sigmoid(xg[g0 + j]! + hg[g0 + j]!);
        const z = sigmoid(xg[g0 + H + j]! + hg[g0 + H + j]!);
        const hnj = hg[g0 + 2 * H + j]! + bhn[j]!;
        const n = Math.tanh(xg[g0 + 2 * H + j]! + r * hnj);
        gates[g0 + j] = r;
        gates[g0 + H + j] = z;
        gates[g0 + 2 * H + j] = n;
        hn[s0 + j] = hnj;
        h[s0 + j] = (1 - z) * n + z * hPrev[s0 + j]!;
      }
    }
  },

  gruCellBackward(B, H, gates, hn, hPrev, dh, dxg, dhg, dhPrev) {
    for (let b = 0; b < B; b++) {
      const g0 = b * 3 * H, s0 = b * H;
      for (let j = 0; j < H; j++) {
        const r = gates[g0 + j]!,
          z = gates[g0 + H + j]!,
          n = gates[g0 + 2 * H + j]!;
        const dhj = dh[s0 + j]!;
        const dnPre = dhj * (1 - z) * (1 - n * n);
        const dzPre = dhj * (hPrev[s0 + j]! - n) * z * (1 - z);
        const drPre = dnPre * hn[s0 + j]! * r * (1 - r);
        dxg[g0 + j] = drPre;
        dxg[g0 + H + j] = dzPre;
        dxg[g0 + 2 * H + j] = dnPre;
        dhg[g0 + j] = drPre;
        dhg[g0 + H + j] = dzPre;
        dhg[g0 + 2 * H + j] = dnPre * r;
        dhPrev[s0 + j] = dhj * z;
      }
    }
  },

  softmaxXentForward(logits, targets, R, V, probs, losses) {
    for (let r = 0; r < R; r++) {
      const row = r * V;
      let max = -Infinity;
      for (let v = 0; v < V; v++) max = Math.max(max, logits[row + v]!);
      const zTarget = logits[row + targets[r]!]! - max; // read before probs may overwrite logits
      let sum = 0;
      for (let v = 0; v < V; v++) {
        const e = Math.exp(logits[row + v]! - max);
        probs[row + v] = e;
        sum += e;
      }
      losses[r] = Math.log(sum) - zTarget; // −log softmax_t, without log(0) on underflow
      const inv = 1 / sum;
      for (let v = 0; v < V; v++) probs[row + v] = probs[row + v]! * inv;
    }
  },

  softmaxXentBackward(probs, targets, R, V, scale, dlogits) {
    for (let r = 0; r < R; r++) {
      const row = r * V;
      for (let v = 0; v < V; v++) dlogits[row + v] = probs[row + v]! * scale;
      dlogits[row + targets[r]!] = dlogits[row + targets[r]!]! - scale;
    }
  },

  mulInPlace(x, mask, n) {
    for (let k = 0; k < n; k++) x[k] = x[k]! * mask[k]!;
  },

  addInPlace(y, x, n) {
    for (let k = 0; k < n; k++) y[k] = y[k]! + x[k]!;
  },
};
