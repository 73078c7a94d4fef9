// The notebooks: the committed ones are clean and use only the public API
// (always checked); the executed copies in notebooks/.out/ (written by
// `deno task notebooks --quick`) ran to the end and show their key outputs.
import { assert, assertEquals, assertMatch } from "./_assert.ts";
import { nbconvertArgs, parseNotebookArgs, selectNotebooks } from "../notebooks/run.ts";

const DIR = new URL("../notebooks/", import.meta.url);
const OUT = new URL(".out/", DIR);
const NAMES = [
  "01_quickstart",
  "02_quote_cell",
  "03_latex",
  "04_gates",
  "05_errors",
  "06_emergence",
  "07_compare",
  "08_features",
];
const CI = Deno.env.get("CI") === "true";

interface Output {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, string | string[]>;
  ename?: string;
  evalue?: string;
}

interface Cell {
  cell_type: "code" | "markdown" | "raw";
  source: string | string[];
  outputs?: Output[];
  execution_count?: number | null;
}

interface Notebook {
  cells: Cell[];
  metadata: {
    kernelspec?: Record<string, string>;
    language_info?: { name?: string };
  };
}

const join = (s: string | string[] | undefined) => (Array.isArray(s) ? s.join("") : s ?? "");

function readNotebook(url: URL): Notebook {
  return JSON.parse(Deno.readTextFileSync(url)) as Notebook;
}

function exists(url: URL): boolean {
  try {
    Deno.statSync(url);
    return true;
  } catch {
    return false;
  }
}

const codeCells = (nb: Notebook) => nb.cells.filter((c) => c.cell_type === "code");

Deno.test("the committed notebooks are the listed ones, without outputs, on the Deno kernel", () => {
  const found = [...Deno.readDirSync(DIR)].filter((e) => e.name.endsWith(".ipynb"))
    .map((e) => e.name.replace(/\.ipynb$/, "")).sort();
  assertEquals(found, NAMES);
  for (const name of NAMES) {
    const nb = readNotebook(new URL(`${name}.ipynb`, DIR));
    assertEquals(nb.metadata.kernelspec, {
      display_name: "Deno",
      language: "typescript",
      name: "deno",
    }, name);
    assertEquals(nb.metadata.language_info?.name, "typescript", name);
    assertEquals(nb.cells[0]!.cell_type, "markdown", `${name} opens with its narrative`);
    for (const cell of codeCells(nb)) {
      assertEquals(cell.outputs, [], `${name}: outputs are cleared`);
      assertEquals(cell.execution_count, null, `${name}: execution counts are cleared`);
    }
  }
});

Deno.test("each notebook imports only lib/mod.ts, reads CELLSCOPE_QUICK and inlines plotly once", () => {
  for (const name of NAMES) {
    const nb = readNotebook(new URL(`${name}.ipynb`, DIR));
    const code = codeCells(nb).map((c) => join(c.source)).join("\n");
    const imports = [
      ...code.matchAll(/\bfrom\s+["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']/g),
    ]
      .map((m) => m[1] ?? m[2]);
    assert(imports.length > 0, `${name} imports the library`);
    assertEquals([...new Set(imports)], ["../lib/mod.ts"], name);
    assert(
      code.includes('const QUICK = Deno.env.get("CELLSCOPE_QUICK") === "1"'),
      `${name} has the size knob`,
    );
    assertEquals(code.match(/notebookPlotly\(\)/g)?.length, 1, `${name}: shows plotly.js once`);
    // The kernel can publish a cell's last outputs after its "idle", where Jupyter drops
    // them: every cell ends with `await show(…)`, which sends and then waits.
    for (const [i, cell] of codeCells(nb).entries()) {
      const statements = join(cell.source).trimEnd().split("\n").filter((l) =>
        /^[^\s)\]}]/.test(l)
      );
      assertMatch(
        statements.at(-1)!,
        /^await show\(/,
        `${name}: code cell ${i + 1} ends with show`,
      );
    }
  }
  const first = join(readNotebook(new URL("02_quote_cell.ipynb", DIR)).cells[0]!.source);
  assertMatch(first, /runs\/warpeace-lstm-2x256/);
});

