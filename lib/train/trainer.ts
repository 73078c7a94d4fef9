/**
 * The training loop: truncated BPTT over B carried streams, gradient
 * clipping, an optimizer step, learning-rate decay; validation on the whole
 * validation split (one stream, state carried) with an atomic checkpoint,
 * every `evalEvery` steps or spaced by time so that everything outside the
 * training steps stays within `evalOverhead` of the wall time; samples; a
 * time budget; exact resume. Eval and end events of the log report that
 * overhead (`overheadSeconds`, `overheadFraction`).
 *
 * A run folder holds `config.json` (the resolved configuration), `log.jsonl`
 * (one JSON object per event: start, eval, sample, end), `latest.safetensors`
 * and `best.safetensors`, and with `snapshots` set, `snapshots/step-<k>.safetensors`
 * (weights only; the policy is in `snapshots.ts`).
 *
 * @module
 */
import { join, resolve } from "node:path";
import { Batcher } from "../data/batcher.ts";
import { projectRoot } from "../data/corpora.ts";
import { splitIds } from "../data/split.ts";
import { diffVocab, quoteChar, Vocab } from "../data/vocab.ts";
import { CellscopeError } from "../errors.ts";
import { writeFileAtomic } from "../io/atomic.ts";
import { checkNewRunFolder } from "../io/output.ts";
import type { Kernels } from "../kernels/backend.ts";
import { kernelsNamed } from "../kernels/select.ts";
import { CharRnn, type ModelState } from "../nn/model.ts";
import { zeroGrads } from "../nn/params.ts";
import { clipGradNorm, clipGradValue, createOptimizer } from "../optim/mod.ts";
import { Rng } from "../util/rng.ts";
import { sampleText } from "../sample/sample.ts";
import {
  ARCHITECTURE_KEYS,
  DATA_KEYS,
  modelConfigOf,
  resolveTrainConfig,
  type TrainConfig,
  upgradeTrainConfig,
} from "./config.ts";
import {
  type Checkpoint,
  type CheckpointMeta,
  type HistoryEntry,
  loadCheckpoint,
  modelFromCheckpoint,
  resolveCheckpoint,
  restoreOptimizer,
  restoreState,
  saveCheckpoint,
} from "./checkpoint.ts";
import { checkEvalSplit, evaluateLoss, evaluateSplit } from "./evaluate.ts";
import { loadTrainingText, splitFractionsOf } from "./held_out.ts";
import type { ProgressInfo } from "./progress.ts";
import { scheduledRate } from "./schedule.ts";
import { SnapshotKeeper } from "./snapshots.ts";
import { appendJsonLine, repairJsonLines } from "../io/jsonl.ts";

/** A sample drawn during training. */
export interface TrainingSample {
  /** Step it was drawn at. */
  step: number;
  /** The text. */
  text: string;
}

/** Callbacks for a CLI, a notebook or a test to watch a run. */
export interface TrainEvents {
  /** After every step (cheap; throttle drawing yourself). */
  onProgress?: (p: ProgressInfo) => void;
  /** After every validation. */
  onEval?: (e: HistoryEntry) => void;
  /** After every periodic sample. */
  onSample?: (s: TrainingSample) => void;
  /** Human-readable messages (run folder, resume, stop reason). */
  onMessage?: (text: string) => void;
}

/** Options of {@linkcode train}. */
export interface TrainOptions {
  /** Configuration fields (the rest default). */
  config?: Partial<TrainConfig>;
  /** Preset applied under `config`. */
  preset?: string;
  /** Checkpoint file or run folder to continue. */
  resume?: string;
  /** Train on this text instead of a corpus or file (notebooks, tests). */
  data?: { name: string; text: string };
  /** Write the run folder (config, log, checkpoints). @default true */
  save?: boolean;
  /** Stops the run cleanly (with a checkpoint) when aborted. */
  signal?: AbortSignal;
  /** Watchers. */
  events?: TrainEvents;
  /**
   * The backend of the model (a value from `kernelsNamed`, `createWasmKernels`
   * or `jsKernels`). @default the shared one that `config.backend` and
   * `config.threads` name
   */
  kernels?: Kernels;
}

