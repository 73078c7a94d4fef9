/**
 * The report application: it gathers a run's data (load, record, analyze,
 * test causally, choose passages) and maps it onto the plain data that
 * `lib/viz/report/` renders. Nothing in `lib/viz/` imports from here.
 *
 * @module
 */
export {
  buildReport,
  hypothesesForCorpus,
  type Report,
  type ReportOptions,
  writeReport,
} from "./build.ts";
export { type DataSectionOptions, gatherDataSections } from "./data_sections.ts";
export { REPORT_MAX_BYTES } from "../viz/report/page.ts";