Deno.test("notebooks/run.ts parses its flags and builds the nbconvert commands", () => {
  assertEquals(parseNotebookArgs([]), { quick: false, only: [], timeout: 7200 });
  assertEquals(parseNotebookArgs(["--quick", "--only", "notebooks/03_latex.ipynb"]), {
    quick: true,
    only: ["03_latex"],
    timeout: 600,
  });
  assertEquals(parseNotebookArgs(["-h"]), null);
  for (const bad of [["--fast"], ["--timeout", "0"], ["stray"]]) {
    let message = "";
    try {
      parseNotebookArgs(bad);
    } catch (e) {
      message = (e as Error).message;
    }
    assertMatch(message, /^Cannot run "notebooks": /);
  }
  assertEquals(selectNotebooks(["b.ipynb", "a.ipynb"], []), ["a", "b"]);
  let missing = "";
  try {
    selectNotebooks(["a.ipynb"], ["zz"]);
  } catch (e) {
    missing = (e as Error).message;
  }
  assertMatch(missing, /no notebooks\/zz\.ipynb; the notebooks are "a"/);
  const { execute, html } = nbconvertArgs("01_quickstart", 600);
  assert(
    execute.includes("--execute") && execute.includes("--ExecutePreprocessor.kernel_name=deno"),
  );
  assertEquals(execute.slice(-3), [
    "--output-dir",
    "notebooks/.out",
    "notebooks/01_quickstart.ipynb",
  ]);
  assertEquals(html.slice(-1), ["notebooks/.out/01_quickstart.ipynb"]);
});

// ---------------------------------------------------------------------------
// Executed copies

const executed = NAMES.filter((n) => exists(new URL(`${n}.ipynb`, OUT)));
const SKIP_REASON = executed.length === NAMES.length
  ? null
  : `notebooks/.out/ lacks ${
    NAMES.filter((n) => !executed.includes(n)).map((n) => `${n}.ipynb`).join(", ")
  }; run "deno task notebooks --quick" first`;
if (SKIP_REASON !== null && !CI) {
  console.log(`skipping the executed-notebook tests: ${SKIP_REASON}`);
}

/** The executed copy's outputs: HTML of displayed values and the printed text, cell by cell. */
function outputsOf(name: string) {
  if (SKIP_REASON !== null) throw new Error(`Cannot check ${name}: ${SKIP_REASON}`);
  const nb = readNotebook(new URL(`${name}.ipynb`, OUT));
  const cells = codeCells(nb);
  const errors = cells.flatMap((c) => c.outputs ?? []).filter((o) => o.output_type === "error");
  assertEquals(
    errors.map((e) => `${e.ename}: ${e.evalue}`),
    [],
    `${name}: no cell raised an error`,
  );
  for (const [i, c] of cells.entries()) {
    assert(c.execution_count !== null, `${name}: code cell ${i + 1} ran`);
  }
  const html = cells.flatMap((c) => c.outputs ?? []).map((o) => join(o.data?.["text/html"]))
    .filter((h) => h !== "");
  const stdout = cells.map((c) =>
    (c.outputs ?? []).filter((o) => o.output_type === "stream" && o.name === "stdout")
      .map((o) => join(o.text)).join("")
  );
  const loaders = html.filter((h) => h.includes("is loaded in this notebook"));
  assertEquals(loaders.length, 1, `${name}: plotly.js is inlined once`);
  return {
    html,
    stdout,
    figures: html.filter((h) => h.includes("Plotly.newPlot")),
    heatmaps: html.filter((h) => h.includes('class="cellscope-heatmap"')),
  };
}

