/**
 * File formats and safe writing: safetensors (read, write, header-only read,
 * row ranges, streamed writes), float16 conversion, atomic writes, JSON Lines
 * logs that survive a killed writer, and the rules for what an output path may
 * replace.
 *
 * @example Round-trip a tensor through safetensors bytes
 * ```ts
 * import { decodeSafetensors, encodeSafetensors } from "./mod.ts";
 * const bytes = encodeSafetensors({ w: { dtype: "F32", shape: [2], data: new Float32Array([1, 2]) } }, { note: "hi" });
 * const { tensors, metadata } = decodeSafetensors(bytes);
 * console.log(Array.from(tensors.w!.data as Float32Array), metadata.note); // [1, 2] "hi"
 * ```
 *
 * @module
 */
export * from "./atomic.ts";
export * from "./float16.ts";
export * from "./formats.ts";
export * from "./jsonl.ts";
export * from "./output.ts";
export * from "./safetensors.ts";
