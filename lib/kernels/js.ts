/**
 * The reference kernels backend in plain TypeScript: readable loops that the
 * tests and any faster backend are compared with. The GEMM unrolls the inner
 * dimension by four so each output row is read and written a quarter as
 * often; everything else is one straightforward loop per equation.
 *
 * @module
 */
import type { FloatDtype, Kernels, Vec } from "./backend.ts";
import { machineMemory } from "./machine_memory.ts";

/** Logistic sigmoid `1 / (1 + e^−x)`, the true sigmoid (not a hard approximation). */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Inner-dimension block: the rows of op(B) it spans stay in cache while A streams past. */
const K_BLOCK = 128;

/**
 * `C[M, N] += op(A) · op(B)` for any transposes, given element strides:
 * `op(A)[i, k] = A[i·sAi + k·sAk]`, `op(B)[k, j] = B[k·sBk + j·sBj]`.
 * A 4×4 tile of C lives in sixteen locals while k runs over a block, so each
 * loaded element of A and B is used four times.
 */
function gemmStrided(
  M: number,
  N: number,
  K: number,
  A: Vec,
  sAi: number,
  sAk: number,
  B: Vec,
  sBk: number,
  sBj: number,
  C: Vec,
): void {
  const M4 = M - (M % 4), N4 = N - (N % 4);
  for (let k0 = 0; k0 < K; k0 += K_BLOCK) {
    const k1 = Math.min(K, k0 + K_BLOCK);
    for (let i = 0; i < M4; i += 4) {
      const a0 = i * sAi, a1 = a0 + sAi, a2 = a1 + sAi, a3 = a2 + sAi;
      for (let j = 0; j < N4; j += 4) {
        const b0 = j * sBj, b1 = b0 + sBj, b2 = b1 + sBj, b3 = b2 + sBj;
        let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (let k = k0; k < k1; k++) {
          const ak = k * sAk, bk = k * sBk;
          const x0 = A[a0 + ak]!, x1 = A[a1 + ak]!, x2 = A[a2 + ak]!, x3 = A[a3 + ak]!;
          const y0 = B[bk + b0]!, y1 = B[bk + b1]!, y2 = B[bk + b2]!, y3 = B[bk + b3]!;
          c00 += x0 * y0, c01 += x0 * y1, c02 += x0 * y2, c03 += x0 * y3;
          c10 += x1 * y0, c11 += x1 * y1, c12 += x1 * y2, c13 += x1 * y3;
          c20 += x2 * y0, c21 += x2 * y1, c22 += x2 * y2, c23 += x2 * y3;
          c30 += x3 * y0, c31 += x3 * y1, c32 += x3 * y2, c33 += x3 * y3;
        }
        let c = i * N + j;
        C[c] = C[c]! + c00, C[c + 1] = C[c + 1]! + c01;
        C[c + 2] = C[c + 2]! + c02, C[c + 3] = C[c + 3]! + c03;
        c += N;
        C[c] = C[c]! + c10, C[c + 1] = C[c + 1]! + c11;
        C[c + 2] = C[c + 2]! + c12, C[c + 3] = C[c + 3]! + c13;
        c += N;
        C[c] = C[c]! + c20, C[c + 1] = C[c + 1]! + c21;
        C[c + 2] = C[c + 2]! + c22, C[c + 3] = C[c + 3]! + c23;
        c += N;
        C[c] = C[c]! + c30, C[c + 1] = C[c + 1]! + c31;
        C[c + 2] = C[c + 2]! + c32, C[c + 3] = C[c + 3]! + c33;
      }
      // Columns right of the last full tile.
      for (let r = i; r < i + 4; r++) {
        for (let j = N4; j < N; j++) {
          let sum = 0;
          for (let k = k0; k < k1; k++) sum += A[r * sAi + k * sAk]! * B[k * sBk + j * sBj]!;
          C[r * N + j] = C[r * N + j]! + sum;
        }
      }
    }
    // Rows below the last full tile (all of C when M < 4, e.g. batch 1):
    // row updates, with j innermost, contiguous when op(B) rows are.
    for (let i = M4; i < M; i++) {
      for (let k = k0; k < k1; k++) {
        const a = A[i * sAi + k * sAk]!, bk = k * sBk, ci = i * N;
        for (let j = 0; j < N; j++) C[ci + j] = C[ci + j]! + a * B[bk + j * sBj]!;
      }
    }
  }
}

