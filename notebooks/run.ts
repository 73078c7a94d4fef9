/**
 * `deno task notebooks`: executes every notebook in `notebooks/` headless with
 * the Deno Jupyter kernel (`jupyter nbconvert --execute`), then exports each
 * executed copy to HTML. Executed copies and HTML go to `notebooks/.out/`,
 * which git and `deno fmt` ignore; the committed notebooks stay without
 * outputs.
 *
 * Needs Jupyter's nbconvert and nbclient (Debian: `apt-get install
 * jupyter-nbconvert python3-nbclient jupyter-client python3-ipykernel`) and
 * the Deno kernel (`deno jupyter --install`). The kernels inherit the
 * environment, so `CELLSCOPE_CORPORA` reaches them; `--quick` sets
 * `CELLSCOPE_QUICK=1`.
 *
 * @module
 */
import { parseArgs } from "node:util";

/** `--help` text. */
export const HELP_TEXT = `Execute the notebooks headless and export them to HTML.

Usage: deno task notebooks [--quick] [--only NAME] [--timeout SECONDS]

  --quick            set CELLSCOPE_QUICK=1: every notebook finishes in about a minute
  --only NAME        run only this notebook (e.g. 02_quote_cell; repeatable)
  --timeout SECONDS  limit per cell (default 600 with --quick, else 7200)
  -h, --help         this text

Executed copies and HTML exports go to notebooks/.out/.
Needs: jupyter-nbconvert, python3-nbclient and the Deno kernel (deno jupyter --install).
`;

/** The folder of the notebooks, relative to the project root (where `deno task` runs). */
export const NOTEBOOK_DIR = "notebooks";

/** Where executed copies and HTML exports go. */
export const OUT_DIR = "notebooks/.out";

/** What to run. */
export interface NotebookRequest {
  /** Set `CELLSCOPE_QUICK=1` for the kernels. */
  quick: boolean;
  /** Notebook names (without `.ipynb`) to run; empty for all. */
  only: string[];
  /** Seconds a cell may run. */
  timeout: number;
}

/** A bad command line or a missing tool: printed without a stack trace. */
export class NotebookRunError extends Error {
  override name = "NotebookRunError";
}

/**
 * Parses the command line.
 *
 * @param args Command-line arguments.
 * @returns The request, or null for `--help`.
 * @throws {NotebookRunError} On an unknown flag or a bad timeout.
 *
 * @example Quick mode, one notebook
 * ```ts
 * import { parseNotebookArgs } from "./run.ts";
 * console.log(parseNotebookArgs(["--quick", "--only", "02_quote_cell.ipynb"]));
 * // { quick: true, only: ["02_quote_cell"], timeout: 600 }
 * ```
 */
