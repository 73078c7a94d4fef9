/**
 * The report's views: each section renders plain data into HTML (one file
 * per section), `page.ts` puts them under a table of contents within the
 * byte budget, and `explorer_client.ts` is the explorer's browser code.
 * The data is gathered by `lib/report/`, never here.
 *
 * @module
 */
export * from "./causal_section.ts";
export * from "./data_page.ts";
export * from "./data_section.ts";
export * from "./explorer_client.ts";
export * from "./explorer_section.ts";
export * from "./features_section.ts";
export * from "./format.ts";
export * from "./page.ts";
export * from "./run_section.ts";
export * from "./samples_section.ts";
export * from "./saturation_section.ts";
export * from "./section.ts";
export * from "./training_section.ts";
export * from "./units_section.ts";
