/**
 * The WebAssembly SIMD kernels backend: the GEMMs and fused element-wise
 * steps of `wasm/assembly/` (AssemblyScript, compiled to
 * `wasm/kernels-relaxed.wasm` with relaxed-SIMD fused multiply-add and
 * `wasm/kernels-simd.wasm` without), running on one shared
 * `WebAssembly.Memory`. Tensors allocated through this backend live in that
 * memory, so kernels take their byte offsets and nothing is copied. Any call
 * with an array outside it (float64 tensors, plain arrays) runs on the
 * TypeScript reference backend instead, so results are always defined.
 *
 * With `threads: 2`, a Deno Worker shares the memory and takes half of each
 * large kernel (rows of a GEMM, rows of a batch); jobs are handed over through
 * `Atomics` on a control block in the same memory, with no messages per call.
 *
 * @module
 */
import type { FloatDtype, Kernels, Vec } from "./backend.ts";
import { jsKernels } from "./js.ts";

/** Options of {@linkcode createWasmKernels}. */
export interface WasmKernelsOptions {
  /** Threads: 1 (this one) or 2 (plus one worker). @default 2 when 2+ cores are available */
  threads?: 1 | 2;
  /** Use the relaxed-SIMD build when the runtime validates it. @default true */
  relaxed?: boolean;
}

/** The WebAssembly backend: a {@linkcode Kernels} with a `close()` for its worker. */
export interface WasmKernels extends Kernels {
  /** Which build runs: `"relaxed-simd"` or `"simd"`. */
  readonly build: "relaxed-simd" | "simd";
  /** Threads in use (1 after `close()`). */
  readonly threads: number;
  /** Bytes of the shared memory in use by tensors. */
  heapBytes(): number;
  /** Stops the worker thread; the backend stays usable on this thread alone. */
  close(): void;
}

type Exports = Record<string, (...args: number[]) => number | void>;

const PAGE = 65536;
const MAX_PAGES = 65536; // 4 GiB of address space, reserved lazily
const CONTROL_BYTES = 4096;
// control block layout (Int32 slots, then Float64 args from byte 256)
const SEQ = 0, DONE = 1, FN = 2, STOP = 3;
const ARGS_AT = 256;

/** Bump allocator over the shared memory, with exact-size reuse of freed blocks. */
class Heap {
  readonly memory: WebAssembly.Memory;
  #top: number;
  #used = 0;
  readonly #free = new Map<number, number[]>();
  readonly #buffers = new WeakSet<ArrayBufferLike>();
  readonly #registry = new FinalizationRegistry<[number, number]>(([at, bytes]) => {
    const list = this.#free.get(bytes) ?? [];
    list.push(at);
    this.#free.set(bytes, list);
    this.#used -= bytes;
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
    const bytes = Math.max(64, Math.ceil((n * 4) / 64) * 64);
    const reuse = this.#free.get(bytes)?.pop();
    const at = reuse ?? this.reserve(bytes);
    const view = new Float32Array(this.memory.buffer, at, n);
    if (reuse !== undefined) view.fill(0);
    this.#buffers.add(this.memory.buffer);
    this.#used += bytes;
    this.#registry.register(view, [at, bytes]);
    return view;
  }

  i32Scratch(at: number, n: number): Int32Array {
    return new Int32Array(this.memory.buffer, at, n);
  }

  get used(): number {
    return this.#used;
  }
}

/**
 * Loads a compiled kernels module, preferring the relaxed-SIMD build.
 *
 * @param relaxed Try the relaxed-SIMD build first.
 * @returns The compiled module and which build it is.
 * @throws {Error} When the runtime has no WebAssembly SIMD.
 */
export async function loadKernelsModule(
  relaxed = true,
): Promise<{ module: WebAssembly.Module; build: "relaxed-simd" | "simd" }> {
  const builds = relaxed ? (["relaxed-simd", "simd"] as const) : (["simd"] as const);
  for (const build of builds) {
    const file = build === "relaxed-simd" ? "kernels-relaxed.wasm" : "kernels-simd.wasm";
    const bytes = await Deno.readFile(new URL(`./wasm/${file}`, import.meta.url));
    if (WebAssembly.validate(bytes)) return { module: await WebAssembly.compile(bytes), build };
  }
  throw new Error(
    "Cannot load the WebAssembly kernels: this runtime lacks WebAssembly SIMD; use the TypeScript backend (jsKernels)",
  );
}

