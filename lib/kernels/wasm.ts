/**
 * The WebAssembly SIMD kernels backend: the GEMMs and fused element-wise
 * steps of `wasm/assembly/` (AssemblyScript, compiled to
 * `wasm/kernels-relaxed.wasm` with relaxed-SIMD fused multiply-add and
 * `wasm/kernels-simd.wasm` without), running on one shared
 * `WebAssembly.Memory`. Tensors allocated through this backend live in that
 * memory, so kernels take their byte offsets and nothing is copied. Float64
 * tensors (plain arrays, for gradient checks) run on the TypeScript
 * reference; a float32 tensor from anywhere else is a TypeError that names
 * the fix, never a silent slow path.
 *
 * With `threads: 2`, a Deno Worker shares the memory and the two threads split
 * each large kernel call into chunks (blocks of rows of a GEMM, panels of
 * columns of a product with prepacked weights, rows of a batch), which they
 * claim from opposite ends with a compare-and-swap on a control block in the
 * same memory (`wasm/pool.ts`): no messages per call, and a late worker
 * simply takes fewer. A job is cut into the same chunks whoever runs them,
 * so results are the same bits with one thread or two, whatever the timing.
 *
 * @module
 */
import type { FloatDtype, Kernels, Vec } from "./backend.ts";
import { jsKernels } from "./js.ts";
import { type Kernel, runChunks } from "./wasm/call.ts";
import { CONTROL_BYTES } from "./wasm/control.ts";
import { createPool, type Pool } from "./wasm/pool.ts";

/** Options of {@linkcode createWasmKernels}. */
export interface WasmKernelsOptions {
  /** Threads: 1 (this one) or 2 (plus one worker). @default 2 when 2+ cores are available */
  threads?: 1 | 2;
  /** Use the relaxed-SIMD build when the runtime validates it. @default true */
  relaxed?: boolean;
  /**
   * Stress testing only: the probability that either thread pauses for
   * about 0.1 ms between two steps of the pool's protocol, as a preempted
   * thread does, with the late-worker guard kept out of the way, so races in the pool's
   * protocol show within seconds instead of once in hours. @default 0
   */
  jitter?: number;
}

/** The WebAssembly backend: a {@linkcode Kernels} with a `close()` for its worker. */
export interface WasmKernels extends Kernels {
  /** Which build runs: `"relaxed-simd"` or `"simd"`. */
  readonly build: "relaxed-simd" | "simd";
  /** Threads in use (1 after `close()`). */
  readonly threads: number;
  /** Stops the worker thread; the backend stays usable on this thread alone. */
  close(): void;
}

type Exports = Record<string, (...args: number[]) => number | void>;

/** Rows of C in one register tile of the GEMM kernels (`MR` in wasm/assembly/gemm.ts). */
const TILE_ROWS = 6;
/** Products of at most this many rows read B in place instead of packing it. */
const SMALL_M = 4;
/** Most rows of C per claimed block of gemm_packed (`MC` there). */
const GEMM_ROW_BLOCK = 240;

const PAGE = 65536;
const MAX_PAGES = 65536; // 4 GiB of address space, reserved lazily