/** What a finished run returns. */
export interface TrainResult {
  /** The trained model (weights of the last step). */
  model: CharRnn;
  /** Its vocabulary. */
  vocab: Vocab;
  /** The resolved configuration. */
  config: TrainConfig;
  /** Validation points. */
  history: HistoryEntry[];
  /** Samples drawn during training. */
  samples: TrainingSample[];
  /** Best validation loss. */
  bestValLoss: number | null;
  /** Updates taken. */
  step: number;
  /** Run folder, or null when nothing was saved. */
  runDir: string | null;
  /** Why it stopped. */
  stoppedBy: "steps" | "budget" | "signal";
}

async function chooseRunDir(c: TrainConfig, dataName: string): Promise<string> {
  if (c.out !== null) {
    await checkNewRunFolder(c.out);
    return c.out;
  }
  const base = dataName.replace(/^.*\//, "").replace(/\.[^.]*$/, "").replace(/[^\w-]+/g, "_");
  const stem = join(projectRoot(), "runs", `${base}-${c.cell}-${c.layers}x${c.hidden}`);
  for (let n = 1;; n++) {
    const dir = n === 1 ? stem : `${stem}-${n}`;
    try {
      await Deno.stat(dir);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return dir;
      throw e;
    }
  }
}

function resumeConfig(ckpt: Checkpoint, given: Partial<TrainConfig>): Partial<TrainConfig> {
  const saved = ckpt.meta.config;
  for (const key of [...ARCHITECTURE_KEYS, ...DATA_KEYS]) {
    const value = given[key];
    if (value !== undefined && value !== saved[key]) {
      throw new CellscopeError(
        `Cannot resume from "${ckpt.path}": the run has ${key} ${JSON.stringify(saved[key])}, ${
          JSON.stringify(value)
        } was given; drop that flag, or start a new run`,
      );
    }
  }
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  return { ...saved, ...defined };
}

/**
 * Trains a model, from scratch or resumed from a checkpoint.
 *
 * @param opts Configuration, data, resume path, watchers.
 * @returns The model, its vocabulary, the history and where it was saved.
 * @throws {CellscopeError} On bad configuration, missing data, or a checkpoint that does not fit the data.
 *
 * @example Train a tiny model on an inline text, without saving
 * ```ts
 * import { train } from "./trainer.ts";
 * const { history } = await train({
 *   data: { name: "abc", text: "abcabcabc\n".repeat(200) },
 *   config: { hidden: 16, batch: 4, seq: 8, steps: 40, evalEvery: 20, sampleEvery: 0, minutes: 0 },
 *   save: false,
 * });
 * console.log(history.length); // 2
 * ```
 */
export async function train(opts: TrainOptions = {}): Promise<TrainResult> {
  const given = upgradeTrainConfig(opts.config ?? {});
  const ckpt = opts.resume !== undefined
    ? await loadCheckpoint(await resolveCheckpoint(opts.resume, "latest"))
    : null;
  const config = ckpt
    ? resolveTrainConfig(resumeConfig(ckpt, given))
    : resolveTrainConfig(given, opts.preset);
  return await runTraining(opts, config, ckpt);
}

async function runTraining(
  opts: TrainOptions,
  config: TrainConfig,
  ckpt: Checkpoint | null,
): Promise<TrainResult> {
  const say = (text: string) => opts.events?.onMessage?.(text);

  // Data: the vocabulary covers the whole text, so held-out characters are known.
  const data = opts.data ?? await loadTrainingText(config);
  let vocab = Vocab.fromText(data.text);
  if (ckpt) {
    const saved = Vocab.fromJSON(ckpt.meta.vocab);
    if (!saved.equals(vocab)) {
      const { onlyInA, onlyInB } = diffVocab(saved, vocab);
      throw new CellscopeError(
        `Cannot resume from "${ckpt.path}": checkpoint vocabulary has ${saved.size} characters, the text "${data.name}" has ${vocab.size}` +
          (onlyInA.length ? `; only in the checkpoint: ${onlyInA.map(quoteChar).join(", ")}` : "") +
          (onlyInB.length ? `; only in the text: ${onlyInB.map(quoteChar).join(", ")}` : "") +
          "; resume on the text the run was trained on",
      );
    }
    vocab = saved;
  }
  const ids = vocab.encode(data.text);
  const splits = splitIds(ids, splitFractionsOf(config));
  const batcher = new Batcher(splits.train, config.batch, config.seq, "training split");
  checkEvalSplit(splits.val.length, config.seq);
  const totalSteps = config.steps > 0 ? config.steps : config.epochs * batcher.chunksPerEpoch;

  // Model, optimizer, random state, carried state.
  const kernels = opts.kernels ?? kernelsNamed(config.backend, config.threads);
  const model = ckpt
    ? modelFromCheckpoint(ckpt, kernels)
    : new CharRnn(modelConfigOf(config, vocab.size), "float32", kernels);
  const rng = new Rng(config.seed);
  if (!ckpt) model.init(rng);
  const optimizer = createOptimizer(config.optimizer, model.params, model.kernels);
  const state: ModelState = model.createState(config.batch);
  let step = 0, elapsedBefore = 0, bestValLoss: number | null = null;
  let smoothLoss: number | null = null;
  const history: HistoryEntry[] = [];
  if (ckpt) {
    restoreOptimizer(ckpt, optimizer);
    restoreState(ckpt, state);
    rng.setState(ckpt.meta.rng);
    batcher.seek(ckpt.meta.position);
    step = ckpt.meta.step;
    elapsedBefore = ckpt.meta.elapsedSeconds;
    bestValLoss = ckpt.meta.bestValLoss;
    smoothLoss = ckpt.meta.smoothLoss;
    history.push(...ckpt.meta.history);
  }

  // Run folder.
  const save = opts.save ?? true;
  let runDir: string | null = null;
  const log = async (entry: Record<string, unknown>) => {
    if (runDir) await appendJsonLine(join(runDir, "log.jsonl"), entry);
  };
  if (save) {
    runDir = ckpt ? resolve(ckpt.path, "..") : await chooseRunDir(config, data.name);
    await Deno.mkdir(runDir, { recursive: true });
    await writeFileAtomic(join(runDir, "config.json"), JSON.stringify(config, null, 2) + "\n");
    say(`${ckpt ? "resuming" : "run"} folder: ${runDir}`);
    // A run killed while logging leaves a torn last line: cut it before appending.
    const torn = await repairJsonLines(join(runDir, "log.jsonl"));
    if (torn) say(`warning: ${torn}`);
  } else if (config.snapshots > 0) {
    throw new CellscopeError(
      "Cannot keep snapshots of a run that is not saved: drop snapshots or let the run save",
    );
  }
  const snapshots = runDir && config.snapshots > 0
    ? await SnapshotKeeper.open(runDir, config.snapshots, step)
    : null;
  await log({
    event: ckpt ? "resume" : "start",
    step,
    time: new Date().toISOString(),
    config,
    vocabSize: vocab.size,
  });

  const trainWs = model.createWorkspace(config.seq, config.batch);
  const evalWs = config.evalChars > 0 ? model.createWorkspace(config.seq, config.batch) : undefined;
  const samples: TrainingSample[] = [];
  const budgetSeconds = config.minutes * 60;
  const start = performance.now();
  const seconds = () => (performance.now() - start) / 1000;
  const sessionStartStep = step;
  // Wall time of this session inside training steps; the rest is overhead.
  let stepSeconds = 0, lastValidationSeconds = 0;
  const overhead = () => {
    const total = seconds();
    return { overheadSeconds: total - stepSeconds, overheadFraction: 1 - stepSeconds / total };
  };
  let lastEvalTime = 0, lastEvalStep = step;
  const rateNow = () =>
    scheduledRate(config, {
      step,
      totalSteps,
      elapsedSeconds: elapsedBefore + seconds(),
      budgetSeconds,
    });
  let lastValLoss: number | null = history.at(-1)?.valLoss ?? null;

  const meta = (): CheckpointMeta => ({
    config,
    model: { ...model.config },
    vocab: vocab.toJSON(),
    step,
    position: batcher.position,
    rng: rng.getState(),
    optimizer: { kind: optimizer.kind, stepCount: optimizer.stepCount },
    bestValLoss,
    smoothLoss,
    history,
    elapsedSeconds: elapsedBefore + seconds(),
    data: { name: data.name, chars: ids.length },
  });

  // Divergence guard (char-rnn): a NaN or infinite loss, or one above
  // divergeFactor × the first loss of this run, stops training before any
  // checkpoint of the diverged weights is written.
  let firstLoss: number | null = null;
  let lastSavedStep: number | null = ckpt ? step : null;
  const guardDivergence = async (loss: number, atStep: number, what: string) => {
    firstLoss ??= loss;
    const limit = config.divergeFactor * firstLoss;
    if (Number.isFinite(loss) && (config.divergeFactor === 0 || loss <= limit)) return;
    await log({ event: "diverged", step: atStep, loss, firstLoss, time: new Date().toISOString() });
    throw new CellscopeError(
      `Training diverged at step ${atStep}: the ${what} loss is ${loss}${
        Number.isFinite(loss)
          ? `, above ${config.divergeFactor} × the first loss ${firstLoss.toFixed(4)}`
          : ""
      }; ${
        lastSavedStep !== null && runDir
          ? `the last good checkpoint (step ${lastSavedStep}) is kept in ${runDir}`
          : "no checkpoint was written"
      }; lower --lr (now ${config.lr}), set --clip (now ${config.clip}${
        config.clip === 0 ? " = off" : ""
      }), or change --diverge-factor (0 checks only NaN and infinity)`,
    );
  };

  const validate = async () => {
    const began = seconds();
    const trainTime = began - lastEvalTime;
    const valLoss = evaluateSplit(model, splits.val);
    const estimate = config.evalChars > 0
      ? {
        valLossEstimate: evaluateLoss(
          model,
          splits.val,
          config.batch,
          config.seq,
          config.evalChars,
          evalWs,
        ),
      }
      : {};
    const entry: HistoryEntry = {
      step,
      epoch: step / batcher.chunksPerEpoch,
      trainLoss: smoothLoss ?? NaN,
      valLoss,
      lr: rateNow(),
      charsPerSecond: ((step - lastEvalStep) * config.batch * config.seq) /
        Math.max(trainTime, 1e-9),
      elapsedSeconds: elapsedBefore + seconds(),
    };
    await guardDivergence(valLoss, step, "validation");
    history.push(entry);
    lastValLoss = valLoss;
    const improved = bestValLoss === null || valLoss < bestValLoss;
    if (improved) bestValLoss = valLoss;
    opts.events?.onEval?.(entry);
    if (runDir) {
      const m = meta();
      await saveCheckpoint(join(runDir, "latest.safetensors"), model, m, { optimizer, state });
      if (improved) {
        await saveCheckpoint(join(runDir, "best.safetensors"), model, m, { optimizer, state });
      }
      lastSavedStep = step;
    }
    lastEvalTime = seconds();
    lastValidationSeconds = lastEvalTime - began;
    lastEvalStep = step;
    await log({ event: "eval", ...entry, ...estimate, ...overhead() });
  };

  // Spaced by time (evalEvery 0): validate once the overhead so far plus the
  // expected cost of one more validation fits in evalOverhead of the wall time,
  // and at least cost / evalOverhead after the last one, so that a budget saved
  // up while the first cost was overestimated is spent evenly, not in a burst.
  // Before the first, its cost is guessed from the training rate: reading the
  // split at B = 1 costs about as much per character as a training step does.
  const expectedValidationSeconds = (): number => {
    if (lastValidationSeconds > 0) return lastValidationSeconds;
    const trainedChars = (step - sessionStartStep) * config.batch * config.seq;
    return splits.val.length * stepSeconds / Math.max(trainedChars, 1);
  };
  const validationDue = (): boolean => {
    if (config.evalEvery > 0) return step % config.evalEvery === 0;
    const expected = expectedValidationSeconds();
    const spaced = lastValidationSeconds === 0 ||
      seconds() - lastEvalTime >= expected / config.evalOverhead;
    return spaced && overhead().overheadSeconds + expected <= config.evalOverhead * seconds();
  };

  const drawSample = async () => {
    // Its own generator, so sampling never shifts the training random stream.
    const text = sampleText(model, vocab, {
      length: config.sampleLength,
      temperature: config.sampleTemperature,
      rng: new Rng(config.seed * 7919 + step),
    });
    const s = { step, text };
    samples.push(s);
    opts.events?.onSample?.(s);
    await log({ event: "sample", step, text });
  };

  let stoppedBy: TrainResult["stoppedBy"] = "steps";
  let lastStepEnd = 0;
  while (step < totalSteps) {
    if (opts.signal?.aborted) {
      stoppedBy = "signal";
      break;
    }
    // The final validation and checkpoint fit inside the budget: every eval
    // event of a budgeted run is logged within its --minutes.
    if (budgetSeconds > 0 && seconds() + 1.25 * expectedValidationSeconds() >= budgetSeconds) {
      stoppedBy = "budget";
      break;
    }
    const stepStart = seconds();
    const batch = batcher.next();
    if (batch.reset) { for (const layer of state) for (const v of Object.values(layer)) v.fill(0); }
    zeroGrads(model.params);
    const loss = model.forward(trainWs, batch.ids, batch.targets, state, { dropoutRng: rng });
    await guardDivergence(loss, step + 1, "training");
    model.backward(trainWs);
    if (config.clipValue > 0) clipGradValue(model.params, config.clipValue);
    if (config.clip > 0) clipGradNorm(model.params, config.clip);
    optimizer.step(model.params, rateNow());
    step++;
    smoothLoss = smoothLoss === null ? loss : 0.98 * smoothLoss + 0.02 * loss;
    const now = seconds();
    stepSeconds += now - stepStart;
    if (opts.events?.onProgress) {
      const perStep = now - lastStepEnd;
      const rate = (config.batch * config.seq) / Math.max(perStep, 1e-9);
      const stepsLeft = (totalSteps - step) *
        ((now - lastEvalTime) / Math.max(step - lastEvalStep, 1));
      const eta = budgetSeconds > 0 ? Math.min(stepsLeft, budgetSeconds - now) : stepsLeft;
      opts.events.onProgress({
        step,
        totalSteps,
        loss: smoothLoss,
        valLoss: lastValLoss,
        charsPerSecond: rate,
        etaSeconds: eta,
      });
    }
    lastStepEnd = seconds();
    await snapshots?.afterStep(step, (path) => saveCheckpoint(path, model, meta()));
    if (step < totalSteps && validationDue()) await validate();
    if (config.sampleEvery > 0 && step % config.sampleEvery === 0) await drawSample();
  }
  // Always end with a validation point and a checkpoint of the last step.
  if (history.at(-1)?.step !== step) await validate();
  await snapshots?.finish(step, (path) => saveCheckpoint(path, model, meta()));
  const reason = {
    steps: `reached ${step} steps`,
    budget: `time budget of ${config.minutes} min`,
    signal: "interrupted",
  }[stoppedBy];
  const { overheadSeconds, overheadFraction } = overhead();
  say(
    `stopped at step ${step}: ${reason}; best val loss ${bestValLoss?.toFixed(4)}; ` +
      `validation, checkpoints and samples took ${overheadSeconds.toFixed(1)} s, ${
        (100 * overheadFraction).toFixed(1)
      } % of the wall time`,
  );
  await log({
    event: "end",
    step,
    stoppedBy,
    bestValLoss,
    overheadSeconds,
    overheadFraction,
    stepsPerSecond: (step - sessionStartStep) / Math.max(stepSeconds, 1e-9),
    time: new Date().toISOString(),
  });
  return { model, vocab, config, history, samples, bestValLoss, step, runDir, stoppedBy };
}