/**
 * Creates the WebAssembly backend. Select it with `setKernels(await
 * createWasmKernels())` before building models; call `close()` when done so
 * the worker thread ends.
 *
 * @param opts Threads and build.
 * @returns The backend.
 *
 * @example Multiply on the WebAssembly backend
 * ```ts
 * import { createWasmKernels } from "./wasm.ts";
 * const k = await createWasmKernels({ threads: 1 });
 * const A = k.alloc("float32", 2) as Float32Array, B = k.alloc("float32", 2) as Float32Array;
 * const C = k.alloc("float32", 4) as Float32Array;
 * A.set([1, 2]);
 * B.set([3, 4]);
 * k.gemm(false, false, 2, 2, 1, A, B, C, false);
 * console.log(Array.from(C)); // [3, 4, 6, 8]
 * k.close();
 * ```
 */
export async function createWasmKernels(opts: WasmKernelsOptions = {}): Promise<WasmKernels> {
  const { module, build } = await loadKernelsModule(opts.relaxed ?? true);
  const memory = new WebAssembly.Memory({ initial: 64, maximum: MAX_PAGES, shared: true });
  const instance = await WebAssembly.instantiate(module, {
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
  let pool = threads === 2 ? await startWorker(module, memory, control) : null;

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
  /** Byte offsets of wasm-resident arrays, the kernels' pointer arguments. */
  const at = (...vs: Vec[]): number[] => vs.map((v) => v.byteOffset);
  const ours = (...vs: (Vec | null)[]): boolean =>
    vs.every((v) => v === null || (v instanceof Float32Array && heap.owns(v)));

  /** Runs a GEMM-like `fn(args…, [scratch,] i0, i1)` over rows [0, M), halves in multiples of 4 rows. */
  const splitRows = (
    fn: string,
    args: number[],
    M: number,
    flops: number,
    scratch?: [number, number],
  ) => {
    const own = scratch ? [scratch[0]] : [], other = scratch ? [scratch[1]] : [];
    if (pool && M >= 8 && flops >= 65536) {
      const mid = (M >> 3) << 2;
      pool.start(fn, [...args, ...other, mid, M]);
      ex[fn]!(...args, ...own, 0, mid);
      pool.wait();
    } else {
      ex[fn]!(...args, ...own, 0, M);
    }
  };

  /** Runs `fn(args…, from, to)` over [0, total), split in two when worth it. */
  const split = (fn: string, args: number[], total: number, work: number): void => {
    if (pool && total >= 2 && work >= 32768) {
      const mid = total >> 1;
      pool.start(fn, [...args, mid, total]);
      ex[fn]!(...args, 0, mid);
      pool.wait();
    } else {
      ex[fn]!(...args, 0, total);
    }
  };

  const k: WasmKernels = {
    name: `wasm-${build === "relaxed-simd" ? "relaxed" : "simd"}-${threads}t`,
    build,
    threads,
    heapBytes: () => heap.used,
    close: () => {
      pool?.stop();
      pool = null;
    },

    alloc(dtype: FloatDtype, n: number): Vec {
      return dtype === "float64" ? new Float64Array(n) : heap.f32(n);
    },

    gemm(transA, transB, M, N, K, A, B, C, accumulate) {
      if (!ours(A, B, C) || (transA && transB)) {
        return jsKernels.gemm(transA, transB, M, N, K, A, B, C, accumulate);
      }
      const acc = accumulate ? 1 : 0;
      // op(A)·B goes through the packed kernel (contiguous panels, no
      // cache-set aliasing); A·Bᵀ is dot products of rows, read in place.
      if (!transB) {
        const [sai, sak] = transA ? [1, M] : [K, 1];
        const args = [M, N, K, A.byteOffset, sai, sak, B.byteOffset, N, 1, C.byteOffset, acc];
        return splitRows("gemm_packed", args, M, M * N * K, [scratch1, scratch2]);
      }
      splitRows("gemm_nt", [M, N, K, ...at(A, B, C), acc], M, M * N * K);
    },

    packMatrix(B, K, N, trans, reuse) {
      if (!ours(B)) return jsKernels.packMatrix(B, K, N, trans, null);
      const floats = Math.ceil(N / 8) * 8 * K;
      const data = reuse?.data && reuse.data.length === floats ? reuse.data : heap.f32(floats);
      ex.pack_panels!(B.byteOffset, K, N, trans ? 1 : N, trans ? K : 1, data.byteOffset);
      return { K, N, trans, source: B, data };
    },

    gemmPacked(M, A, B, C, accumulate) {
      if (!B.data || !ours(A, C)) return jsKernels.gemmPacked(M, A, B, C, accumulate);
      const args = [M, B.N, B.K, ...at(A, B.data, C), accumulate ? 1 : 0];
      const panels = Math.ceil(B.N / 8);
      if (pool && M < 8 && panels >= 16 && M * B.N * B.K >= 65536) {
        // A few rows (batch 1): split the columns instead, in whole panels.
        const mid = panels >> 1;
        pool.start("gemm_prepacked_cols", [...args, 0, M, mid, panels]);
        ex.gemm_prepacked_cols!(...args, 0, M, 0, mid);
        pool.wait();
        return;
      }
      splitRows("gemm_prepacked", args, M, M * B.N * B.K);
    },

    gatherRows(table, idx, N, out, bias) {
      if (!ours(table, out, bias)) return jsKernels.gatherRows(table, idx, N, out, bias);
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
      if (!ours(table, src)) return jsKernels.scatterAddRows(table, idx, N, src);
      ex.scatter_add_rows!(table.byteOffset, idsPtr(idx), idx.length, N, src.byteOffset);
    },

    addRowVector(Y, bias, M, N) {
      if (!ours(Y, bias)) return jsKernels.addRowVector(Y, bias, M, N);
      split("add_row_vector", [Y.byteOffset, bias.byteOffset, N], M, M * N);
    },

    sumRowsAccumulate(dY, M, N, dbias) {
      if (!ours(dY, dbias)) return jsKernels.sumRowsAccumulate(dY, M, N, dbias);
      ex.sum_rows!(dY.byteOffset, M, N, dbias.byteOffset, 0, N);
    },

    rnnCellForward(a, h, n) {
      if (!ours(a, h)) return jsKernels.rnnCellForward(a, h, n);
      split("rnn_forward", [a.byteOffset, h.byteOffset], n, n * 8);
    },

    rnnCellBackward(h, dh, da, n) {
      if (!ours(h, dh, da)) return jsKernels.rnnCellBackward(h, dh, da, n);
      split("rnn_backward", [h.byteOffset, dh.byteOffset, da.byteOffset], n, n * 2);
    },

    lstmCellForward(B, H, gates, cPrev, c, tanhC, h) {
      if (!ours(gates, cPrev, c, tanhC, h)) {
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
      if (!ours(gates, cPrev, tanhC, dh, dc, dgates)) {
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
      if (!ours(xg, hg, bhn, hPrev, gates, hn, h)) {
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
      if (!ours(gates, hn, hPrev, dh, dxg, dhg, dhPrev)) {
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
      if (!ours(logits, probs, losses)) {
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
      if (!ours(probs, dlogits)) {
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
      if (!ours(x, mask)) return jsKernels.mulInPlace(x, mask, n);
      ex.mul_inplace!(x.byteOffset, mask.byteOffset, n);
    },

    addInPlace(y, x, n) {
      if (!ours(y, x)) return jsKernels.addInPlace(y, x, n);
      ex.add_inplace!(y.byteOffset, x.byteOffset, n);
    },
  };
  return k;
}

/** The worker half of the two-thread pool. */
interface Pool {
  start(fn: string, args: number[]): void;
  wait(): void;
  stop(): void;
}

async function startWorker(
  module: WebAssembly.Module,
  memory: WebAssembly.Memory,
  control: number,
): Promise<Pool> {
  const ctl = new Int32Array(memory.buffer, control, ARGS_AT / 4);
  const args = new Float64Array(memory.buffer, control + ARGS_AT, (CONTROL_BYTES - ARGS_AT) / 8);
  const names: string[] = WebAssembly.Module.exports(module)
    .filter((e) => e.kind === "function")
    .map((e) => e.name);
  const worker = new Worker(new URL("./wasm/worker.ts", import.meta.url).href, { type: "module" });
  await new Promise<void>((resolve, reject) => {
    worker.onmessage = () => resolve();
    worker.onerror = (e) => {
      e.preventDefault();
      reject(new Error(`Cannot start the kernels worker: ${e.message}`));
    };
    worker.postMessage({ module, memory, control, names });
  });
  let seq = 0, stopped = false;
  return {
    start(fn, values) {
      const index = names.indexOf(fn);
      args.set(values);
      Atomics.store(ctl, FN, index);
      Atomics.store(ctl, 4, values.length);
      seq++;
      Atomics.store(ctl, SEQ, seq);
      Atomics.notify(ctl, SEQ);
    },
    wait() {
      // Spin briefly (jobs are short), then sleep on the counter.
      for (let spin = 0; Atomics.load(ctl, DONE) !== seq; spin++) {
        if (spin > 2000) Atomics.wait(ctl, DONE, Atomics.load(ctl, DONE), 1);
      }
    },
    stop() {
      if (stopped) return;
      stopped = true;
      Atomics.store(ctl, STOP, 1);
      Atomics.store(ctl, SEQ, ++seq);
      Atomics.notify(ctl, SEQ);
      worker.terminate();
    },
  };
}
