/**
 * An in-memory recording of given states, for tests of probes and dictionaries.
 *
 * @module
 */
import { createMemoryWriter, type RecordingMeta } from "../../lib/record/store.ts";
import type { ActivationStore } from "../../lib/record/store.ts";

/**
 * A store holding `[T, D]` states under each name, over a text of T characters.
 *
 * @param signals Name → `[T, D]` states.
 * @param D Width of every signal.
 * @param text The recorded text (T characters); defaults to T letters "a".
 * @returns The store.
 */
export async function storeOf(
  signals: Record<string, Float32Array>,
  D: number,
  text?: string,
): Promise<ActivationStore> {
  const first = Object.values(signals)[0]!;
  const T = first.length / D;
  const controlled = Object.keys(signals).some((n) => n.startsWith("control."));
  const meta: RecordingMeta = {
    text: text ?? "a".repeat(T),
    vocab: ["a"],
    checkpoint: { path: "", step: 0, sha256: "", model: null },
    source: { kind: "text", name: "test", split: null, start: 0, end: T },
    control: controlled ? { seed: 1 } : null,
    dtype: "float32",
    createdAt: "2026-01-01T00:00:00Z",
  };
  const writer = createMemoryWriter(
    T,
    Object.keys(signals).map((name) => ({ name, units: D })),
    meta,
  );
  for (const [name, data] of Object.entries(signals)) await writer.write(name, 0, data);
  return await writer.finish();
}
