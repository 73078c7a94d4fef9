import {
  BENCH_CASES,
  DEFAULT_PYTHON,
  flopsPerChar,
  formatTable,
  parseBenchArgs,
  QUICK_SECONDS,
  RECORD_CASES,
} from "../../bench/bench.ts";
import type { Kernels } from "../../lib/kernels/backend.ts";
import { jsKernels } from "../../lib/kernels/js.ts";
import { CELL_KINDS } from "../../lib/nn/cell.ts";
import { createModel, type ModelConfig } from "../../lib/nn/model.ts";
import { assert, assertEquals, assertStrictEquals, assertThrows } from "../_assert.ts";

Deno.test("flopsPerChar() matches hand counts for tiny models", () => {
  const lstm = { cell: "lstm", layers: 1, hidden: 2, vocabSize: 3, embed: 0 } as const;
  // G = 4·2 = 8; recurrent 8·2 = 16 and decoder 2·3 = 6 multiply-adds: 22 → 44 FLOPs forward.
  assertStrictEquals(flopsPerChar(lstm, "record"), 44);
  assertStrictEquals(flopsPerChar(lstm, "train"), 132);
  // An embedding of 3 adds the input product 3·8 = 24 multiply-adds.
  assertStrictEquals(flopsPerChar({ ...lstm, embed: 3 }, "record"), 92);
  // A second layer adds (2 + 2)·8 = 32 multiply-adds.
  assertStrictEquals(flopsPerChar({ ...lstm, layers: 2 }, "record"), 108);
  // GRU: G = 6 → 12 + 6 = 18; RNN: G = 2 → 4 + 6 = 10.
  assertStrictEquals(flopsPerChar({ ...lstm, cell: "gru" }, "record"), 36);
  assertStrictEquals(flopsPerChar({ ...lstm, cell: "rnn" }, "record"), 20);
  // min-char-rnn: 100·100 + 100·65 = 16500 multiply-adds.
  assertStrictEquals(
    flopsPerChar({ cell: "rnn", layers: 1, hidden: 100, vocabSize: 65, embed: 0 }, "train"),
    99000,
  );
});

Deno.test("flopsPerChar() equals the 2·M·N·K of every GEMM the model runs", async (t) => {
  for (const cell of CELL_KINDS) {
    for (const embed of [0, 3]) {
      await t.step(`${cell}, embed ${embed}`, () => {
        const config: ModelConfig = { cell, vocabSize: 5, hidden: 4, layers: 2, embed, dropout: 0 };
        const base = jsKernels;
        let flops = 0;
        const counting: Kernels = {
          ...base,
          gemm(transA, transB, M, N, K, A, Bm, C, accumulate) {
            flops += 2 * M * N * K;
            base.gemm(transA, transB, M, N, K, A, Bm, C, accumulate);
          },
          gemmPacked(M, A, Bp, C, accumulate) {
            flops += 2 * M * Bp.N * Bp.K;
            base.gemmPacked(M, A, Bp, C, accumulate);
          },
        };
        const model = createModel(config, 1, "float32", counting);
        const T = 3, B = 2;
        const ws = model.createWorkspace(T, B);
        const ids = Int32Array.from([0, 1, 2, 3, 4, 0]);
        model.forward(ws, ids, null, model.createState(B));
        assertStrictEquals(flops, flopsPerChar(config, "record") * T * B, "forward");
        flops = 0;
        model.forward(ws, ids, ids, model.createState(B));
        model.backward(ws);
        assertStrictEquals(flops, flopsPerChar(config, "train") * T * B, "train");
      });
    }
  }
});

Deno.test("parseBenchArgs() selects cases and rejects bad flags", () => {
  const all = parseBenchArgs([]);
  assertStrictEquals(all.cases.length, BENCH_CASES.length);
  assertEquals(all.cases.map((c) => `${c.mode} ${c.model} B${c.batch} T${c.seq}`), [
    "train lstm-1x128 B32 T64",
    "train lstm-2x256 B32 T64",
    "train lstm-3x512 B50 T50",
    "train rnn-1x100 B1 T25",
    "record lstm-1x128 B1 T50",
    "record lstm-2x256 B1 T50",
    "record lstm-3x512 B1 T50",
    "sample lstm-1x128 B1 T50",
    "sample lstm-2x256 B1 T50",
    "sample lstm-3x512 B1 T50",
  ]);
  const some = parseBenchArgs(["--quick", "--only", "lstm-2x256", "--mode", "record", "--json"]);
  assertStrictEquals(some.seconds, QUICK_SECONDS);
  assertEquals(some.cases, [RECORD_CASES[1]]);
  assert(some.json);
  assertStrictEquals(parseBenchArgs(["--seconds", "2"]).seconds, 2);
  assertStrictEquals(all.pytorch, null);
  const against = parseBenchArgs(["--pytorch", "--rounds", "3"]);
  assertEquals([against.pytorch, against.rounds], [DEFAULT_PYTHON, 3]);
  assertStrictEquals(parseBenchArgs(["--pytorch", "--python", "/opt/py"]).pytorch, "/opt/py");
  const bad: [string[], RegExp][] = [
    [["--only", "lstm-9x9"], /^Cannot run "bench": --only "lstm-9x9" is not a benchmark model/],
    [["--quick", "--seconds", "1"], /--quick and --seconds both set the time per case/],
    [["--seconds", "0"], /--seconds must be > 0, got "0"$/],
    [["--mode", "eval"], /--mode must be "train", "record" or "sample", got "eval"$/],
    [["--only", "rnn-1x100", "--mode", "record"], /no case is both --only rnn-1x100/],
    [["--fast"], /Unknown option '--fast'/],
    [["--rounds", "2"], /--rounds and --python only apply with --pytorch/],
    [["--pytorch", "--rounds", "0"], /--rounds must be a whole number ≥ 1, got "0"$/],
  ];
  for (const [args, message] of bad) {
    assertThrows(() => parseBenchArgs(args), { name: "CellscopeError", message }, args.join(" "));
  }
});

Deno.test("formatTable() aligns a header and one row per result", () => {
  const result = {
    mode: "train",
    model: "rnn-1x100",
    cell: "rnn",
    layers: 1,
    hidden: 100,
    batch: 1,
    seq: 25,
    vocab: 65,
    chunks: 10,
    seconds: 1,
    chars_per_s: 250,
    gflops: 0.02475,
    flops_per_char: 99000,
    clip: 5,
    backend: "js",
  } as const;
  assertEquals(formatTable([result]).split("\n"), [
    "mode   model      B   T  chunks  chars/s  GFLOP/s  MFLOP/char  backend",
    "train  rnn-1x100  1  25      10      250    0.025       0.099  js",
  ]);
  // With --pytorch, PyTorch's figure and the ratio come before the backend.
  assertEquals(formatTable([{ ...result, pytorch_chars_per_s: 500, ratio: 0.5 }]).split("\n"), [
    "mode   model      B   T  chunks  chars/s  GFLOP/s  MFLOP/char  PyTorch 1t  ratio  backend",
    "train  rnn-1x100  1  25      10      250    0.025       0.099         500  0.50×  js",
  ]);
});