export function parseNotebookArgs(args: string[]): NotebookRequest | null {
  // A negative number right after --timeout is its value (refused below), not a flag.
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--timeout" && /^-\d/.test(args[i + 1] ?? "")) {
      joined.push(`--timeout=${args[++i]}`);
    } else joined.push(args[i]!);
  }
  let values;
  try {
    ({ values } = parseArgs({
      args: joined,
      options: {
        quick: { type: "boolean" },
        only: { type: "string", multiple: true },
        timeout: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new NotebookRunError(
      `Cannot run "notebooks": ${
        String((e as Error).message).split("\n")[0]!.replace(/\.$/, "")
      }; allowed flags are --quick, --only, --timeout, --help`,
    );
  }
  if (values.help) return null;
  const quick = values.quick ?? false;
  const timeout = values.timeout === undefined ? (quick ? 600 : 7200) : Number(values.timeout);
  if (!Number.isInteger(timeout) || timeout < 1) {
    throw new NotebookRunError(
      `Cannot run "notebooks": --timeout must be a positive integer of seconds, got "${values.timeout}"`,
    );
  }
  const only = (values.only ?? []).map((n) => n.replace(/^.*\//, "").replace(/\.ipynb$/, ""));
  return { quick, only, timeout };
}

/**
 * The notebooks to run, in name order.
 *
 * @param available Names of the `*.ipynb` files in the folder (with or without the extension).
 * @param only Names asked for with `--only`; empty for all.
 * @returns Names without the extension.
 * @throws {NotebookRunError} When a name asked for is not there.
 *
 * @example Pick one
 * ```ts
 * import { selectNotebooks } from "./run.ts";
 * console.log(selectNotebooks(["02_b.ipynb", "01_a.ipynb"], [])); // ["01_a", "02_b"]
 * console.log(selectNotebooks(["02_b.ipynb", "01_a.ipynb"], ["02_b"])); // ["02_b"]
 * ```
 */
export function selectNotebooks(available: readonly string[], only: readonly string[]): string[] {
  const names = available.map((n) => n.replace(/\.ipynb$/, "")).sort();
  for (const name of only) {
    if (!names.includes(name)) {
      throw new NotebookRunError(
        `Cannot run notebook "${name}": there is no ${NOTEBOOK_DIR}/${name}.ipynb; the notebooks are ${
          names.map((n) => `"${n}"`).join(", ")
        }`,
      );
    }
  }
  return only.length === 0 ? names : names.filter((n) => only.includes(n));
}

/**
 * The two `jupyter` command lines for one notebook: execute it into
 * {@linkcode OUT_DIR} with the Deno kernel, then export the executed copy to HTML.
 *
 * @param name The notebook's name, without `.ipynb`.
 * @param timeout Seconds a cell may run.
 * @returns `jupyter` arguments of each step.
 *
 * @example The commands
 * ```ts
 * import { nbconvertArgs } from "./run.ts";
 * const { execute, html } = nbconvertArgs("01_quickstart", 600);
 * console.log(execute.at(-1), html.at(-1)); // notebooks/01_quickstart.ipynb notebooks/.out/01_quickstart.ipynb
 * ```
 */
export function nbconvertArgs(
  name: string,
  timeout: number,
): { execute: string[]; html: string[] } {
  return {
    execute: [
      "nbconvert",
      "--to",
      "notebook",
      "--execute",
      "--ExecutePreprocessor.kernel_name=deno",
      `--ExecutePreprocessor.timeout=${timeout}`,
      "--output-dir",
      OUT_DIR,
      `${NOTEBOOK_DIR}/${name}.ipynb`,
    ],
    html: ["nbconvert", "--to", "html", "--output-dir", OUT_DIR, `${OUT_DIR}/${name}.ipynb`],
  };
}

const JUPYTER_MISSING =
  'Cannot run the notebooks: "jupyter" is not on the PATH; install nbconvert and nbclient ' +
  "(Debian: apt-get install jupyter-nbconvert python3-nbclient jupyter-client python3-ipykernel), " +
  'then register the kernel with "deno jupyter --install"';

async function jupyter(args: string[], env: Record<string, string>): Promise<boolean> {
  try {
    const { code } = await new Deno.Command("jupyter", {
      args,
      env,
      stdout: "inherit",
      stderr: "inherit",
    })
      .output();
    return code === 0;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new NotebookRunError(JUPYTER_MISSING);
    throw e;
  }
}

async function checkKernel(): Promise<void> {
  let out;
  try {
    out = await new Deno.Command("jupyter", {
      args: ["kernelspec", "list", "--json"],
      stderr: "inherit",
    })
      .output();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new NotebookRunError(JUPYTER_MISSING);
    throw e;
  }
  const specs = out.code === 0
    ? (JSON.parse(new TextDecoder().decode(out.stdout)) as {
      kernelspecs?: Record<string, unknown>;
    })
      .kernelspecs ?? {}
    : {};
  if (!("deno" in specs)) {
    throw new NotebookRunError(
      `Cannot run the notebooks: Jupyter has no "deno" kernel (it has ${
        Object.keys(specs).map((k) => `"${k}"`).join(", ") || "none"
      }); register it with "deno jupyter --install"`,
    );
  }
}

async function removeIfThere(path: string): Promise<void> {
  try {
    await Deno.remove(path);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}

async function main(): Promise<void> {
  const req = parseNotebookArgs(Deno.args);
  if (req === null) {
    console.log(HELP_TEXT);
    return;
  }
  const available = [...Deno.readDirSync(NOTEBOOK_DIR)]
    .filter((e) => e.isFile && e.name.endsWith(".ipynb"))
    .map((e) => e.name);
  const names = selectNotebooks(available, req.only);
  await checkKernel();
  await Deno.mkdir(OUT_DIR, { recursive: true });
  const env: Record<string, string> = req.quick ? { CELLSCOPE_QUICK: "1" } : {};
  const quick = req.quick || Deno.env.get("CELLSCOPE_QUICK") === "1";
  console.log(
    `running ${names.length} notebook${names.length === 1 ? "" : "s"} ${
      quick ? "in quick mode (CELLSCOPE_QUICK=1)" : "at full size"
    }; corpora from ${Deno.env.get("CELLSCOPE_CORPORA") ?? "corpora/.cache or a download"}`,
  );
  const failed: string[] = [];
  const times: string[] = [];
  for (const name of names) {
    // A stale copy from an earlier run must not pass for this run's output.
    await removeIfThere(`${OUT_DIR}/${name}.ipynb`);
    await removeIfThere(`${OUT_DIR}/${name}.html`);
    const { execute, html } = nbconvertArgs(name, req.timeout);
    console.log(`\n=== ${name}: executing ===`);
    const start = performance.now();
    const ok = await jupyter(execute, env) && await jupyter(html, env);
    const seconds = (performance.now() - start) / 1000;
    times.push(`${name}: ${ok ? "ok" : "FAILED"} in ${seconds.toFixed(0)} s`);
    console.log(`=== ${name}: ${ok ? "ok" : "FAILED"} in ${seconds.toFixed(0)} s ===`);
    if (!ok) failed.push(name);
  }
  console.log(`\n${times.join("\n")}`);
  if (failed.length > 0) {
    console.error(
      `error: ${failed.length} notebook${failed.length === 1 ? "" : "s"} failed: ${
        failed.join(", ")
      }; the cell that failed and its error are printed above (rerun one with --only NAME)`,
    );
    Deno.exit(1);
  }
  console.log(`executed copies and HTML exports are in ${OUT_DIR}/`);
}

if (import.meta.main) {
  try {
    await main();
  } catch (e) {
    if (e instanceof NotebookRunError) {
      console.error(`error: ${e.message}`);
      Deno.exit(1);
    }
    throw e;
  }
}