const ignore = SKIP_REASON !== null && !CI;

Deno.test({
  name: "01_quickstart ran: loss curves and samples of several lines",
  ignore,
  fn() {
    const { figures, stdout } = outputsOf("01_quickstart");
    assert(figures.some((h) => h.includes("Training and validation loss")), "the curves");
    const samples = stdout.find((s) => s.includes("--- temperature 0.8 ---"));
    assert(samples !== undefined, "the samples cell printed");
    for (const t of ["0.5", "0.8", "1"]) {
      const text = samples.split(`--- temperature ${t} ---\n`)[1]!.split("\n--- ")[0]!;
      assert(text.trim().length >= 100, `temperature ${t}: a sample`);
    }
    assert(samples.split("\n").filter((l) => l.trim() !== "").length >= 8, "several lines of text");
    assert(stdout.some((s) => /step \d+ \(epoch [\d.]+\): train [\d.]+ val [\d.]+/.test(s)));
  },
});

Deno.test({
  name: "02_quote_cell ran: ranking, quote unit AUC, heatmap on dialogue, clamp and samples",
  ignore,
  fn() {
    const { figures, heatmaps, stdout } = outputsOf("02_quote_cell");
    const all = stdout.join("\n");
    assertMatch(all, /^(Reusing the checkpoint|No checkpoint in)/m);
    assert(figures.some((h) => h.includes("in_quotes")), "the in_quotes ranking");
    assert(figures.some((h) => h.includes("Training and validation loss")), "the curves");
    assertMatch(
      all,
      /^category\s+count\s+at \S+\s+at \S+\s+random units$/m,
      "the causal table: both clamps against random units",
    );
    assertEquals(heatmaps.length, 1);
    assertMatch(
      heatmaps[0]!,
      /(the quote cell|the best live in_quotes unit.*) l\d+\.[ch]\[\d+\] on dialogue/,
    );
    // The best-scoring unit is named with its liveness and causal verdict, never as the quote
    // cell by its score alone.
    assertMatch(
      all,
      /^best-scoring unit: l\d+\.[ch]\[\d+\], AUC \d\.\d{3}; output range \d\.\d{3}: (INERT|live); /m,
    );
    const shown =
      /^(the quote cell|the best live in_quotes unit[^:]*): (l\d+\.[ch]\[\d+\]), AUC (\d\.\d{3})/m
        .exec(all);
    assert(shown !== null, "the unit shown is named with its AUC");
    if (/(reused|trained) a 2×256 lstm/.test(all)) {
      assertEquals(shown[1], "the quote cell", "the full-size model has a confirmed quote cell");
      assert(Number(shown[3]) >= 0.9, `the full-size model's quote cell: AUC ${shown[3]}`);
    }
    const samples = all.split(/^--- sample (without the clamp .*|with the clamp: .*) ---\n/m);
    assertEquals(samples.length, 7, "a sample without the clamp, two with it");
    assertMatch(samples[1]!, /^without the clamp \(\d+ quote marks\)$/);
    assertMatch(samples[3]!, /^with the clamp: l\d+\.[ch]\[\d+\] = \S+, its median inside quotes/);
    assertMatch(samples[5]!, /^with the clamp: l\d+\.[ch]\[\d+\] = \S+, its median outside quotes/);
    for (const i of [2, 4, 6]) assert(samples[i]!.trim().length > 100, "a sample of some length");
  },
});

Deno.test({
  name: "03_latex ran: rankings and heatmaps of math mode, environment and brace depth",
  ignore,
  fn() {
    const { figures, heatmaps, stdout } = outputsOf("03_latex");
    assert(figures.some((h) => h.includes("in_latex_math")), "the math-mode ranking");
    assertEquals(heatmaps.length, 3);
    for (const h of ["in_latex_math", "latex_env_depth", "latex_brace_depth"]) {
      assert(heatmaps.some((x) => x.includes(h)), `a heatmap for ${h}`);
      assert(stdout.join("\n").includes(h), `${h} is in the ranking table`);
    }
  },
});

