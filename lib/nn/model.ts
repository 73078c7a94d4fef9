/**
 * The character-level language model: one-hot input (a row gather) or a
 * learned embedding, L stacked recurrent layers of one cell type with dropout
 * after each, and a linear decoder to next-character logits with softmax
 * cross-entropy.
 *
 * Data is time-major: a chunk of T steps for B streams is `ids [T·B]` with
 * row `t·B + b`. The recurrent state is carried by the caller
 * ({@linkcode ModelState}), so truncated BPTT continues across chunks.
 *
 * Parameter names (and PyTorch equivalents, see README):
 * `embed.W [V, E]`, `l{k}.Wx [D, G·H]`, `l{k}.Wh [H, G·H]`, `l{k}.b [G·H]`,
 * `l{k}.bhn [H]` (GRU), `out.W [H, V]`, `out.b [V]`.
 *
 * @module
 */
import type { FloatDtype, Kernels, Vec } from "../kernels/backend.ts";
import { jsKernels } from "../kernels/js.ts";
import { defaultKernels } from "../kernels/select.ts";
import { Rng } from "../util/rng.ts";
import type {
  CellCacheBase,
  CellKind,
  CellParams,
  CellSpec,
  CellState,
  LayerInput,
  StepHook,
} from "./cell.ts";
import { CELL_KINDS } from "./cell.ts";
import { CELLS } from "./cells.ts";
import { dropoutBackward, dropoutForward } from "./dropout.ts";
import { embeddingBackward, embeddingForward } from "./embedding.ts";
import {
  DEFAULT_INIT,
  INIT_NAMES,
  initCell,
  initDecoder,
  type InitName,
  isInitName,
} from "./init.ts";
import { linearBackward, linearForward } from "./linear.ts";
import { checkMemory, measureBytes } from "./memory.ts";
import { createParam, markChanged, type Param } from "./params.ts";
import { softmaxXentBackward, softmaxXentForward } from "./softmax_xent.ts";

/** The architecture of a model: everything needed to rebuild it. */
export interface ModelConfig {
  /** Recurrent cell type. */
  cell: CellKind;
  /** Vocabulary size V. */
  vocabSize: number;
  /** Hidden size H of every layer. */
  hidden: number;
  /** Number of stacked layers L. */
  layers: number;
  /** Embedding width E; 0 means one-hot input. */
  embed: number;
  /** Dropout probability after each recurrent layer, in [0, 1). */
  dropout: number;
  /** Initialisation scheme of {@linkcode CharRnn.init} (see `init.ts`). @default "pytorch" */
  init?: InitName;
}

/** Carried recurrent state: one `{h, c?}` of `[B, H]` tensors per layer. */
export type ModelState = CellState[];

/** Buffers for one chunk shape (T, B), reused across calls. */
export interface Workspace {
  /** The backend that holds these buffers: the model's. */
  readonly kernels: Kernels;
  /** Steps. */
  readonly T: number;
  /** Streams. */
  readonly B: number;
  /** One cache per layer. */
  readonly caches: CellCacheBase[];
  /** The input each layer saw in the last forward. */
  readonly inputs: LayerInput[];
  /** `[T·B, E]` embedded input (when the model has an embedding). */
  readonly embedded: Vec;
  /** Per layer `[T·B, H]`: output after dropout, and the dropout mask. */
  readonly dropped: Vec[];
  /** Per layer dropout masks. */
  readonly masks: Vec[];
  /** Whether the last forward applied dropout. */
  usedDropout: boolean;
  /** `[T·B, V]` decoder outputs. */
  readonly logits: Vec;
  /** `[T·B, V]` softmax of the logits (filled when targets are given). */
  readonly probs: Vec;
  /** `[T·B]` per-position loss in nats (filled when targets are given). */
  readonly losses: Vec;
  /** `[T·B, H]` gradient w.r.t. the decoder input. */
  readonly dtop: Vec;
  /** Ids and targets of the last forward. */
  ids: Int32Array;
  /** Targets of the last forward, or null. */
  targets: Int32Array | null;
}

