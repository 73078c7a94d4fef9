/**
 * Weight snapshots during training, for watching units emerge: with
 * `snapshots: N` (`deno task train --snapshots N`) a run keeps up to N
 * weight-only checkpoints in `<run>/snapshots/step-<k>.safetensors`, at steps
 * doubling from 50 (50, 100, 200, 400, …) and always at the final step.
 *
 * The total is not known in advance under a `--minutes` budget, so the policy
 * is online and the same for every length setting: N − 1 slots hold doubling
 * steps and one is kept for the final step. When the doubling steps reached
 * outgrow their slots, every other one is dropped (the ratio between kept
 * steps doubles: 50, 100, 200, 400 become 50, 200, then 50, 800, …), so the
 * first snapshot (step 50) always stays and the kept steps stay evenly spread
 * on a log scale. With N = 1 only the final step is kept; with N = 2, step 50
 * and the final step.
 *
 * The kept set depends only on the steps reached, never on when a run was
 * stopped, so a run stopped and resumed ends with exactly the files of an
 * uninterrupted one: a final snapshot left by an earlier session is removed
 * once the resumed run moves past it, a snapshot already on disk is not
 * written twice, and snapshots beyond the step a run is resumed from (when
 * resuming an older checkpoint) are removed, because that stretch is trained
 * again.
 *
 * @module
 */
import { join } from "node:path";

/** Step of the first snapshot; later ones double it. */
export const FIRST_SNAPSHOT_STEP = 50;

/** Folder of a run that holds its snapshots. */
export const SNAPSHOT_FOLDER = "snapshots";

const FILE_PATTERN = /^step-(\d+)\.safetensors$/;

/**
 * The file name of the snapshot at a step.
 *
 * @param step Training step.
 * @returns `step-<step>.safetensors`.
 */
export function snapshotFileName(step: number): string {
  return `step-${step}.safetensors`;
}

/**
 * Whether a step is on the doubling schedule 50 · 2^k.
 *
 * @param step Training step.
 * @returns True for 50, 100, 200, 400, …
 *
 * @example
 * ```ts
 * import { isDoublingStep } from "./snapshots.ts";
 * console.log(isDoublingStep(400), isDoublingStep(300)); // true false
 * ```
 */
export function isDoublingStep(step: number): boolean {
  if (!Number.isInteger(step) || step < FIRST_SNAPSHOT_STEP || step % FIRST_SNAPSHOT_STEP) {
    return false;
  }
  const m = step / FIRST_SNAPSHOT_STEP;
  return (m & (m - 1)) === 0;
}

/**
 * The doubling steps a run keeps once it has reached `step`, with room for
 * `n` snapshots in all (n − 1 for doubling steps, one for the final step).
 *
 * @param step Steps reached.
 * @param n Snapshots kept in all (≥ 0).
 * @returns Kept doubling steps, ascending.
 *
 * @example Four slots: three for doubling steps, one for the final step
 * ```ts
 * import { keptDoublingSteps } from "./snapshots.ts";
 * console.log(keptDoublingSteps(300, 4)); // [ 50, 100, 200 ]
 * console.log(keptDoublingSteps(500, 4)); // [ 50, 200 ]
 * console.log(keptDoublingSteps(3200, 4)); // [ 50, 800 ]
 * ```
 */
export function keptDoublingSteps(step: number, n: number): number[] {
  const slots = n - 1;
  if (slots < 1 || step < FIRST_SNAPSHOT_STEP) return [];
  const K = Math.floor(Math.log2(step / FIRST_SNAPSHOT_STEP) + 1e-12); // indices 0..K reached
  let stride = 1;
  while (Math.floor(K / stride) + 1 > slots) stride *= 2;
  const out: number[] = [];
  for (let k = 0; k <= K; k += stride) out.push(FIRST_SNAPSHOT_STEP * 2 ** k);
  return out;
}

/**
 * Every step a run of known length keeps a snapshot of, the final included.
 *
 * @param totalSteps The run's last step.
 * @param n Snapshots kept in all.
 * @returns Steps, ascending (at most `n`).
 *
 * @example 1,000 steps with 6 snapshots, and with 5 (the doubling steps thin out)
 * ```ts
 * import { plannedSnapshotSteps } from "./snapshots.ts";
 * console.log(plannedSnapshotSteps(1000, 6)); // [ 50, 100, 200, 400, 800, 1000 ]
 * console.log(plannedSnapshotSteps(1000, 5)); // [ 50, 200, 800, 1000 ]
 * ```
 */
