import {
  inLatexMath,
  latexBraceDepth,
  latexEnvDepth,
  MATH_ENVIRONMENTS,
} from "../../../lib/analyze/hypotheses/latex.ts";
import { assertEquals } from "../../_assert.ts";
import { assertLabels, trackOf } from "./_labels.ts";

const hyps = [inLatexMath, latexEnvDepth, latexBraceDepth];

Deno.test("inLatexMath marks $ $$ \\( \\[ math with delimiters inside, not an escaped \\$ or a \\\\ line break", () => {
  assertLabels(
    hyps,
    String.raw`
    text:          \$5 $x$ and $$y$$ z
    in_latex_math: 0000111000001111100

    text:          $$a$b$$c
    in_latex_math: 11111110

    text:          \(a\) \[b\] \\[2pt] c
    in_latex_math: 111110111110000000000

    text:          $a$$b$ $\$x$ \{
    in_latex_math: 111111011111000
  `,
  );
});

Deno.test("inLatexMath treats math environments as math and other environments, nested or not, as text", () => {
  assertLabels(
    hyps,
    String.raw`
    text:            \begin{equation}\begin{aligned}x\end{aligned}\end{equation}.
    in_latex_math:   111111111111111111111111111111111111111111111111111111111110
    latex_env_depth: 111111111111111122222222222222222222222222222111111111111110

    text:            \begin{itemize}y\end{itemize}\begin{align*}z\end{align*}
    in_latex_math:   00000000000000000000000000000111111111111111111111111111
    latex_env_depth: 11111111111111111111111111111111111111111111111111111111
  `,
  );
});

Deno.test("inLatexMath ignores delimiters in % comments, keeps math through a comment, and closes $ at a blank line", () => {
  assertLabels(
    hyps,
    String.raw`
    text:          % $x¶a $y$ %$¶b $a % $¶b$
    in_latex_math: 0000000111000000111111111

    text:          $a¶¶b
    in_latex_math: 11000

    text:          \begin{equation}a¶¶b\end{equation}.
    in_latex_math: 11111111111111111111111111111111110
  `,
  );
});

Deno.test("latexEnvDepth gives \\begin and \\end tokens the inner depth and ignores an unmatched \\end", () => {
  assertLabels(
    hyps,
    String.raw`
    text:            \end{x}a\begin{a}b\begin{b}c\end{b}d\end{a}e
    latex_env_depth: 00000000111111111122222222222222222111111110

    text:            \\begin{a}x %\begin{b}¶y
    latex_env_depth: 000000000000000000000000
  `,
  );
});

Deno.test("latexBraceDepth counts { } groups, not \\{ \\} or braces in comments, and ignores an unmatched }", () => {
  assertLabels(
    hyps,
    String.raw`
    text:              a{b\{c{d}\}}e}f
    latex_brace_depth: 011111222111000

    text:              \frac{1}{x_{i}} % {¶y \begin{a}{b}
    latex_brace_depth: 0000011111122210000000000000111111
  `,
  );
});

Deno.test("inLatexMath knows every listed math environment, starred forms included", () => {
  assertEquals(MATH_ENVIRONMENTS, [
    "equation",
    "equation*",
    "align",
    "align*",
    "alignat",
    "alignat*",
    "flalign",
    "flalign*",
    "eqnarray",
    "eqnarray*",
    "gather",
    "gather*",
    "multline",
    "multline*",
    "displaymath",
    "math",
  ]);
  for (const env of MATH_ENVIRONMENTS) {
    const text = `a\\begin{${env}}x\\end{${env}}b`;
    const expected = [0, ...Array(Array.from(text).length - 2).fill(1), 0];
    assertEquals(trackOf(inLatexMath, text), expected, env);
  }
  assertEquals(trackOf(inLatexMath, "\\begin{figure}x\\end{figure}").includes(1), false);
});
