/**
 * A tiny training run on a text full of markup, for the report tests: every
 * line holds a `<script>`, `</textarea>`, double quotes or `&`, so any
 * passage of the recorded test split does too.
 *
 * @module
 */
import { train } from "../../lib/train/trainer.ts";

/** The lines the injection corpus repeats; each would run or break markup if not escaped. */
export const INJECTION_LINES: readonly string[] = [
  `He said "stop & go" and <script>window.__injected=1</script> then left.`,
  `She wrote </textarea> & "<script>alert(1)</script>" in the margin.`,
  `They said "a & b" (twice) and <b>bold</b> went on.`,
];

/** Strings that must never appear unescaped in a report of the injection run. */
export const RAW_INJECTIONS: readonly string[] = [
  "<script>window.__injected",
  "<script>alert(1)",
  "</textarea>",
  "<b>bold</b>",
];

/**
 * Writes the injection corpus (about 3000 characters) to `dir/injection.txt`
 * and trains a 1×16 LSTM on it for 60 steps into `dir/run`, with 20% held out
 * for testing so the recorded split has every line.
 *
 * @param dir A temporary folder.
 * @returns The run folder.
 */
export async function trainInjectionRun(dir: string): Promise<string> {
  const text = Array.from({ length: 48 }, (_, i) => INJECTION_LINES[i % 3]!).join("\n") + "\n";
  const file = `${dir}/injection.txt`;
  await Deno.writeTextFile(file, text);
  const run = `${dir}/run`;
  await train({
    config: {
      text: file,
      hidden: 16,
      layers: 1,
      batch: 4,
      seq: 16,
      steps: 60,
      evalEvery: 20,
      sampleEvery: 20,
      sampleLength: 120,
      minutes: 0,
      valFraction: 0.1,
      testFraction: 0.2,
      out: run,
    },
  });
  return run;
}