/** Options of {@linkcode CharRnn.forward}. */
export interface ForwardOptions {
  /** Random source for dropout; dropout is off when omitted (evaluation). */
  dropoutRng?: Rng;
  /** Per-layer step hooks (recording, interventions). */
  hooks?: readonly (StepHook | undefined)[] | undefined;
}

/**
 * Checks a model configuration.
 *
 * @param c The configuration.
 * @throws {RangeError} When a field is out of range.
 */
export function validateModelConfig(c: ModelConfig): void {
  const posInt = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(
        `Cannot build the model: "${name}" must be a positive integer, got ${v}`,
      );
    }
  };
  if (!CELL_KINDS.includes(c.cell)) {
    throw new RangeError(
      `Cannot build the model: cell "${c.cell}" is unknown; use one of ${CELL_KINDS.join(", ")}`,
    );
  }
  posInt("vocabSize", c.vocabSize);
  posInt("hidden", c.hidden);
  posInt("layers", c.layers);
  if (!Number.isInteger(c.embed) || c.embed < 0) {
    throw new RangeError(
      `Cannot build the model: "embed" must be 0 (one-hot) or a positive integer, got ${c.embed}`,
    );
  }
  if (!(c.dropout >= 0 && c.dropout < 1)) {
    throw new RangeError(
      `Cannot build the model: "dropout" must be in [0, 1), got ${c.dropout}`,
    );
  }
  if (c.init !== undefined && !isInitName(c.init)) {
    throw new RangeError(
      `Cannot build the model: init "${c.init}" is unknown; use one of ${INIT_NAMES.join(", ")}`,
    );
  }
}

/**
 * A character-level RNN language model with hand-written backward pass. The
 * model owns its backend (`kernels`), as a module owns its device in
 * PyTorch: its parameters, workspaces and states live there, and
 * {@linkcode CharRnn.to} makes a copy on another backend.
 *
 * @example Train one step on a tiny chunk
 * ```ts
 * import { CharRnn } from "./model.ts";
 * import { Rng } from "../util/rng.ts";
 * const model = new CharRnn({ cell: "lstm", vocabSize: 4, hidden: 8, layers: 1, embed: 0, dropout: 0 });
 * model.init(new Rng(1));
 * const ws = model.createWorkspace(3, 1);
 * const state = model.createState(1);
 * const loss = model.forward(ws, new Int32Array([0, 1, 2]), new Int32Array([1, 2, 3]), state);
 * model.backward(ws);
 * console.log(loss > 0); // true
 * ```
 */
export class CharRnn {
  /** Architecture, with the initialisation scheme filled in. */
  readonly config: Readonly<Required<ModelConfig>>;
  /** Element type of every tensor. */
  readonly dtype: FloatDtype;
  /** The backend that holds every tensor of the model and runs it. */
  readonly kernels: Kernels;
  /** The cell implementation. */
  readonly cell: CellSpec;
  /** Every parameter, in a stable order. */
  readonly params: readonly Param[];
  /** Per-layer parameter views `{Wx, Wh, b, …}`. */
  readonly layerParams: readonly CellParams[];
  /** Per-layer gradient views, same keys. */
  readonly layerGrads: readonly CellParams[];
  readonly #embed: Param | null;
  readonly #outW: Param;
  readonly #outB: Param;
  /** Per layer, the recurrent weights `Wh`, whose version keys the packed copy. */
  readonly #wh: readonly Param[];

