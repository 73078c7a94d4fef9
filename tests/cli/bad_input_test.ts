/**
 * The bad-input table: every `deno task` command, run as the user runs it (a
 * subprocess with the task's own rights), given a mistake. Each must exit 1
 * with one line `error: …` that says what was wrong, print no stack, and
 * change no file: the fixture folder is hashed before and after every case,
 * and the project's `runs/` folder is listed.
 */
import { join } from "node:path";
import { exportCheckpoint } from "../../lib/interop/export.ts";
import { recordCheckpoint } from "../../lib/record/record_checkpoint.ts";
import { train } from "../../lib/train/trainer.ts";
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { fingerprint, ROOT, runTask } from "./_run.ts";

/** One row: a command, its arguments (`@/` is the fixture folder) and the message it must give. */
interface BadInput {
  task: string;
  args: string[];
  message: RegExp;
}

const fx = await Deno.makeTempDir({ prefix: "cellscope-bad-input-" });

/** A folder no new file can be created in: chmod 555, or /sys where root ignores modes. */
async function readOnlyFolder(): Promise<string> {
  const dir = join(fx, "..", `${fx.split("/").at(-1)}-ro`);
  await Deno.mkdir(dir);
  await Deno.chmod(dir, 0o555);
  try {
    await Deno.writeTextFile(join(dir, "probe"), "");
    await Deno.remove(join(dir, "probe"));
    await Deno.chmod(dir, 0o755);
    await Deno.remove(dir);
    return "/sys"; // running as root: the kernel's own read-only folder
  } catch {
    return dir;
  }
}

/** Builds the shared fixture: one small trained run, a recording and files of every kind. */
async function makeFixture(): Promise<string> {
  const text = Array.from(
    { length: 400 },
    (_, i) => `"Line ${i}," she said (quietly).\n`,
  ).join("");
  await Deno.writeTextFile(join(fx, "t.txt"), text);
  await Deno.writeTextFile(join(fx, "empty.txt"), "");
  await Deno.writeTextFile(join(fx, "short.txt"), "abcdefghij");
  await Deno.writeTextFile(join(fx, "oov.txt"), "€ not in the vocabulary €\n");
  await Deno.writeFile(join(fx, "latin1.txt"), new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x0a]));
  // Binary: a fixed byte pattern that is not UTF-8 (0xff never is).
  await Deno.writeFile(
    join(fx, "bin.dat"),
    Uint8Array.from({ length: 4096 }, (_, i) => (i * 37 + 255) & 0xff),
  );
  // Huge: 3 MB on one line whose last byte is not UTF-8 (the message must still be one line).
  const huge = new Uint8Array(3_000_001).fill(0x61);
  huge[3_000_000] = 0xff;
  await Deno.writeFile(join(fx, "huge.txt"), huge);
  await Deno.writeTextFile(join(fx, "notes.txt"), "my own notes, not a cellscope file\n");
  await Deno.writeTextFile(join(fx, "report.html"), "<!DOCTYPE html><p>an old report</p>\n");
  await Deno.writeTextFile(join(fx, "summary.json"), '{"results": []}\n');
  await Deno.mkdir(join(fx, "folder"));
  await train({
    config: {
      text: join(fx, "t.txt"),
      hidden: 8,
      batch: 2,
      seq: 8,
      steps: 4,
      evalEvery: 2,
      sampleEvery: 0,
      minutes: 0,
      out: join(fx, "run"),
      backend: "js",
    },
  });
  await recordCheckpoint({
    checkpoint: join(fx, "run"),
    out: join(fx, "rec.safetensors"),
    chars: 50,
    backend: "js",
  });
  await exportCheckpoint({ checkpoint: join(fx, "run"), out: join(fx, "torch.safetensors") });
  const ckpt = await Deno.readFile(join(fx, "run", "best.safetensors"));
  await Deno.writeFile(join(fx, "trunc.safetensors"), ckpt.subarray(0, ckpt.length >> 1));
  await writeLyingCheckpoints(ckpt);
  const rec = await Deno.readFile(join(fx, "rec.safetensors"));
  await Deno.writeFile(join(fx, "trunc_rec.safetensors"), rec.subarray(0, rec.length - 100));
  return await readOnlyFolder();
}

/** A parsed safetensors header: tensor entries and `__metadata__`, edited freely by the lies below. */
// deno-lint-ignore no-explicit-any
type Header = Record<string, any>;

