/**
 * Saved hypothesis tracks: per-character values that come from somewhere
 * other than the text's own rules (a named dictionary feature, a person's
 * labels), kept in a file beside the characters they describe, and loaded
 * back as hypotheses that `analyze`, `probe` and `dictionary` select by name
 * like the built-in ones (`--tracks FILE --hypotheses dialogue_quote`).
 *
 * A track file is a safetensors file:
 *
 * ```
 * __metadata__  {"format": "cellscope-tracks", "version": "1",
 *                "text": "<the T characters described>",
 *                "start": "<offset of the first in the source text>",
 *                "where": "<the source, in words>",
 *                "tracks": "[{\"name\", \"kind\", \"description\"}, …]"}
 * "<name>"      F32 [T]   one per track: 0/1 (binary) or finite values (graded)
 * ```
 *
 * A saved track is defined only on its characters: loaded as a hypothesis
 * (`span`), it refuses a recording of other characters, or of a text that
 * differs there.
 *
 * @module
 */
import { CellscopeError } from "../../errors.ts";
import { readCellscopeFile, TRACKS_FORMAT } from "../../io/formats.ts";
import { writeSafetensors } from "../../io/safetensors.ts";
import { checkName } from "./_chars.ts";
import type { Hypothesis, HypothesisKind } from "./hypothesis.ts";
import { BUILTIN_HYPOTHESES, selectHypotheses } from "./registry.ts";

export { TRACKS_FORMAT };

/** The `version` of the track file layout. */
export const TRACKS_VERSION = 1;

/** One saved track. */
export interface SavedTrack {
  /** Snake_case name, not a built-in hypothesis's. */
  name: string;
  /** `binary` (0/1 values) or `graded`. */
  kind: HypothesisKind;
  /** One line for tables and reports. */
  description: string;
  /** `[T]` one value per character of the file's text. */
  values: Float32Array;
}

/** Saved tracks and the characters they describe. */
export interface TrackFile {
  /** The T characters the tracks describe. */
  text: string;
  /** Code-point offset of the first of them in the source text hypotheses are computed on. */
  start: number;
  /** The source, in words, for messages, e.g. `corpus "warpeace" (test split)`. */
  where: string;
  /** The tracks. */
  tracks: SavedTrack[];
}

/** Refuses a track whose name, kind or values are wrong for a text of T characters. */
function checkTrack(t: SavedTrack, T: number, action: string): void {
  checkName(t.name);
  if (BUILTIN_HYPOTHESES.some((h) => h.name === t.name)) {
    throw new CellscopeError(
      `${action}: "${t.name}" is a built-in hypothesis; give the track another name`,
    );
  }
  if (t.values.length !== T) {
    throw new CellscopeError(
      `${action}: track "${t.name}" has ${t.values.length} values for ${T} characters`,
    );
  }
  for (let i = 0; i < T; i++) {
    const v = t.values[i]!;
    if (t.kind === "binary" ? v !== 0 && v !== 1 : !Number.isFinite(v)) {
      throw new CellscopeError(
        `${action}: track "${t.name}" (${t.kind}) has value ${v} at character ${i}; a binary track holds 0 or 1, a graded one finite values`,
      );
    }
  }
}

/**
 * Saves tracks with the characters they describe (see the module doc for
 * the layout), replacing the file atomically.
 *
 * @param path `*.safetensors`.
 * @param file The text, its offset and source, and the tracks.
 * @throws {CellscopeError} When a name is not snake_case, is built in or
 * repeats, or a track's values do not fit its kind or the text.
 *
 * @example Save a track and load it back as a hypothesis
 * ```ts
 * import { loadTracks, savedHypotheses, saveTracks } from "./saved.ts";
 * import { computeTracks } from "./hypothesis.ts";
 * const dir = await Deno.makeTempDir();
 * await saveTracks(`${dir}/t.safetensors`, { text: "b\"c\"", start: 1, where: "a test", tracks: [
 *   { name: "quoted", kind: "binary", description: "by hand", values: new Float32Array([0, 1, 1, 1]) },
 * ] });
 * const [quoted] = savedHypotheses(await loadTracks(`${dir}/t.safetensors`));
 * console.log(Array.from(computeTracks([quoted!], Array.from('ab"c"d'), 1, 5).get("quoted")!)); // [0, 1, 1, 1]
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function saveTracks(path: string, file: TrackFile): Promise<void> {
  const action = `Cannot save tracks to "${path}"`;
  const T = Array.from(file.text).length;
  const names = new Set<string>();
  for (const t of file.tracks) {
    checkTrack(t, T, action);
    if (names.has(t.name)) throw new CellscopeError(`${action}: track "${t.name}" is named twice`);
    names.add(t.name);
  }
  await writeSafetensors(
    path,
    Object.fromEntries(
      file.tracks.map((t) => [t.name, { dtype: "F32", shape: [T], data: t.values }]),
    ),
    {
      format: TRACKS_FORMAT,
      version: String(TRACKS_VERSION),
      text: file.text,
      start: String(file.start),
      where: file.where,
      tracks: JSON.stringify(
        file.tracks.map((t) => ({ name: t.name, kind: t.kind, description: t.description })),
      ),
    },
  );
}

/**
 * Loads a track file.
 *
 * @param path A file written by {@linkcode saveTracks}.
 * @returns Its text, offset, source and tracks.
 * @throws {CellscopeError} When the file is missing, corrupt, not a track
 * file, of another version, or its tracks do not fit its text.
 */