/** The reference TypeScript backend. */
export const jsKernels: Kernels = {
  name: "js",
  // The machine's memory: a model that cannot fit in it is refused before it is allocated.
  get memoryLimit() {
    return machineMemory();
  },
  memoryUsed: () => 0,
  // Plain arrays; a WebAssembly backend's tensors live in a SharedArrayBuffer.
  owns: (v) => !(v.buffer instanceof SharedArrayBuffer),

  alloc(dtype: FloatDtype, n: number): Vec {
    return dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
  },

  allocIndices(n) {
    return new Int32Array(n);
  },

  gemm(transA, transB, M, N, K, A, B, C, accumulate) {
    if (!accumulate) C.fill(0, 0, M * N);
    // op(A)[i, k] and op(B)[k, j] as strides into the stored layouts.
    const [sAi, sAk] = transA ? [1, M] : [K, 1];
    const [sBk, sBj] = transB ? [1, K] : [N, 1];
    gemmStrided(M, N, K, A, sAi, sAk, B, sBk, sBj, C);
  },

  packMatrix(B, K, N, trans) {
    return { K, N, trans, source: B, data: null }; // the reference reads B in place
  },

  gemmPacked(M, A, B, C, accumulate) {
    jsKernels.gemm(false, B.trans, M, B.N, B.K, A, B.source, C, accumulate);
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

  topKRows(PRE, n, F, k, idx, val) {
    // Rank every feature: larger first, NaN last, equal values by index.
    const key = (v: number) => (Number.isNaN(v) ? -Infinity : v);
    const order = Array.from({ length: F }, (_, f) => f);
    for (let r = 0; r < n; r++) {
      const row = PRE.subarray(r * F, (r + 1) * F);
      order.sort((a, b) => {
        const na = Number.isNaN(row[a]!), nb = Number.isNaN(row[b]!);
        if (na !== nb) return na ? 1 : -1;
        return key(row[b]!) - key(row[a]!) || a - b;
      });
      const chosen = order.slice(0, k).sort((a, b) => a - b);
      chosen.forEach((f, s) => {
        idx[r * k + s] = f;
        val[r * k + s] = row[f]! > 0 ? row[f]! : 0;
      });
    }
  },

  sparseDecode(idx, val, n, k, W, D, f0, f1, out) {
    for (let q = 0; q < n * k; q++) {
      const f = idx[q]!, r = Math.floor(q / k);
      if (f < f0 || f >= f1) continue;
      for (let d = 0; d < D; d++) out[r * D + d] = out[r * D + d]! + val[q]! * W[f * D + d]!;
    }
  },

  sparseDot(idx, n, k, G, W, D, f0, f1, dval) {
    for (let q = 0; q < n * k; q++) {
      const f = idx[q]!, r = Math.floor(q / k);
      if (f < f0 || f >= f1) continue;
      let s = 0;
      for (let d = 0; d < D; d++) s += G[r * D + d]! * W[f * D + d]!;
      dval[q] = s;
    }
  },

  sparseOuterAccumulate(idx, val, n, k, G, D, f0, f1, dW) {
    for (let q = 0; q < n * k; q++) {
      const f = idx[q]!, r = Math.floor(q / k);
      if (f < f0 || f >= f1) continue;
      for (let d = 0; d < D; d++) dW[f * D + d] = dW[f * D + d]! + val[q]! * G[r * D + d]!;
    }
  },

  transpose(A, R, C, out) {
    for (let r = 0; r < R; r++) {
      for (let c = 0; c < C; c++) out[c * R + r] = A[r * C + c]!;
    }
  },

  adamUpdate(p, g, m, v, n, [lr, b1, b2, eps, c1, c2]) {
    for (let k = 0; k < n; k++) {
      const gk = g[k]!;
      m[k] = b1 * m[k]! + (1 - b1) * gk;
      v[k] = b2 * v[k]! + (1 - b2) * gk * gk;
      p[k] = p[k]! - lr * (m[k]! * c1) / (Math.sqrt(v[k]! * c2) + eps);
    }
  },
};