/** Bump allocator over the shared memory, with exact-size reuse of freed blocks. */
class Heap {
  readonly memory: WebAssembly.Memory;
  #top: number;
  readonly #free = new Map<number, number[]>();
  readonly #buffers = new WeakSet<ArrayBufferLike>();
  readonly #registry = new FinalizationRegistry<[number, number]>(([at, bytes]) => {
    const list = this.#free.get(bytes) ?? [];
    list.push(at);
    this.#free.set(bytes, list);
  });

  constructor(memory: WebAssembly.Memory, base: number) {
    this.memory = memory;
    this.#top = Math.ceil(base / 64) * 64;
    this.#buffers.add(memory.buffer);
  }

  /** Whether a view lies in this memory. */
  owns(v: ArrayBufferView): boolean {
    return this.#buffers.has(v.buffer);
  }

  /** Raw bytes, 64-byte aligned, never freed (control blocks, scratch). */
  reserve(bytes: number): number {
    const at = this.#top;
    this.#top += Math.ceil(bytes / 64) * 64;
    this.#ensure(this.#top);
    return at;
  }

  #ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      this.memory.grow(Math.ceil((end - have) / PAGE));
      this.#buffers.add(this.memory.buffer);
    }
  }

  f32(n: number): Float32Array {
    return this.#zeroed(n, (at) => new Float32Array(this.memory.buffer, at, n));
  }

  i32(n: number): Int32Array {
    return this.#zeroed(n, (at) => new Int32Array(this.memory.buffer, at, n));
  }

  /** A zeroed view of n 4-byte elements, its block returned for reuse when the view is collected. */
  #zeroed<V extends Float32Array | Int32Array>(n: number, view: (at: number) => V): V {
    const bytes = Math.max(64, Math.ceil((n * 4) / 64) * 64);
    const reuse = this.#free.get(bytes)?.pop();
    const at = reuse ?? this.reserve(bytes);
    const v = view(at);
    if (reuse !== undefined) v.fill(0);
    this.#buffers.add(this.memory.buffer);
    this.#registry.register(v, [at, bytes]);
    return v;
  }

  i32Scratch(at: number, n: number): Int32Array {
    return new Int32Array(this.memory.buffer, at, n);
  }

  /** Bytes handed out so far (live, reserved, or freed for reuse at the same size). */
  get taken(): number {
    return this.#top;
  }
}

/**
 * Loads a compiled kernels module, preferring the relaxed-SIMD build.
 *
 * @param relaxed Try the relaxed-SIMD build first.
 * @returns The compiled module and which build it is.
 * @throws {Error} When the runtime has no WebAssembly SIMD.
 */
export function loadKernelsModule(
  relaxed = true,
): { module: WebAssembly.Module; build: "relaxed-simd" | "simd" } {
  const builds = relaxed ? (["relaxed-simd", "simd"] as const) : (["simd"] as const);
  for (const build of builds) {
    const file = build === "relaxed-simd" ? "kernels-relaxed.wasm" : "kernels-simd.wasm";
    const bytes = Deno.readFileSync(new URL(`./wasm/${file}`, import.meta.url));
    if (WebAssembly.validate(bytes)) return { module: new WebAssembly.Module(bytes), build };
  }
  throw new Error(
    "Cannot load the WebAssembly kernels: this runtime lacks WebAssembly SIMD; use the TypeScript backend (jsKernels)",
  );
}

/**
 * Creates a WebAssembly backend, synchronously: build models on it
 * (`new CharRnn(config, "float32", k)`); most code uses the process-wide one
 * of `defaultKernels()` instead. With two threads, the worker starts with the
 * first large job and leaves after half a second without one, so a backend
 * needs no closing; `close()` stops the worker at once.
 *
 * @param opts Threads and build.
 * @returns The backend.
 *
 * @example Multiply on the WebAssembly backend
 * ```ts
 * import { createWasmKernels } from "./wasm.ts";
 * const k = createWasmKernels({ threads: 1 });
 * const A = k.alloc("float32", 2) as Float32Array, B = k.alloc("float32", 2) as Float32Array;
 * const C = k.alloc("float32", 4) as Float32Array;
 * A.set([1, 2]);
 * B.set([3, 4]);
 * k.gemm(false, false, 2, 2, 1, A, B, C, false);
 * console.log(Array.from(C)); // [3, 4, 6, 8]
 * k.close();
 * ```
 */
