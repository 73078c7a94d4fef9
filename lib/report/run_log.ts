/**
 * What a run folder's `log.jsonl` holds for the report: its validation
 * points, its samples and how it ended (a torn last line of a killed run is
 * skipped).
 *
 * @module
 */
import { join } from "node:path";
import { parseJsonLines } from "../io/jsonl.ts";
import type { HistoryEntry } from "../train/checkpoint.ts";

/** A sample logged during training. */
export interface LoggedSample {
  /** The step it was drawn at. */
  step: number;
  /** The sample. */
  text: string;
}

/** What a run's log holds. */
export interface RunLog {
  /** Validation points, by step (the last entry of a step wins). */
  evals: HistoryEntry[];
  /** Samples, by step. */
  samples: LoggedSample[];
  /** The end event, or null when the run did not log one. */
  end: { step: number; stoppedBy: string | null } | null;
  /** Lines skipped: a torn last line of a killed run, or a line that is not a JSON object. */
  warnings: string[];
}

/**
 * Reads a run folder's `log.jsonl`.
 *
 * @param dir The run folder.
 * @returns Its validation points, samples and end (empty when there is no
 * log), and a warning for each line skipped.
 */
export async function readRunLog(dir: string): Promise<RunLog> {
  let text: string;
  try {
    text = await Deno.readTextFile(join(dir, "log.jsonl"));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      return { evals: [], samples: [], end: null, warnings: [] };
    }
    throw e;
  }
  const evals = new Map<number, HistoryEntry>();
  const samples: LoggedSample[] = [];
  let end: RunLog["end"] = null;
  const { entries, warnings } = parseJsonLines(text, join(dir, "log.jsonl"));
  for (const entry of entries) {
    if (entry.event === "eval" && typeof entry.step === "number") {
      const { event: _event, ...rest } = entry;
      evals.set(entry.step, rest as unknown as HistoryEntry);
    } else if (
      entry.event === "sample" && typeof entry.step === "number" && typeof entry.text === "string"
    ) {
      samples.push({ step: entry.step, text: entry.text });
    } else if (entry.event === "end" && typeof entry.step === "number") {
      end = {
        step: entry.step,
        stoppedBy: typeof entry.stoppedBy === "string" ? entry.stoppedBy : null,
      };
    }
  }
  return {
    evals: [...evals.values()].sort((a, b) => a.step - b.step),
    samples: samples.sort((a, b) => a.step - b.step),
    end,
    warnings,
  };
}