/** The same safetensors file with its JSON header changed by `edit` (the data untouched). */
function rewriteHeader(file: Uint8Array, edit: (header: Header) => void): Uint8Array {
  const n = Number(new DataView(file.buffer, file.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(file.subarray(8, 8 + n)));
  edit(header);
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (json.length % 8)) % 8);
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + file.length - 8 - n);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  out.set(file.subarray(8 + n), 8 + head.length);
  return out;
}

/** Checkpoints whose headers lie: about their bytes, shapes, version, vocabulary and config. */
async function writeLyingCheckpoints(ckpt: Uint8Array): Promise<void> {
  const lies: Record<string, (h: Header) => void> = {
    // The first tensor claims 1 MB more than the file holds.
    "lying.safetensors": (h) => {
      h[Object.keys(h).find((k) => k !== "__metadata__")!].data_offsets[1] += 1 << 20;
    },
    "lie_hidden.safetensors": (h) => {
      const model = JSON.parse(h.__metadata__.model);
      h.__metadata__.model = JSON.stringify({ ...model, hidden: 9999 });
    },
    "lie_version.safetensors": (h) => h.__metadata__.version = "99",
    "lie_vocab.safetensors": (h) => {
      h.__metadata__.vocab = JSON.stringify(JSON.parse(h.__metadata__.vocab).slice(3));
    },
    "lie_config.safetensors": (h) => {
      h.__metadata__.config = JSON.stringify({ ...JSON.parse(h.__metadata__.config), text: 5 });
    },
  };
  for (const [name, edit] of Object.entries(lies)) {
    await Deno.writeFile(join(fx, name), rewriteHeader(ckpt, edit));
  }
}

const ro = await makeFixture();