export function createWasmKernels(opts: WasmKernelsOptions = {}): WasmKernels {
  const { module, build } = loadKernelsModule(opts.relaxed ?? true);
  const memory = new WebAssembly.Memory({ initial: 64, maximum: MAX_PAGES, shared: true });
  const instance = new WebAssembly.Instance(module, {
    env: {
      memory,
      abort: () => {
        throw new Error("WebAssembly kernel aborted");
      },
    },
  });
  const ex = instance.exports as unknown as Exports & { __heap_base?: WebAssembly.Global };
  const base = ex.__heap_base ? Number(ex.__heap_base.value) : 65536;
  const heap = new Heap(memory, Math.max(base, 1024));
  const control = heap.reserve(CONTROL_BYTES);
  let scratch = heap.reserve(4 * 4096);
  // Packing buffers of the blocked GEMM, one per thread.
  const packFloats = Number(ex.packed_scratch_floats!());
  const scratch1 = heap.reserve(4 * packFloats), scratch2 = heap.reserve(4 * packFloats);
  let scratchInts = 4096;
  const threads = opts.threads ?? (navigator.hardwareConcurrency >= 2 ? 2 : 1);
  let pool: Pool | null = threads === 2
    ? createPool({
      module,
      memory,
      exports: ex,
      control,
      workerScratch: scratch2,
      jitter: opts.jitter ?? 0,
    })
    : null;

  /** Index arrays (token ids) are copied into wasm memory when they live elsewhere. */
  const idsPtr = (ids: Int32Array): number => {
    if (heap.owns(ids)) return ids.byteOffset;
    if (ids.length > scratchInts) {
      scratchInts = ids.length;
      scratch = heap.reserve(4 * ids.length);
    }
    heap.i32Scratch(scratch, ids.length).set(ids);
    return scratch;
  };
  /** The byte offset of an index array of this backend (sparse codes are written and read in place). */
  const indices = (idx: Int32Array): number => {
    if (!heap.owns(idx)) throw foreign(name);
    return idx.byteOffset;
  };
  /** Byte offsets of wasm-resident arrays, the kernels' pointer arguments. */
  const at = (...vs: Vec[]): number[] => vs.map((v) => v.byteOffset);
  const name = `wasm-${build === "relaxed-simd" ? "relaxed" : "simd"}-${threads}t`;
  /**
   * Whether a call's tensors are this backend's float32 tensors (true), or
   * all float64 (false: the reference computes those).
   *
   * @throws {TypeError} For a tensor of another backend, or float32 mixed with float64.
   */
  const native = (...vs: (Vec | null)[]): boolean => {
    let wide = 0, count = 0;
    for (const v of vs) {
      if (v === null) continue;
      count++;
      if (v instanceof Float64Array && !(v.buffer instanceof SharedArrayBuffer)) wide++;
      else if (!(v instanceof Float32Array && heap.owns(v))) throw foreign(name);
    }
    if (wide === 0) return true;
    if (wide === count) return false;
    throw foreign(name);
  };

  /**
   * Runs `fn(args…, [scratch,] from, to)` over [0, total) in chunks of
   * `chunk` (with `local`, each thread passes its own packing scratch
   * first). A job `worth` a second thread is cut into the same chunks
   * whoever runs them (both threads, this one alone while the worker is
   * late, or a one-thread backend), so its result never depends on timing
   * or on the number of threads; smaller jobs run here in one call.
   */
  const parallel = (
    fn: string,
    args: number[],
    total: number,
    chunk: number,
    worth: boolean,
    local = false,
  ): void => {
    if (!worth || total <= chunk) {
      ex[fn]!(...args, ...(local ? [scratch1] : []), 0, total);
    } else if (pool) {
      pool.run(fn, args, total, chunk, local ? scratch1 : null);
    } else {
      runChunks(ex[fn]! as Kernel, local ? [...args, scratch1] : args, total, chunk);
    }
  };
  /** The chunk that splits [0, total) into at most `most` chunks, a multiple of `unit`. */
  const chunkOf = (total: number, most: number, unit = 1): number =>
    Math.ceil(Math.ceil(total / most) / unit) * unit;
  /** Element-wise kernels over rows (or elements): up to 8 chunks when worth it. */
  const split = (fn: string, args: number[], total: number, work: number): void =>
    parallel(fn, args, total, chunkOf(total, 8), work >= 32768);

  const k: WasmKernels = {
    name,
    memoryLimit: MAX_PAGES * PAGE,
    // A new tensor of a new size comes from above the top: what is below is taken.
    memoryUsed: () => heap.taken,
    owns: (v) =>
      v instanceof Float32Array ? heap.owns(v) : !(v.buffer instanceof SharedArrayBuffer),
    build,
    threads,
    close: () => {
      pool?.stop();
      pool = null;
    },

    alloc(dtype: FloatDtype, n: number): Vec {
      return dtype === "float64" ? new Float64Array(n) : heap.f32(n);
    },

    allocIndices(n) {
      return heap.i32(n);
    },

    gemm(transA, transB, M, N, K, A, B, C, accumulate) {
      if (!native(A, B, C) || (transA && transB)) {
        return jsKernels.gemm(transA, transB, M, N, K, A, B, C, accumulate);
      }
      const acc = accumulate ? 1 : 0;
      if (M <= SMALL_M && !transA && !transB) {
        // A few rows (a sample's step): read B in place, threads split the columns.
        const args = [M, N, K, A.byteOffset, B.byteOffset, C.byteOffset, acc];
        const worth = M * N * K >= 131072;
        return parallel("gemm_rows_direct", args, N, chunkOf(N, 8, 32), worth);
      }
      // Everything else goes through the packed kernel (contiguous panels,
      // no cache-set aliasing); for A·Bᵀ the packing transposes 4×4 blocks.
      const [sai, sak] = transA ? [1, M] : [K, 1];
      const [sbk, sbj] = transB ? [1, K] : [N, 1];
      const args = [M, N, K, A.byteOffset, sai, sak, B.byteOffset, sbk, sbj, C.byteOffset, acc];
      // Blocks of rows, an even number of them, each at most MC rows: every
      // block packs its own panels of B, so fewer, larger blocks pack less.
      const blocks = 2 * Math.ceil(M / (2 * GEMM_ROW_BLOCK));
      const worth = M * N * K >= 65536;
      parallel("gemm_packed", args, M, chunkOf(M, blocks, TILE_ROWS), worth, true);
    },

    packMatrix(B, K, N, trans, reuse) {
      if (!native(B)) return jsKernels.packMatrix(B, K, N, trans, null);
      const floats = Math.ceil(N / 8) * 8 * K;
      const data = reuse?.data && reuse.data.length === floats ? reuse.data : heap.f32(floats);
      ex.pack_panels!(B.byteOffset, K, N, trans ? 1 : N, trans ? K : 1, data.byteOffset);
      return { K, N, trans, source: B, data };
    },

    gemmPacked(M, A, B, C, accumulate) {
      if (!native(A, C, B.source)) return jsKernels.gemmPacked(M, A, B, C, accumulate);
      if (!B.data) throw foreign(name);
      const { N, K } = B;
      // Both threads claim panels of columns; A is read in place.
      const args = [
        M,
        N,
        K,
        A.byteOffset,
        B.data.byteOffset,
        C.byteOffset,
        accumulate ? 1 : 0,
      ];
      const panels = Math.ceil(N / 8), work = M * N * K;
      const chunks = Math.min(16, Math.max(2, work >> 18));
      // Below ~2^17 multiply-adds (batch 1 of a 1×128 model: a few µs) the hand-over costs more than it saves.
      parallel("gemm_prepacked", args, panels, chunkOf(panels, chunks), work >= 131072);
    },

    gatherRows(table, idx, N, out, bias) {
      if (!native(table, out, bias)) return jsKernels.gatherRows(table, idx, N, out, bias);
      ex.gather_rows!(
        table.byteOffset,
        idsPtr(idx),
        N,
        out.byteOffset,
        bias ? bias.byteOffset : 0,
        0,
        idx.length,
      );
    },

    scatterAddRows(table, idx, N, src) {
      if (!native(table, src)) return jsKernels.scatterAddRows(table, idx, N, src);
      ex.scatter_add_rows!(table.byteOffset, idsPtr(idx), idx.length, N, src.byteOffset);
    },

    addRowVector(Y, bias, M, N) {
      if (!native(Y, bias)) return jsKernels.addRowVector(Y, bias, M, N);
      split("add_row_vector", [Y.byteOffset, bias.byteOffset, N], M, M * N);
    },

    sumRowsAccumulate(dY, M, N, dbias) {
      if (!native(dY, dbias)) return jsKernels.sumRowsAccumulate(dY, M, N, dbias);
      ex.sum_rows!(dY.byteOffset, M, N, dbias.byteOffset, 0, N);
    },

    rnnCellForward(a, h, n) {
      if (!native(a, h)) return jsKernels.rnnCellForward(a, h, n);
      split("rnn_forward", [a.byteOffset, h.byteOffset], n, n * 8);
    },

    rnnCellBackward(h, dh, da, n) {
      if (!native(h, dh, da)) return jsKernels.rnnCellBackward(h, dh, da, n);
      split("rnn_backward", [h.byteOffset, dh.byteOffset, da.byteOffset], n, n * 2);
    },

    lstmCellForward(B, H, gates, cPrev, c, tanhC, h) {
      if (!native(gates, cPrev, c, tanhC, h)) {
        return jsKernels.lstmCellForward(B, H, gates, cPrev, c, tanhC, h);
      }
      split(
        "lstm_forward",
        [H, ...at(gates, cPrev, c, tanhC, h)],
        B,
        B * H * 40,
      );
    },

    lstmCellBackward(B, H, gates, cPrev, tanhC, dh, dc, dgates) {
      if (!native(gates, cPrev, tanhC, dh, dc, dgates)) {
        return jsKernels.lstmCellBackward(B, H, gates, cPrev, tanhC, dh, dc, dgates);
      }
      split(
        "lstm_backward",
        [H, ...at(gates, cPrev, tanhC, dh, dc, dgates)],
        B,
        B * H * 16,
      );
    },

    gruCellForward(B, H, xg, hg, bhn, hPrev, gates, hn, h) {
      if (!native(xg, hg, bhn, hPrev, gates, hn, h)) {
        return jsKernels.gruCellForward(B, H, xg, hg, bhn, hPrev, gates, hn, h);
      }
      split(
        "gru_forward",
        [H, ...at(xg, hg, bhn, hPrev, gates, hn, h)],
        B,
        B * H * 30,
      );
    },

    gruCellBackward(B, H, gates, hn, hPrev, dh, dxg, dhg, dhPrev) {
      if (!native(gates, hn, hPrev, dh, dxg, dhg, dhPrev)) {
        return jsKernels.gruCellBackward(B, H, gates, hn, hPrev, dh, dxg, dhg, dhPrev);
      }
      split(
        "gru_backward",
        [H, ...at(gates, hn, hPrev, dh, dxg, dhg, dhPrev)],
        B,
        B * H * 16,
      );
    },

    softmaxXentForward(logits, targets, R, V, probs, losses) {
      if (!native(logits, probs, losses)) {
        return jsKernels.softmaxXentForward(logits, targets, R, V, probs, losses);
      }
      split(
        "softmax_xent_forward",
        [logits.byteOffset, idsPtr(targets.subarray(0, R)), V, probs.byteOffset, losses.byteOffset],
        R,
        R * V * 20,
      );
    },

    softmaxXentBackward(probs, targets, R, V, scale, dlogits) {
      if (!native(probs, dlogits)) {
        return jsKernels.softmaxXentBackward(probs, targets, R, V, scale, dlogits);
      }
      split(
        "softmax_xent_backward",
        [probs.byteOffset, idsPtr(targets.subarray(0, R)), V, scale, dlogits.byteOffset],
        R,
        R * V,
      );
    },

    mulInPlace(x, mask, n) {
      if (!native(x, mask)) return jsKernels.mulInPlace(x, mask, n);
      ex.mul_inplace!(x.byteOffset, mask.byteOffset, n);
    },

    addInPlace(y, x, n) {
      if (!native(y, x)) return jsKernels.addInPlace(y, x, n);
      ex.add_inplace!(y.byteOffset, x.byteOffset, n);
    },

    topKRows(PRE, n, F, k, idx, val) {
      if (!native(PRE, val)) return jsKernels.topKRows(PRE, n, F, k, idx, val);
      if (k < 1 || k > F) throw new RangeError(`Cannot take the top ${k} of ${F} features`);
      const args = [PRE.byteOffset, F, k, indices(idx), val.byteOffset];
      parallel("topk_rows", args, n, chunkOf(n, 8), n * F >= 65536, true);
    },

    sparseDecode(idx, val, n, k, W, D, f0, f1, out) {
      if (!native(val, W, out)) return jsKernels.sparseDecode(idx, val, n, k, W, D, f0, f1, out);
      const args = [indices(idx), val.byteOffset, k, W.byteOffset, D, f0, f1, out.byteOffset];
      parallel("sparse_decode", args, n, chunkOf(n, 8), n * k * D >= 131072);
    },

    sparseDot(idx, n, k, G, W, D, f0, f1, dval) {
      if (!native(G, W, dval)) return jsKernels.sparseDot(idx, n, k, G, W, D, f0, f1, dval);
      const args = [indices(idx), k, G.byteOffset, W.byteOffset, D, f0, f1, dval.byteOffset];
      parallel("sparse_dot", args, n, chunkOf(n, 8), n * k * D >= 131072);
    },

    sparseOuterAccumulate(idx, val, n, k, G, D, f0, f1, dW) {
      if (!native(val, G, dW)) {
        return jsKernels.sparseOuterAccumulate(idx, val, n, k, G, D, f0, f1, dW);
      }
      // Chunks of features: each row of dW is written by one thread, rows in order.
      const args = [indices(idx), val.byteOffset, n, k, G.byteOffset, D, f0, dW.byteOffset];
      const width = f1 - f0;
      if (width > 0) {
        parallel("sparse_outer_accumulate", args, width, chunkOf(width, 8), n * k * D >= 131072);
      }
    },

    transpose(A, R, C, out) {
      if (!native(A, out)) return jsKernels.transpose(A, R, C, out);
      // Blocks of rows of out (columns of A), multiples of 4 for the 4 × 4 tiles.
      parallel(
        "transpose",
        [A.byteOffset, R, C, out.byteOffset],
        C,
        chunkOf(C, 8, 4),
        R * C >= 65536,
      );
    },

    adamUpdate(p, g, m, v, n, hyper) {
      if (!native(p, g, m, v)) return jsKernels.adamUpdate(p, g, m, v, n, hyper);
      // Chunks of whole vectors (multiples of 4 elements) for the SIMD loop.
      const args = [...at(p, g, m, v), ...hyper];
      parallel("adam_update", args, n, chunkOf(n, 8, 4), n >= 16384);
    },
  };
  return k;
}

/**
 * The error for a tensor that is not in a WebAssembly backend's memory.
 *
 * @param backend The backend's name.
 * @returns A TypeError that says how to fix the call.
 */
function foreign(backend: string): TypeError {
  return new TypeError(
    `Cannot run the ${backend} kernels on a tensor outside their memory: it belongs to another backend; ` +
      "create workspaces and states with the model that uses them (model.createWorkspace, model.createState), " +
      "or move the model with model.to(kernels)",
  );
}
