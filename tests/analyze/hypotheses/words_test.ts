import { sentenceStart, wordStart } from "../../../lib/analyze/hypotheses/words.ts";
import { assertLabels } from "./_labels.ts";

const hyps = [wordStart, sentenceStart];

Deno.test("wordStart marks the first letter or digit of each word, in any script", () => {
  assertLabels(
    hyps,
    String.raw`
    text:       Hi 2u, don't_x 한국어 말
    word_start: 10010001000101010001

    text:       😀ab¶x1
    word_start: 010010
  `,
  );
});

Deno.test("wordStart lets combining marks continue a word (Devanagari vowel signs)", () => {
  // हिंदी है = ह ि ं द ी, space, ह ै: द follows a mark, so it continues the word
  assertLabels(hyps, "text:       हिंदी है\nword_start: 10000010");
});

Deno.test("sentenceStart marks the first letter or digit after . ! ? and whitespace, closers allowed", () => {
  assertLabels(
    hyps,
    String.raw`
    text:           Hi. "Yes," he said. 3.14 is pi
    sentence_start: 100001000000000000001000000000

    text:           Go!" Then (x)? ok.¶¶new.¶next
    sentence_start: 10000100000000010000100001000
  `,
  );
});

Deno.test("sentenceStart restarts after a blank line only, skips leading punctuation, and trusts every period", () => {
  assertLabels(
    hyps,
    String.raw`
    text:           a¶¶b
    sentence_start: 1001

    text:           a¶b
    sentence_start: 100

    text:           — "Hey
    sentence_start: 000100

    text:           Mr. Smith
    sentence_start: 100010000
  `,
  );
});