const CASES: BadInput[] = [
  // train: texts
  { task: "train", args: ["--text", "@/empty.txt"], message: /Cannot split an empty text/ },
  {
    task: "train",
    args: ["--text", "@/bin.dat"],
    message: /Cannot decode .* as UTF-8: invalid byte/,
  },
  {
    task: "train",
    args: ["--text", "@/latin1.txt"],
    message: /invalid byte 0xE9 at byte offset 3.*iconv/,
  },
  {
    task: "train",
    args: ["--text", "@/missing.txt"],
    message: /Cannot read ".*missing.txt": no such file/,
  },
  { task: "train", args: ["--text", "@/folder"], message: /it is a folder/ },
  {
    task: "train",
    args: ["--text", "@/huge.txt"],
    message: /invalid byte 0xFF at byte offset 3000000 \(line 1\)/,
  },
  {
    task: "train",
    args: ["--text", "@/short.txt", "--batch", "1", "--seq", "2", "--out", "@/newrun"],
    message: /held-out split has 1 characters, fewer than seq \+ 1 = 3/,
  },
  // train: output folders
  {
    task: "train",
    args: ["--text", "@/t.txt", "--out", "@/t.txt"],
    message: /it is a file, not a folder/,
  },
  {
    task: "train",
    args: ["--text", "@/t.txt", "--out", "@/missing/dir/run"],
    message: /the folder ".*missing\/dir" does not exist; create it first/,
  },
  {
    task: "train",
    args: ["--text", "@/t.txt", "--out", "@/run"],
    message: /already holds checkpoints; pass --resume/,
  },
  {
    task: "train",
    args: ["--text", "@/t.txt", "--out", `${ro}/run`],
    message: /is not writable|access is refused/,
  },
  // train: every kind of flag out of range, and unknown ones
  { task: "train", args: ["--hidden", "0"], message: /"hidden" must be a positive integer, got 0/ },
  { task: "train", args: ["--layers", "2.5"], message: /"layers" must be a positive integer/ },
  {
    task: "train",
    args: ["--lr", "-1"],
    message: /"lr" must be a number > 0, got -1 \(flag --lr\)/,
  },
  { task: "train", args: ["--dropout", "1"], message: /"dropout" must be in \[0, 1\)/ },
  {
    task: "train",
    args: ["--val-fraction", "0.7"],
    message: /"valFraction" must be in \(0, 0.5\)/,
  },
  { task: "train", args: ["--lr-decay", "2"], message: /"lrDecay" must be in \(0, 1\]/ },
  { task: "train", args: ["--clip", "-5"], message: /"clip" must be a number ≥ 0/ },
  {
    task: "train",
    args: ["--diverge-factor", "0.5"],
    message: /must be 0 \(off\) or a number > 1/,
  },
  { task: "train", args: ["--threads", "3"], message: /"threads" must be 1 or 2/ },
  {
    task: "train",
    args: ["--model", "tcn"],
    message: /"cell" must be one of rnn, lstm, gru, got "tcn" \(flag --model\)/,
  },
  { task: "train", args: ["--hidden", "lots"], message: /--hidden must be a number, got "lots"/ },
  { task: "train", args: ["--hiden", "3"], message: /Unknown option '--hiden'.*allowed flags/ },
  { task: "train", args: ["--preset", "giant"], message: /Cannot use preset "giant"/ },
  // train: a model far beyond the memory (either backend)
  {
    task: "train",
    args: ["--text", "@/t.txt", "--layers", "50", "--hidden", "100000", "--out", "@/bigrun"],
    message: /memory/i,
  },
  {
    task: "train",
    args: ["--text", "@/t.txt", "--hidden", "100000", "--backend", "js", "--out", "@/bigrun"],
    message: /memory/i,
  },
  {
    task: "train",
    args: [
      ...["--text", "@/t.txt", "--layers", "50", "--hidden", "100000", "--backend", "js"],
      ...["--out", "@/bigrun"],
    ],
    message:
      /Cannot allocate the lstm model \(50 × 100000, .* TiB of memory, and the js kernels have .* \(the machine's memory\); use a smaller model/,
  },
  // train: resuming from wrong, truncated and lying files
  { task: "train", args: ["--resume", "@/trunc.safetensors"], message: /truncated, corrupt/ },
  { task: "train", args: ["--resume", "@/lying.safetensors"], message: /truncated, corrupt/ },
  {
    task: "train",
    args: ["--resume", "@/rec.safetensors"],
    message: /"cellscope-recording", expected "cellscope-checkpoint"/,
  },
  {
    task: "train",
    args: ["--resume", "@/run", "--hidden", "64"],
    message: /the run has hidden 8, 64 was given/,
  },
  // sample
  { task: "sample", args: [], message: /--checkpoint is missing/ },
  {
    task: "sample",
    args: ["--checkpoint", "@/missing.safetensors"],
    message: /missing\.safetensors/,
  },
  { task: "sample", args: ["--checkpoint", "@/t.txt"], message: /not a safetensors file/ },
  { task: "sample", args: ["--checkpoint", "@/trunc.safetensors"], message: /truncated, corrupt/ },
  { task: "sample", args: ["--checkpoint", "@/lying.safetensors"], message: /truncated, corrupt/ },
  {
    task: "sample",
    args: ["--checkpoint", "@/lie_hidden.safetensors"],
    message: /tensor "l0.Wx" has shape \[\d+,32\], the model needs \[\d+,39996\]/,
  },
  {
    task: "sample",
    args: ["--checkpoint", "@/lie_version.safetensors"],
    message: /format version 99, this cellscope reads version 1/,
  },
  {
    task: "sample",
    args: ["--checkpoint", "@/lie_vocab.safetensors"],
    message: /vocabulary has \d+ characters but the model expects \d+/,
  },
  {
    task: "record",
    args: ["--checkpoint", "@/lie_config.safetensors", "--out", "@/new.safetensors"],
    message: /"text" must be a path, got 5/,
  },
  {
    task: "sample",
    args: ["--checkpoint", "@/run", "--temperature", "-1"],
    message: /--temperature must be a number > 0, got -1/,
  },
  {
    task: "sample",
    args: ["--checkpoint", "@/run", "--length", "2.5"],
    message: /--length must be an integer ≥ 0, got 2.5/,
  },
  {
    task: "sample",
    args: ["--checkpoint", "@/run", "--seed", "-3"],
    message: /--seed must be an integer ≥ 0, got -3/,
  },
  {
    task: "sample",
    args: ["--checkpoint", "@/run", "--prime", "€uro"],
    message: /not in the model's .*vocabulary: "€"/,
  },
  {
    task: "sample",
    args: ["--checkpoint", "@/run", "--prime", "€".repeat(30_000)],
    message: /not in the model's .*vocabulary: "€"/,
  },
  {
    task: "sample",
    args: ["--checkpoint", "@/run", "--backend", "gpu"],
    message: /--backend must be wasm or js/,
  },
  // record: overwrites, folders, texts, flags
  {
    task: "record",
    args: ["--checkpoint", "@/run", "--out", "@/run/best.safetensors", "--force"],
    message: /holds a checkpoint, and a recording never replaces a checkpoint, even with --force/,
  },
  {
    task: "record",
    args: ["--checkpoint", "@/run", "--out", "@/rec.safetensors"],
    message: /already holds a recording; pass --force to replace it/,
  },
  {
    task: "record",
    args: ["--checkpoint", "@/run", "--out", "@/report.html"],
    message: /holds a report, and a recording never replaces a report/,
  },
  {
    task: "record",
    args: ["--checkpoint", "@/run", "--out", "@/missing/rec.safetensors"],
    message: /folder ".*missing" does not exist/,
  },
  {
    task: "record",
    args: ["--checkpoint", "@/run", "--out", `${ro}/rec.safetensors`],
    message: /is not writable|access is refused/,
  },
  {
    task: "record",
    args: ["--checkpoint", "@/run", "--text", "@/empty.txt", "--out", "@/new.safetensors"],
    message: /the text has 0 characters; at least 2 are needed/,
  },
  {
    task: "record",
    args: ["--checkpoint", "@/run", "--text", "@/oov.txt", "--out", "@/new.safetensors"],
    message: /not in the \d+-character vocabulary: "€"/,
  },
  {
    task: "record",
    args: ["--checkpoint", "@/lying.safetensors", "--out", "@/new.safetensors"],
    message: /truncated, corrupt/,
  },
  {
    task: "record",
    args: ["--checkpoint", "@/run", "--out", "@/new.safetensors", "--chars", "-5"],
    message: /--chars must be an integer ≥ 0, got -5/,
  },
  {
    task: "record",
    args: ["--checkpoint", "@/run", "--out", "@/new.safetensors", "--split", "dev"],
    message: /--split must be train, val or test/,
  },
  // analyze
  {
    task: "analyze",
    args: ["--recording", "@/run/best.safetensors"],
    message: /not a "cellscope-recording"/,
  },
  {
    task: "analyze",
    args: ["--recording", "@/trunc_rec.safetensors"],
    message: /truncated or corrupt/,
  },
  {
    task: "analyze",
    args: ["--recording", "@/bin.dat"],
    message: /a recording is a ".safetensors" file/,
  },
  {
    task: "analyze",
    args: ["--recording", "@/rec.safetensors", "--json", "@/missing/dir/x.json"],
    message: /the folder ".*missing\/dir" does not exist/,
  },
  {
    task: "analyze",
    args: ["--recording", "@/rec.safetensors", "--json", "@/rec.safetensors"],
    message: /holds a recording, and a JSON file never replaces a recording/,
  },
  {
    task: "analyze",
    args: ["--recording", "@/rec.safetensors", "--json", "@/notes.txt"],
    message: /holds a file, and a JSON file never replaces a file/,
  },
  {
    task: "analyze",
    args: ["--recording", "@/rec.safetensors", "--json", "@/run/config.json"],
    message: /holds a run file/,
  },
  {
    task: "analyze",
    args: ["--recording", "@/rec.safetensors", "--top", "0"],
    message: /--top must be an integer ≥ 1, got 0/,
  },
  {
    task: "analyze",
    args: ["--recording", "@/rec.safetensors", "--hypotheses", "nonsense"],
    message: /Cannot find hypothesis "nonsense"/,
  },
  {
    task: "analyze",
    args: ["--recording", "@/rec.safetensors", "--causal", "--no-causal"],
    message: /give --causal or --no-causal, not both/,
  },
  {
    task: "analyze",
    args: ["--recording", "@/rec.safetensors", "--causal-top", "0"],
    message: /--causal-top must be an integer ≥ 1, got 0/,
  },
  {
    task: "analyze",
    args: ["--recording", "@/rec.safetensors", "--causal", "--checkpoint", "@/nowhere"],
    message: /nowhere/,
  },
  // probe
  {
    task: "probe",
    args: ["--recording", "@/run/best.safetensors"],
    message: /not a "cellscope-recording"/,
  },
  {
    task: "probe",
    args: ["--recording", "@/rec.safetensors", "--json", "@/rec.safetensors"],
    message: /holds a recording, and a JSON file never replaces a recording/,
  },
  {
    task: "probe",
    args: ["--recording", "@/rec.safetensors", "--hypotheses", "nonsense"],
    message: /Cannot find hypothesis "nonsense"/,
  },
  {
    task: "probe",
    args: ["--recording", "@/rec.safetensors", "--max-chars", "5"],
    message: /--max-chars must be an integer ≥ 100, got 5/,
  },
  // dictionary
  {
    task: "dictionary",
    args: ["--recording", "@/rec.safetensors", "--out", "@/d.safetensors"],
    message: /--signal is required/,
  },
  {
    task: "dictionary",
    args: ["--recording", "@/rec.safetensors", "--signal", "l7.h", "--out", "@/d.safetensors"],
    message: /Cannot train a dictionary on "l7.h": the recording has no such per-unit signal/,
  },
  {
    task: "dictionary",
    args: [
      "--recording",
      "@/rec.safetensors",
      "--signal",
      "l0.h",
      "--out",
      "@/run/best.safetensors",
    ],
    message: /holds a checkpoint, and a dictionary never replaces a checkpoint/,
  },
  {
    task: "dictionary",
    args: ["--recording", "@/rec.safetensors", "--signal", "l0.h", "--out", "@/d.bin"],
    message: /--out ".*d.bin" must end in .safetensors/,
  },
  {
    task: "dictionary",
    args: [
      "--recording",
      "@/rec.safetensors",
      "--signal",
      "l0.h",
      "--out",
      "@/d.safetensors",
      "--topk",
      "-1",
    ],
    message: /--topk must be an integer ≥ 0, got -1/,
  },
  // clamp
  {
    task: "clamp",
    args: ["--checkpoint", "@/run", "--unit", "l9.c[0]"],
    message: /the model has 1 layer/,
  },
  {
    task: "clamp",
    args: ["--checkpoint", "@/run", "--unit", "l0.c[99]"],
    message: /must be an integer in \[0, 7\]/,
  },
  {
    task: "clamp",
    args: ["--checkpoint", "@/run", "--feature", "banana"],
    message: /Cannot parse feature "banana"/,
  },
  {
    task: "clamp",
    args: ["--checkpoint", "@/run", "--feature", "@/notes.txt:3"],
    message: /Cannot load dictionary ".*notes.txt": the file is corrupt/,
  },
  {
    task: "clamp",
    args: ["--checkpoint", "@/run", "--unit", "l0.c[1]", "--feature", "@/d.safetensors:1"],
    message: /--unit or --feature is required, not both/,
  },
  {
    task: "clamp",
    args: ["--checkpoint", "@/run", "--unit", "banana"],
    message: /Cannot parse unit "banana"/,
  },
  {
    task: "clamp",
    args: ["--checkpoint", "@/run", "--unit", "l0.c[1]", "--value", "hot"],
    message: /--value must be a number, "zero" or "mean"/,
  },
  {
    task: "clamp",
    args: ["--checkpoint", "@/run", "--unit", "l0.c[1]", "--controls", "-1"],
    message: /--controls must be an integer ≥ 0, got -1/,
  },
  {
    task: "clamp",
    args: ["--checkpoint", "@/run", "--unit", "l0.c[1]", "--text", "@/empty.txt"],
    message: /has 0 characters, and at least 2 are needed/,
  },
  {
    task: "clamp",
    args: ["--checkpoint", "@/run", "--unit", "l0.c[1]", "--text", "@/latin1.txt"],
    message: /as UTF-8/,
  },
  // report: output checked before any work
  {
    task: "report",
    args: ["--run", "@/run", "--out", "@/missing/dir/r.html"],
    message: /the folder ".*missing\/dir" does not exist/,
  },
  {
    task: "report",
    args: ["--run", "@/run", "--out", "@/rec.safetensors"],
    message: /a report never replaces a recording/,
  },
  {
    task: "report",
    args: ["--run", "@/run", "--out", "@/run/best.safetensors"],
    message: /a report never replaces a checkpoint/,
  },
  {
    task: "report",
    args: ["--run", "@/run", "--out", "@/folder"],
    message: /is a folder; give a file name/,
  },
  {
    task: "report",
    args: ["--run", "@/t.txt", "--out", "@/r.html"],
    message: /no such run folder/,
  },
  {
    task: "report",
    args: ["--run", "@/run", "--out", "@/r.html", "--chars", "1"],
    message: /--chars must be an integer ≥ 2, got 1/,
  },
  {
    task: "report",
    args: ["--run", "@/run", "--out", "@/r.html", "--errors", "@/missing.json"],
    message: /Cannot read the errors JSON ".*missing\.json": no such file/,
  },
  {
    task: "report",
    args: ["--run", "@/run", "--out", "@/r.html", "--errors", "@/t.txt"],
    message: /Cannot read the errors JSON ".*t\.txt": not JSON/,
  },
  {
    task: "report",
    args: ["--run", "@/run", "--out", "@/r.html", "--compare", "@/folder"],
    message: /Cannot find a checkpoint in ".*folder"/,
  },
  // export and import
  {
    task: "export",
    args: ["--checkpoint", "@/run", "--out", "@/run/best.safetensors"],
    message: /holds a checkpoint, and a PyTorch export never replaces a checkpoint/,
  },
  {
    task: "export",
    args: ["--checkpoint", "@/run", "--out", "@/rec.safetensors"],
    message: /a PyTorch export never replaces a recording/,
  },
  {
    task: "export",
    args: ["--checkpoint", "@/run", "--out", "@/missing/m.safetensors"],
    message: /the folder ".*missing" does not exist/,
  },
  {
    task: "export",
    args: ["--checkpoint", "@/trunc.safetensors", "--out", "@/m.safetensors"],
    message: /truncated, corrupt/,
  },
  {
    task: "import",
    args: ["--from", "@/torch.safetensors", "--out", "@/run"],
    message: /already holds checkpoints; choose a new --out folder/,
  },
  {
    task: "import",
    args: ["--from", "@/torch.safetensors", "--out", "@/t.txt"],
    message: /it is a file, not a folder/,
  },
  {
    task: "import",
    args: ["--from", "@/torch.safetensors", "--out", "@/missing/run"],
    message: /the folder ".*missing" does not exist/,
  },
  {
    task: "import",
    args: ["--from", "@/run/best.safetensors", "--out", "@/imported"],
    message: /expected rnn.weight_hh_l0 .* found l0.Wh/,
  },
  {
    task: "import",
    args: ["--from", "@/lying.safetensors", "--out", "@/imported"],
    message: /truncated, corrupt/,
  },
  // snapshots, evolve, compare, sweep
  {
    task: "train",
    args: ["--text", "@/t.txt", "--snapshots", "-1"],
    message: /"snapshots" must be a non-negative integer, got -1 \(flag --snapshots\)/,
  },
  { task: "evolve", args: [], message: /--run is required/ },
  { task: "evolve", args: ["--run", "@/run"], message: /holds no snapshots.*--snapshots N/ },
  {
    task: "evolve",
    args: ["--run", "@/run", "--chars", "1"],
    message: /--chars must be an integer ≥ 2/,
  },
  {
    task: "evolve",
    args: ["--run", "@/run", "--json", "@/rec.safetensors"],
    message: /holds a recording, and a JSON file never replaces a recording/,
  },
  {
    task: "evolve",
    args: ["--run", "@/run", "--ngram", "0,3"],
    message: /--ngram has "0"; orders are integers in 1 … 20/,
  },
  { task: "compare", args: ["--runs", "@/run"], message: /give at least two/ },
  {
    task: "compare",
    args: ["--runs", "@/run", "@/run", "--match", "x"],
    message: /--match must be h or c, got "x"/,
  },
  { task: "compare", args: ["--sweep", "@/folder"], message: /holds no sweep.json/ },
  { task: "sweep", args: ["--cells", "lstm"], message: /--minutes is required/ },
  {
    task: "sweep",
    args: ["--minutes", "1", "--cells", "lstm,transformer"],
    message: /--cells has "transformer"; cell types are rnn, lstm, gru/,
  },
  { task: "sweep", args: ["--minutes", "1", "--params", "lots"], message: /e\.g\. 50k, 200k/ },
  {
    task: "sweep",
    args: ["--minutes", "1", "--out", "@/missing/sweep"],
    message: /the parent folder of --out ".*missing\/sweep" does not exist/,
  },
  // corpus and bench
  {
    task: "corpus",
    args: ["fetch", "nosuch"],
    message: /Cannot find corpus "nosuch": it is not in the catalogue/,
  },
  { task: "corpus", args: ["frobnicate"], message: /unknown command "frobnicate"/ },
  { task: "corpus", args: ["--nope"], message: /Unknown option '--nope'/ },
  { task: "bench", args: ["--seconds", "-1"], message: /--seconds must be > 0/ },
  { task: "bench", args: ["--threads", "3"], message: /--threads must be 1 or 2/ },
  { task: "bench", args: ["--only", "transformer"], message: /is not a benchmark model/ },
  {
    task: "notebooks",
    args: ["--timeout", "-5"],
    message: /--timeout must be a positive integer of seconds, got "-5"/,
  },
  { task: "notebooks", args: ["--nope"], message: /Unknown option '--nope'/ },
  // baseline and errors (n-grams against a model)
  { task: "baseline", args: [], message: /say which text, e.g. deno task baseline --corpus/ },
  {
    task: "baseline",
    args: ["--corpus", "warpeace", "--text", "@/t.txt"],
    message: /give --corpus or --text, not both/,
  },
  { task: "baseline", args: ["--text", "@/t.txt", "--orders", "0-5"], message: /--orders "0-5"/ },
  { task: "baseline", args: ["--text", "@/short.txt"], message: /0 for test; use a longer text/ },
  {
    task: "baseline",
    args: ["--text", "@/oov.txt", "--checkpoint", "@/run"],
    message: /not in the \d+-character vocabulary/,
  },
  {
    task: "baseline",
    args: ["--text", "@/t.txt", "--json", "@/report.html"],
    message: /never replaces a report/,
  },
  { task: "errors", args: ["--json", "@/o.json"], message: /--checkpoint is required/ },
  { task: "errors", args: ["--checkpoint", "@/run"], message: /--json is required/ },
  {
    task: "errors",
    args: ["--checkpoint", "@/run", "--compare", "@/nosuch", "--json", "@/o.json"],
    message: /Cannot load checkpoint .*nosuch/,
  },
  {
    task: "errors",
    args: ["--checkpoint", "@/run", "--text", "@/oov.txt", "--json", "@/o.json"],
    message: /not in the \d+-character vocabulary/,
  },
  {
    task: "errors",
    args: ["--checkpoint", "@/run", "--json", "@/folder"],
    message: /is a folder; give a file name inside it/,
  },
];

async function runsListing(): Promise<string[]> {
  try {
    return (await Array.fromAsync(Deno.readDir(join(ROOT, "runs")))).map((e) => e.name).sort();
  } catch {
    return [];
  }
}

Deno.test({
  name: "every deno task command answers bad input with one line, exit 1, and no file changed",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (t) => {
    assert(CASES.length >= 40, `the table has ${CASES.length} cases`);
    const fixtureBefore = await fingerprint(fx);
    const runsBefore = await runsListing();
    // Two at a time: the cases share no state, and the fixture is compared after each pair.
    for (let i = 0; i < CASES.length; i += 2) {
      const pair = CASES.slice(i, i + 2);
      const results = await Promise.all(
        pair.map((c) => runTask(c.task, c.args.map((a) => a.replaceAll("@/", `${fx}/`)))),
      );
      for (const [j, c] of pair.entries()) {
        const r = results[j]!;
        const label = `${c.task} ${c.args.join(" ").replaceAll("@/", "").slice(0, 80)}`;
        await t.step(label, () => {
          const lines = r.stderr.split("\n").filter((l) => l.trim() !== "");
          const context = `stderr:\n${r.stderr}`;
          assertEquals(r.code, 1, context);
          assertEquals(lines.filter((l) => l.startsWith("error")).length, 1, context);
          assertMatch(lines.at(-1)!, /^error: \S/, context);
          assertMatch(lines.at(-1)!, c.message, context);
          for (const l of lines) {
            assert(!/^\s+at |Uncaught|Stack backtrace/.test(l), `a stack trace: ${l}`);
          }
        });
      }
      assertEquals(
        await fingerprint(fx),
        fixtureBefore,
        `files changed by ${pair.map((c) => c.args.join(" "))}`,
      );
      assertEquals(await runsListing(), runsBefore, "a run folder appeared under runs/");
    }
    if (ro !== "/sys") {
      await Deno.chmod(ro, 0o755);
      await Deno.remove(ro, { recursive: true });
    }
    await Deno.remove(fx, { recursive: true });
  },
});