export function plannedSnapshotSteps(totalSteps: number, n: number): number[] {
  if (n < 1 || totalSteps < 1) return [];
  const kept = keptDoublingSteps(totalSteps, n);
  return kept.at(-1) === totalSteps ? kept : [...kept, totalSteps];
}

/** One snapshot on disk. */
export interface SnapshotFile {
  /** Training step. */
  step: number;
  /** Path of its `*.safetensors` file. */
  path: string;
}

/**
 * The snapshots a run folder holds, in step order (none when the folder has
 * no `snapshots/`).
 *
 * @param runDir A run folder.
 * @returns Steps and paths, ascending.
 *
 * @example A folder without snapshots
 * ```ts
 * import { listSnapshots } from "./snapshots.ts";
 * console.log(await listSnapshots("no/such/run")); // []
 * ```
 */
export async function listSnapshots(runDir: string): Promise<SnapshotFile[]> {
  const dir = join(runDir, SNAPSHOT_FOLDER);
  const out: SnapshotFile[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      const m = FILE_PATTERN.exec(e.name);
      if (e.isFile && m) out.push({ step: Number(m[1]), path: join(dir, e.name) });
    }
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  return out.sort((a, b) => a.step - b.step);
}

/**
 * Writes the model's weights (no optimizer, no carried state) to a path,
 * atomically (`saveCheckpoint` without extras).
 */
export type WriteSnapshot = (path: string) => Promise<void>;

/**
 * Keeps a run's snapshots as training goes: the trainer calls
 * {@linkcode SnapshotKeeper.afterStep} after every update and
 * {@linkcode SnapshotKeeper.finish} when the run stops.
 */
export class SnapshotKeeper {
  private constructor(
    private readonly dir: string,
    private readonly n: number,
    private readonly onDisk: Set<number>,
  ) {}

  /**
   * Opens a run's snapshot folder for a run that stands at `step`,
   * removing snapshots beyond it (they are trained again).
   *
   * @param runDir The run folder.
   * @param n Snapshots kept in all (≥ 1).
   * @param step The step the run starts or resumes at.
   * @returns The keeper.
   */
  static async open(runDir: string, n: number, step: number): Promise<SnapshotKeeper> {
    const dir = join(runDir, SNAPSHOT_FOLDER);
    await Deno.mkdir(dir, { recursive: true });
    const onDisk = new Set<number>();
    for (const s of await listSnapshots(runDir)) {
      if (s.step > step) await Deno.remove(s.path);
      else onDisk.add(s.step);
    }
    return new SnapshotKeeper(dir, n, onDisk);
  }

  /** Steps of the snapshots on disk now, ascending. */
  get steps(): number[] {
    return [...this.onDisk].sort((a, b) => a - b);
  }

  /**
   * After an update: writes a snapshot when `step` is a doubling step that
   * the policy keeps, then drops what the policy no longer keeps.
   *
   * @param step The step just taken.
   * @param write Writes the weights to a path.
   */
  async afterStep(step: number, write: WriteSnapshot): Promise<void> {
    if (!isDoublingStep(step)) return;
    const keep = new Set(keptDoublingSteps(step, this.n));
    if (keep.has(step)) await this.write(step, write);
    await this.prune(keep);
  }

  /**
   * When the run stops (any reason): writes the final step's snapshot unless
   * it is on disk, and drops the rest the policy does not keep.
   *
   * @param step The run's last step.
   * @param write Writes the weights to a path.
   */
  async finish(step: number, write: WriteSnapshot): Promise<void> {
    if (step < 1) return;
    const keep = new Set(keptDoublingSteps(step, this.n));
    keep.add(step);
    if (!this.onDisk.has(step)) await this.write(step, write);
    await this.prune(keep);
  }

  private async write(step: number, write: WriteSnapshot): Promise<void> {
    await write(join(this.dir, snapshotFileName(step)));
    this.onDisk.add(step);
  }

  private async prune(keep: Set<number>): Promise<void> {
    for (const s of this.steps) {
      if (keep.has(s)) continue;
      await Deno.remove(join(this.dir, snapshotFileName(s)));
      this.onDisk.delete(s);
    }
  }
}