  /**
   * Allocates a model with zero weights; call {@linkcode CharRnn.init} or load weights.
   *
   * @param config Architecture.
   * @param dtype Element type (float64 for gradient checks).
   * @param kernels The backend that holds and runs the model: by default
   *   the shared WebAssembly backend for float32 (`defaultKernels()`), the
   *   TypeScript reference for float64.
   * @throws {RangeError} On an invalid configuration.
   * @throws {CellscopeError} When the weights do not fit in the backend's memory.
   */
  constructor(config: ModelConfig, dtype: FloatDtype = "float32", kernels?: Kernels) {
    validateModelConfig(config);
    this.config = Object.freeze({ ...config, init: config.init ?? DEFAULT_INIT });
    this.dtype = dtype;
    this.kernels = kernels ?? (dtype === "float64" ? jsKernels : defaultKernels());
    this.cell = CELLS[config.cell];
    const { hidden: H, layers: L } = config;
    const build = (k: Kernels) => {
      const param = (name: string, shape: readonly number[]) => createParam(k, name, shape, dtype);
      const embed = config.embed > 0 ? param("embed.W", [config.vocabSize, config.embed]) : null;
      const layers = Array.from(
        { length: L },
        (_, l) =>
          Object.entries(this.cell.paramShapes(this.inputSize(l), H)).map(([name, shape]) =>
            param(`l${l}.${name}`, shape)
          ),
      );
      return {
        embed,
        layers,
        outW: param("out.W", [H, config.vocabSize]),
        outB: param("out.b", [config.vocabSize]),
      };
    };
    checkMemory(
      this.kernels,
      measureBytes(build),
      `the ${config.cell} model (${L} × ${H}, its weights and gradients)`,
      "use a smaller model (--hidden, --layers, --embed)",
    );
    const { embed, layers, outW, outB } = build(this.kernels);
    this.#embed = embed;
    this.#outW = outW;
    this.#outB = outB;
    this.params = [...(embed ? [embed] : []), ...layers.flat(), outW, outB];
    const views = (pick: (p: Param) => Vec) =>
      layers.map((ps) =>
        Object.fromEntries(ps.map((p) => [p.name.slice(p.name.indexOf(".") + 1), pick(p)]))
      );
    this.layerParams = views((p) => p.data);
    this.layerGrads = views((p) => p.grad);
    this.#wh = layers.map((ps) => ps.find((p) => p.name.endsWith(".Wh"))!);
  }

  /**
   * Input width of layer `l`: V (one-hot), E (embedding) or H.
   *
   * @param l Layer index.
   * @returns Width D of that layer's input.
   */
  inputSize(l: number): number {
    const { vocabSize: V, hidden: H, embed: E } = this.config;
    return l > 0 ? H : E > 0 ? E : V;
  }

