/**
 * The report's Samples section: a few of the samples drawn during training,
 * from the first to the last, each with the validation loss at its step.
 *
 * @module
 */
import { escapeHtml } from "../html.ts";
import { fixed, thousands } from "./format.ts";
import type { Section } from "./section.ts";

/** What the Samples section shows. */
export interface SamplesView {
  /** The samples shown, in step order, each with the last validation loss before it (null: none yet). */
  shown: readonly { step: number; text: string; valLoss: number | null }[];
  /** Samples logged in all. */
  logged: number;
  /** The run's sampling settings. */
  sampleEvery: number;
  sampleLength: number;
  sampleTemperature: number;
}

/**
 * The Samples section.
 *
 * @param samples What to show.
 * @returns The section.
 */
export function samplesSection(samples: SamplesView): Section {
  const head = { id: "samples", title: "Samples as training progressed" };
  const picked = samples.shown;
  if (picked.length === 0) {
    return {
      ...head,
      html: `<p class="note">No samples were logged (sampleEvery is ${
        escapeHtml(String(samples.sampleEvery))
      }).</p>`,
    };
  }
  const figures = picked.map((s, i) => {
    const when = i === 0 ? "At first" : i === picked.length - 1 ? "At the end" : "Trained more";
    const loss = s.valLoss !== null
      ? `val loss ${fixed(s.valLoss, 3)}`
      : "before the first validation";
    return `<figure class="sample"><figcaption>${when}: step ${
      thousands(s.step)
    } · ${loss}</figcaption>
<pre class="text">${escapeHtml(s.text)}</pre></figure>`;
  });
  return {
    ...head,
    html:
      `<p class="note">${picked.length} of the ${samples.logged} samples drawn during training (${
        thousands(samples.sampleLength)
      } characters at temperature ${
        escapeHtml(String(samples.sampleTemperature))
      }), from the first to the last: read down to watch the model learn characters, then words, then layout.</p>
${figures.join("\n")}`,
  };
}
