// The tree's structural rules, checked on the files themselves:
// - no file in lib/ is over 600 lines, unless a comment in its first 30 lines
//   says "longer than 600 lines because …";
// - the folders of lib/ import each other without a cycle;
// - lib/viz/ imports nothing from train/, record/, analyze/ or kernels/ (not
//   even a type, not even in an @example).
// The line rule has a list of the files that break it today. The list may only
// shrink: a file that grows past its ceiling fails; so does an entry that no
// longer breaks the rule (remove it).
import { assert, assertEquals } from "./_assert.ts";

const LIB = new URL("../lib/", import.meta.url);
const MAX_LINES = 600;
const REASON = /longer than 600 lines because \S/;

/**
 * Files over 600 lines without a reason, with the line count each may not
 * exceed. They are being split (issue 16); each entry goes when its file does.
 */
const LONG_FILES: Readonly<Record<string, number>> = {};

/** Folders `viz/` must not import: views render plain data. */
const ABOVE_VIZ = ["train", "record", "analyze", "kernels"];

/** Every text source file under lib/, as paths relative to it (sorted). */
async function libFiles(dir = LIB, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const rel = prefix + e.name;
    if (e.isDirectory) out.push(...await libFiles(new URL(`${e.name}/`, dir), `${rel}/`));
    else if (/\.(ts|js|css|html)$/.test(e.name)) out.push(rel);
  }
  return out.sort();
}

/** The relative module specifiers a file names (imports, re-exports, dynamic imports, examples). */
function specifiers(source: string): string[] {
  const out: string[] = [];
  const re =
    /\b(?:import|export)\b[^;"'`]*?\bfrom\s*["'](\.[^"']+)["']|\bimport\s*\(?\s*["'](\.[^"']+)["']/g;
  for (const m of source.matchAll(re)) out.push(m[1] ?? m[2]!);
  return out;
}

/** The lib/ folder a path relative to lib/ belongs to ("" for lib/*.ts). */
function folderOf(rel: string): string {
  const slash = rel.indexOf("/");
  return slash < 0 ? "" : rel.slice(0, slash);
}

/** `file -> folder` for every import from one lib/ folder into another. */
async function folderImports(): Promise<{ from: string; file: string; to: string }[]> {
  const out: { from: string; file: string; to: string }[] = [];
  for (const rel of await libFiles()) {
    if (!rel.endsWith(".ts")) continue;
    const source = await Deno.readTextFile(new URL(rel, LIB));
    for (const spec of specifiers(source)) {
      const target = new URL(spec, new URL(rel, LIB)).href;
      if (!target.startsWith(LIB.href)) continue;
      const to = folderOf(target.slice(LIB.href.length));
      const from = folderOf(rel);
      if (to !== from && to !== "" && from !== "") out.push({ from, file: rel, to });
    }
  }
  return out;
}

Deno.test("no file in lib/ is over 600 lines without a reason in its first 30 lines", async () => {
  const problems: string[] = [];
  const stale: string[] = [];
  for (const rel of await libFiles()) {
    const text = await Deno.readTextFile(new URL(rel, LIB));
    const lines = text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
    const ceiling = LONG_FILES[rel];
    if (REASON.test(text.split("\n").slice(0, 30).join("\n"))) continue;
    if (ceiling !== undefined) {
      if (lines > ceiling) problems.push(`${rel} grew to ${lines} lines (at most ${ceiling})`);
      if (lines <= MAX_LINES) stale.push(rel);
    } else if (lines > MAX_LINES) {
      problems.push(
        `${rel} has ${lines} lines; split it by concept, or say "longer than 600 lines because …" in its first 30 lines`,
      );
    }
  }
  assertEquals(problems, [], problems.join("; "));
  assertEquals(stale, [], `these files are short now, remove them from LONG_FILES: ${stale}`);
});

Deno.test("the folders of lib/ import each other without a cycle", async () => {
  const edges = new Map<string, Map<string, string>>();
  for (const { from, file, to } of await folderImports()) {
    if (!edges.has(from)) edges.set(from, new Map());
    if (!edges.get(from)!.has(to)) edges.get(from)!.set(to, file);
  }
  // Depth-first search; a back edge closes a cycle.
  const state = new Map<string, "open" | "done">();
  const cycles: string[] = [];
  const visit = (folder: string, path: string[]): void => {
    state.set(folder, "open");
    for (const [to, file] of edges.get(folder) ?? []) {
      if (state.get(to) === "open") {
        cycles.push([...path.slice(path.indexOf(to)), folder, to].join(" -> ") + ` (${file})`);
      } else if (state.get(to) === undefined) visit(to, [...path, folder]);
    }
    state.set(folder, "done");
  };
  for (const folder of [...edges.keys()].sort()) if (!state.has(folder)) visit(folder, []);
  assertEquals(cycles, [], `folder cycles: ${cycles.join("; ")}`);
  // The rule is live: nn/ and sample/ are both seen, and sample/ uses nn/.
  assert(edges.get("sample")?.has("nn"));
});

Deno.test("lib/viz/ imports nothing from train/, record/, analyze/ or kernels/", async () => {
  const found = new Set<string>();
  let vizImports = 0;
  for (const { from, file, to } of await folderImports()) {
    if (from !== "viz") continue;
    vizImports++;
    if (ABOVE_VIZ.includes(to)) found.add(`${file} -> ${to}`);
  }
  assertEquals(
    [...found].sort(),
    [],
    `viz/ renders plain data, so define what a view needs in viz/ (viz/data.ts, viz/report/) and map onto it in the application (lib/report/) instead of importing ${
      [...found].join(", ")
    }`,
  );
  // The rule is live: viz/ does import other folders (nn/ for signal names).
  assert(vizImports > 0);
});