Deno.test({
  name: "04_gates ran: three curves side by side and saturation of the LSTM and GRU gates",
  ignore,
  fn() {
    const { figures, stdout } = outputsOf("04_gates");
    const curves = figures.filter((h) => h.includes("same budget"));
    assertEquals(curves.length, 1);
    for (const m of ["rnn", "lstm", "gru"]) assert(curves[0]!.includes(`"${m} val"`), m);
    const saturation = figures.filter((h) => h.includes("gate saturation"));
    assertEquals(saturation.length, 2);
    assert(saturation[0]!.includes("forget gate") && saturation[1]!.includes("update gate"));
    assert(stdout.join("\n").includes("mean right"), "the saturation tables");
  },
});

Deno.test({
  name: "05_errors ran: the n-gram table, both models compared, the three charts",
  ignore,
  fn() {
    const { figures, stdout } = outputsOf("05_errors");
    const text = stdout.join("\n");
    assertMatch(text, /order +val \(nats\/char\) +test \(nats\/char\)\n +1 +\d\.\d{4}/);
    assertMatch(text, /best n-gram: order \d+/);
    assertEquals(text.match(/errors \(p < 0\.5\)/g)?.length, 2, "a breakdown per model");
    assert(figures.some((h) => h.includes("Where the model gains on the n-gram")), "figure 4");
    assert(figures.some((h) => h.includes("by distance to the opener")), "the long-range chart");
    assert(
      figures.some((h) => h.includes("peeled in order") && h.includes('"stack"')),
      "breakdown",
    );
  },
});

Deno.test({
  name:
    "08_features ran: probe table, dictionary quality, features ranked as units, named and unnamed features",
  ignore,
  fn() {
    const { stdout } = outputsOf("08_features");
    const all = stdout.join("\n");
    assertMatch(all, /hypothesis\s+signal\s+metric\s+probe\s+best unit\s+control probe/);
    assertMatch(all, /^\S+\s+l\*\.h\s+(auc|pearson)\s+\d\.\d{3}/m);
    assertMatch(all, /\d+ features: held-out FVU \d+\.\d{3}, L0 [\d.]+, dead \d+, dense \d+/);
    assertMatch(all, /feature\[\d+\], active on [\d.]+%/);
    // Features ranked beside the units of l1.h.
    assertMatch(all, /^in_quotes\s+auc\s+(l1\.h|feature)\[\d+\]\s+\d\.\d{3}/m);
  },
});

Deno.test({
  name: "06_emergence ran: snapshots, the emergence table and curves, the filmstrip",
  ignore,
  fn() {
    const { figures, heatmaps, stdout } = outputsOf("06_emergence");
    const text = stdout.join("\n");
    assertMatch(text, /snapshots at steps 50, 100, 200/);
    assertMatch(text, /in_quotes\s+auc\s+50\s/);
    assert(figures.some((h) => h.includes("How the units emerged")), "the curves");
    assertEquals(heatmaps.length, 1);
    assert(heatmaps[0]!.includes("step 50") && heatmaps[0]!.includes("over training"));
  },
});

Deno.test({
  name: "07_compare ran: six models, matchings, the map and the universality tables",
  ignore,
  fn() {
    const { figures, stdout } = outputsOf("07_compare");
    const text = stdout.join("\n");
    for (const m of ["lstm-s1", "lstm-s2", "gru-s1", "gru-s2", "rnn-s1", "rnn-s2"]) {
      assert(text.includes(m), m);
    }
    assert(text.includes("Hungarian algorithm"), "the matching table");
    assertEquals(text.match(/, 2 seeds\n/g)?.length, 3, "a universality table per cell");
    assert(figures.some((h) => h.includes("Models by their predictions")), "the map");
  },
});