export async function loadTracks(path: string): Promise<TrackFile> {
  const action = `Cannot load tracks "${path}"`;
  const { metadata: m, tensors } = await readCellscopeFile(path, {
    action,
    format: TRACKS_FORMAT,
    version: TRACKS_VERSION,
    writer: "deno task dictionary --name N=NAME --tracks FILE",
    redo: "save it again",
  });
  let listed: { name: string; kind: HypothesisKind; description: string }[];
  try {
    listed = JSON.parse(m.tracks ?? "");
    if (!Array.isArray(listed)) throw new SyntaxError("not a list");
  } catch {
    throw new CellscopeError(`${action}: its "tracks" metadata is not a JSON list; save it again`);
  }
  const start = Number(m.start);
  if (typeof m.text !== "string" || !Number.isSafeInteger(start) || start < 0) {
    throw new CellscopeError(`${action}: its "text" or "start" metadata is invalid; save it again`);
  }
  const T = Array.from(m.text).length;
  const tracks = listed.map((t) => {
    const e = tensors[t.name];
    if (!e || e.dtype !== "F32" || e.shape.length !== 1) {
      throw new CellscopeError(
        `${action}: track "${t.name}" has no F32 [${T}] tensor; save it again`,
      );
    }
    const track: SavedTrack = {
      name: t.name,
      kind: t.kind,
      description: t.description,
      values: Float32Array.from(e.data as Float32Array),
    };
    checkTrack(track, T, action);
    return track;
  });
  return { text: m.text, start, where: m.where ?? path, tracks };
}

/**
 * The saved tracks as hypotheses, defined on the file's characters only
 * (`span`): computed on a whole text, each places its values at the file's
 * offset, after checking that the text holds the same characters there.
 *
 * @param file A loaded track file.
 * @returns One hypothesis per track, domain `any`.
 */
export function savedHypotheses(file: TrackFile): Hypothesis[] {
  const chars = Array.from(file.text), T = chars.length;
  const span = { start: file.start, end: file.start + T, where: file.where };
  return file.tracks.map((t) => ({
    name: t.name,
    kind: t.kind,
    description: t.description,
    domain: "any",
    span,
    compute(whole: readonly string[]): Float32Array {
      const same = whole.length >= span.end &&
        chars.every((ch, i) => whole[span.start + i] === ch);
      if (!same) {
        throw new CellscopeError(
          `Cannot compute track "${t.name}": this text differs from the characters [${span.start}, ${span.end}) of ${span.where} it was saved for; save it again from a recording of this text`,
        );
      }
      const out = new Float32Array(whole.length);
      out.set(t.values, span.start);
      return out;
    },
  }));
}

/**
 * Selects hypotheses by a spec (names and keywords, as `selectHypotheses`)
 * among the built-in ones and the tracks of a track file, so a saved track is
 * chosen by name (`--tracks FILE --hypotheses dialogue_quote`); `all` and the
 * domain keywords include the saved tracks.
 *
 * @param spec Names and keywords; undefined means `"all"`.
 * @param tracksPath A track file, or undefined for the built-in hypotheses alone.
 * @returns The selected hypotheses.
 * @throws {CellscopeError} When the file cannot be loaded or a name is unknown.
 */
export async function selectWithTracks(
  spec: string | readonly string[] | undefined,
  tracksPath: string | undefined,
): Promise<Hypothesis[]> {
  const saved = tracksPath === undefined ? [] : savedHypotheses(await loadTracks(tracksPath));
  return selectHypotheses(spec, [...BUILTIN_HYPOTHESES, ...saved]);
}