  /**
   * Draws initial weights under the configured scheme (`config.init`, see
   * `init.ts`): the embedding N(0, 1), then each layer, then the decoder.
   *
   * @param rng Random source.
   */
  init(rng: Rng): void {
    const { hidden: H, init, cell } = this.config;
    if (this.#embed) {
      for (let k = 0; k < this.#embed.data.length; k++) {
        this.#embed.data[k] = rng.normal();
      }
    }
    this.layerParams.forEach((p, l) => initCell(cell, p, this.inputSize(l), H, init, rng));
    initDecoder(this.#outW.data, this.#outB.data, H, init, rng);
    markChanged(this.params);
  }

  /**
   * Looks a parameter up by name.
   *
   * @param name Dotted name, e.g. `"l0.Wx"`.
   * @returns The parameter.
   * @throws {RangeError} When the model has no such parameter.
   */
  param(name: string): Param {
    const p = this.params.find((q) => q.name === name);
    if (!p) {
      throw new RangeError(
        `Cannot find parameter "${name}": the model has ${
          this.params.map((q) => q.name).join(", ")
        }`,
      );
    }
    return p;
  }

  /**
   * A zero recurrent state for B streams.
   *
   * @param B Streams.
   * @returns One `{h, c?}` per layer.
   */
  createState(B: number): ModelState {
    const k = this.kernels, H = this.config.hidden;
    return Array.from(
      { length: this.config.layers },
      () =>
        Object.fromEntries(
          this.cell.stateNames.map((s) => [s, k.alloc(this.dtype, B * H)]),
        ),
    );
  }

  /**
   * Allocates the buffers for chunks of T steps and B streams on the
   * model's backend.
   *
   * @param T Steps.
   * @param B Streams.
   * @returns A reusable workspace.
   * @throws {CellscopeError} When the buffers do not fit in the backend's memory.
   */
  createWorkspace(T: number, B: number): Workspace {
    const { hidden: H, layers: L } = this.config;
    // The packed recurrent weights (forward and backward) come later, per layer.
    const packed = 2 * L * 4 * Math.ceil((this.cell.gateCount * H) / 8) * 8 * H;
    checkMemory(
      this.kernels,
      measureBytes((k) => this.#buildWorkspace(k, T, B)) + packed,
      `the buffers for ${B} stream${B === 1 ? "" : "s"} × ${T} steps`,
      "use a smaller batch or chunk (--batch, --seq)",
    );
    return this.#buildWorkspace(this.kernels, T, B);
  }

  #buildWorkspace(k: Kernels, T: number, B: number): Workspace {
    const dt = this.dtype;
    const { vocabSize: V, hidden: H, layers: L, embed: E, dropout } = this.config;
    const R = T * B;
    return {
      kernels: k,
      T,
      B,
      caches: Array.from(
        { length: L },
        (_, l) => this.cell.createCache(k, dt, T, B, this.inputSize(l), H),
      ),
      inputs: [],
      embedded: k.alloc(dt, E > 0 ? R * E : 0),
      dropped: Array.from(
        { length: dropout > 0 ? L : 0 },
        () => k.alloc(dt, R * H),
      ),
      masks: Array.from(
        { length: dropout > 0 ? L : 0 },
        () => k.alloc(dt, R * H),
      ),
      usedDropout: false,
      logits: k.alloc(dt, R * V),
      probs: k.alloc(dt, R * V),
      losses: k.alloc(dt, R),
      dtop: k.alloc(dt, R * H),
      ids: new Int32Array(0),
      targets: null,
    };
  }

  /**
   * Runs a chunk forward from `state` (updated to the chunk's final state).
   * With targets it returns the mean cross-entropy and leaves `ws.probs`
   * and `ws.losses` filled; without, it returns NaN and only `ws.logits`.
   *
   * @param ws Workspace of matching T and B.
   * @param ids `[T·B]` input characters, time-major.
   * @param targets `[T·B]` next characters, or null.
   * @param state Carried state from {@linkcode CharRnn.createState}.
   * @param opts Dropout source and hooks.
   * @returns Mean loss in nats per character (NaN without targets).
   * @throws {TypeError} When `ids` does not have T·B entries, or the
   *   workspace or state belongs to another backend.
   */
  forward(
    ws: Workspace,
    ids: Int32Array,
    targets: Int32Array | null,
    state: ModelState,
    opts: ForwardOptions = {},
  ): number {
    const { vocabSize: V, hidden: H, layers: L, embed: E, dropout } = this.config;
    const { T, B } = ws;
    const R = T * B;
    if (ids.length !== R || (targets && targets.length !== R)) {
      throw new TypeError(
        `Cannot run the model: expected T·B = ${R} ids and targets, got ${ids.length}`,
      );
    }
    this.#checkOwned(ws, state);
    const k = this.kernels;
    ws.ids = ids;
    ws.targets = targets;
    ws.usedDropout = dropout > 0 && opts.dropoutRng !== undefined;
    let input: LayerInput;
    if (E > 0) {
      embeddingForward(k, ws.embedded, this.#embed!.data, ids, E);
      input = { kind: "dense", x: ws.embedded };
    } else {
      input = { kind: "tokens", ids };
    }
    let top: Vec = ws.caches[0]!.hAll; // replaced below
    for (let l = 0; l < L; l++) {
      ws.inputs[l] = input;
      const cache = ws.caches[l]!;
      cache.packed.wantVersion = this.#wh[l]!.version;
      this.cell.forward(
        this.layerParams[l]!,
        input,
        state[l]!,
        cache,
        opts.hooks?.[l],
      );
      top = cache.hAll.subarray(B * H);
      if (ws.usedDropout) {
        dropoutForward(
          k,
          ws.dropped[l]!,
          ws.masks[l]!,
          top,
          dropout,
          opts.dropoutRng!,
        );
        top = ws.dropped[l]!;
      }
      input = { kind: "dense", x: top };
    }
    linearForward(k, ws.logits, top, this.#outW.data, this.#outB.data, R, H, V);
    if (!targets) return NaN;
    return softmaxXentForward(k, ws.probs, ws.losses, ws.logits, targets, R, V);
  }

  /**
   * Backpropagates the mean loss of the last forward (which must have had
   * targets), accumulating into every `param.grad`. Gradients w.r.t. the
   * initial state are left in `ws.caches[l].dstate`.
   *
   * @param ws Workspace of the last forward.
   * @throws {Error} When the last forward had no targets.
   */
  backward(ws: Workspace): void {
    const { vocabSize: V, hidden: H, layers: L, embed: E } = this.config;
    const { T, B } = ws;
    const R = T * B;
    if (!ws.targets) {
      throw new Error("Cannot run backward: the last forward had no targets");
    }
    const k = this.kernels;
    softmaxXentBackward(k, ws.logits, ws.probs, ws.targets, R, V); // dlogits overwrite logits
    const lastInput = ws.usedDropout ? ws.dropped[L - 1]! : ws.caches[L - 1]!.hAll.subarray(B * H);
    linearBackward(
      k,
      ws.dtop,
      this.#outW.grad,
      this.#outB.grad,
      ws.logits,
      lastInput,
      this.#outW.data,
      R,
      H,
      V,
    );
    let dtop: Vec = ws.dtop;
    for (let l = L - 1; l >= 0; l--) {
      if (ws.usedDropout) dropoutBackward(k, dtop, ws.masks[l]!);
      const cache = ws.caches[l]!;
      this.cell.backward(
        this.layerParams[l]!,
        ws.inputs[l]!,
        cache,
        dtop,
        this.layerGrads[l]!,
      );
      dtop = cache.dx;
    }
    if (E > 0) {
      embeddingBackward(k, this.#embed!.grad, ws.caches[0]!.dx, ws.ids, E);
    }
  }

  /**
   * Copies every parameter value from another model of the same architecture
   * (on any backend).
   *
   * @param other Source model.
   */
  copyWeightsFrom(other: CharRnn): void {
    this.params.forEach((p, i) => p.data.set(other.params[i]!.data));
    markChanged(this.params);
  }

  /**
   * A copy of this model on another backend (its weights copied; workspaces
   * and states are made anew with the copy), as `module.to(device)` in
   * PyTorch. The model itself stays where it is.
   *
   * @param kernels The backend of the copy, e.g. `jsKernels` or `kernelsNamed("wasm")`.
   * @returns The copy, or this model when it is already on `kernels`.
   *
   * @example Move a model to the TypeScript reference
   * ```ts
   * import { createModel } from "./model.ts";
   * import { jsKernels } from "../kernels/js.ts";
   * const model = createModel({ cell: "gru", vocabSize: 3, hidden: 4, layers: 1, embed: 0, dropout: 0 }, 1);
   * const ref = model.to(jsKernels);
   * console.log(ref.kernels.name, ref.params[0]!.data[0] === model.params[0]!.data[0]); // "js" true
   * ```
   */
  to(kernels: Kernels): CharRnn {
    if (kernels === this.kernels) return this;
    const copy = new CharRnn(this.config, this.dtype, kernels);
    copy.copyWeightsFrom(this);
    return copy;
  }

  /** Refuses a workspace or state of another backend, naming the fix. */
  #checkOwned(ws: Workspace, state: ModelState): void {
    const fix = "create it with this model (model.createWorkspace, model.createState), " +
      "or move the model with model.to(kernels)";
    if (ws.kernels !== this.kernels) {
      throw new TypeError(
        `Cannot run the model on the ${this.kernels.name} kernels: the workspace belongs to the ${ws.kernels.name} kernels; ${fix}`,
      );
    }
    for (const layer of state) {
      for (const v of Object.values(layer)) {
        if (!this.kernels.owns(v)) {
          throw new TypeError(
            `Cannot run the model on the ${this.kernels.name} kernels: its state belongs to another backend; ${fix}`,
          );
        }
      }
    }
  }
}

/**
 * Builds a model and initialises it from a seed.
 *
 * @param config Architecture.
 * @param seed Seed of the initial weights.
 * @param dtype Element type.
 * @param kernels Its backend (see the {@linkcode CharRnn} constructor).
 * @returns The initialised model.
 */
export function createModel(
  config: ModelConfig,
  seed: number,
  dtype: FloatDtype = "float32",
  kernels?: Kernels,
): CharRnn {
  const model = new CharRnn(config, dtype, kernels);
  model.init(new Rng(seed));
  return model;
}
