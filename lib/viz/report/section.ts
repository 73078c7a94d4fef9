/**
 * A report section (an id for the contents, a heading, its HTML), and the
 * table of contents and page body made from the sections.
 *
 * @module
 */
import { escapeHtml } from "../html.ts";

/** A section of the report. */
export interface Section {
  /** Element id. */
  id: string;
  /** Heading. */
  title: string;
  /** Body HTML. */
  html: string;
  /** Subsections listed in the contents. */
  children?: { id: string; title: string }[];
}

/**
 * The table of contents: every section, with its subsections.
 *
 * @param sections The sections in page order.
 * @returns A `<nav>` of links to their ids.
 */
export function renderToc(sections: readonly Section[]): string {
  const items = sections.map((s) => {
    const sub = s.children?.length
      ? `<ol>${
        s.children.map((c) => `<li><a href="#${c.id}">${escapeHtml(c.title)}</a></li>`).join("")
      }</ol>`
      : "";
    return `<li><a href="#${s.id}">${escapeHtml(s.title)}</a>${sub}</li>`;
  });
  return `<nav class="toc" id="contents"><b>Contents</b>\n<ol>\n${items.join("\n")}\n</ol>\n</nav>`;
}

/**
 * The sections as `<section>` elements with their headings.
 *
 * @param sections The sections in page order.
 * @returns The HTML.
 */
export function renderSections(sections: readonly Section[]): string {
  return sections.map((s) =>
    `<section id="${s.id}">\n<h2>${escapeHtml(s.title)}</h2>\n${s.html}\n</section>`
  ).join("\n");
}
