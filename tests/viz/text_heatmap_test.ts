import { assert, assertEquals, assertThrows } from "../_assert.ts";
import { renderTextHeatmap, textHeatmap, unitColumn } from "../../lib/viz/text_heatmap.ts";
import { INJECTION } from "./_fixtures.ts";

Deno.test("textHeatmap() makes one span per code point, with visible whitespace", () => {
  const text = "a b\n\tz🙂é";
  const chars = Array.from(text);
  assertEquals(chars.length, 8); // the emoji is one code point, two UTF-16 units
  const values = [1, 0.5, 0, -0.5, -1, 0.25, NaN, 0];
  const data = textHeatmap({ text, rows: [{ label: "l0.h[3]", values, signal: "l0.h" }] });
  assertEquals(data.scale, { kind: "diverging", min: -1, max: 1 });
  const spans = data.rows[0]!.spans;
  assertEquals(spans.map((s) => s.t), [0, 1, 2, 3, 4, 5, 6, 7]);
  assertEquals(spans.map((s) => s.char), chars);
  assertEquals(spans.map((s) => s.display), ["a", "·", "b", "↵", "→", "z", "🙂", "é"]);
  assertEquals(spans.map((s) => s.whitespace), [
    false,
    true,
    false,
    true,
    true,
    false,
    false,
    false,
  ]);
  assertEquals(spans.map((s) => s.newline), [
    false,
    false,
    false,
    true,
    false,
    false,
    false,
    false,
  ]);
  assertEquals(spans[0]!.color, "rgb(178, 24, 43)");
  assertEquals(spans[2]!.color, "rgb(255, 255, 255)");
  assertEquals(spans[4]!.color, "rgb(33, 102, 172)");
  assertEquals(spans[6]!.color, "rgb(200, 200, 200)");
  assert(Number.isNaN(spans[6]!.value));
});

Deno.test("textHeatmap() shows a window with absolute positions and a shared scale", () => {
  const data = textHeatmap({
    text: "abcdef",
    rows: [
      { label: "l0.c[0]", values: [9, 0.5, -1, 2, 0, 9], signal: "l0.c" },
      { label: "l1.c[4]", values: [0, 0, 0, -4, 0, 0], signal: "l1.c" },
    ],
    start: 1,
    end: 5,
  });
  // The 9s lie outside the window and do not widen the scale.
  assertEquals(data.scale, { kind: "diverging", min: -4, max: 4 });
  assertEquals(data.rows[0]!.spans.map((s) => s.t), [1, 2, 3, 4]);
  assertEquals(data.rows[0]!.spans.map((s) => s.char).join(""), "bcde");
  assertEquals(data.rows[1]!.spans[2]!.color, "rgb(33, 102, 172)");
});

Deno.test("textHeatmap() builds the next-character strip", () => {
  const data = textHeatmap({
    text: "ab",
    rows: [{ label: "u", values: [0, 0] }],
    topK: { chars: [["b", " "], ["\n", "c"]], probs: [[0.75, 0.25], [1, 0]] },
  });
  assertEquals(data.topK!.map((c) => c.t), [0, 1]);
  assertEquals(data.topK![0]!.next.map((n) => [n.char, n.display, n.prob]), [
    ["b", "b", 0.75],
    [" ", "·", 0.25],
  ]);
  assertEquals(data.topK![1]!.next[0]!.color, "rgb(33, 102, 172)");
  assertEquals(data.topK![1]!.next[1]!.color, "rgb(255, 255, 255)");
});

Deno.test("textHeatmap() rejects rows, windows and top-k lists that do not fit the text", () => {
  assertThrows(
    () => textHeatmap({ text: "🙂ab", rows: [{ label: "u", values: [1, 2, 3, 4] }] }),
    /row "u" has 4 values, but the text has 3 characters/,
  );
  assertThrows(() => textHeatmap({ text: "ab", rows: [], start: 1, end: 3 }), RangeError);
  assertThrows(() => textHeatmap({ text: "ab", rows: [], start: 2, end: 1 }), RangeError);
  assertThrows(
    () => textHeatmap({ text: "ab", rows: [], topK: { chars: [["a"]], probs: [[1]] } }),
    TypeError,
  );
  assertThrows(
    () => textHeatmap({ text: "a", rows: [], topK: { chars: [["a", "b"]], probs: [[1]] } }),
    /at t = 0 topK has 2 characters but 1 probabilities/,
  );
});

Deno.test("renderTextHeatmap() gives each character a coloured span with its exact value", () => {
  const data = textHeatmap({
    text: "x \n",
    rows: [{ label: "l1.f[2]", values: [0.81344, 0.5, 0], signal: "l1.f" }],
  });
  const html = renderTextHeatmap(data, { id: "hm-1" });
  assert(html.startsWith('<div class="cellscope-heatmap" id="hm-1">'));
  assert(html.includes(`title="t=0 &#39;x&#39; value=0.8134">x</span>`), html);
  assert(html.includes(`title="t=1 &#39; &#39; value=0.5000">·</span>`));
  assert(html.includes(`title="t=2 &#39;\\n&#39; value=0.0000">↵</span><br>`));
  assert(html.includes('class="cs-legend"'));
  // A sigmoid gate is scaled to its observed range, 0 … 0.81344: the top value takes the full red.
  assert(html.includes("<span>0</span><span>0.407</span><span>0.813</span>"));
  assert(html.includes(`background: rgb(178, 24, 43)`));
});

Deno.test("renderTextHeatmap() escapes everything taken from the text", () => {
  const text = INJECTION;
  const T = Array.from(text).length;
  const data = textHeatmap({
    text,
    rows: [{ label: `<b>"unit"</b> & co`, values: new Float32Array(T) }],
    topK: {
      chars: Array.from({ length: T }, () => ["<", "&"]),
      probs: Array.from({ length: T }, () => [0.5, 0.5]),
    },
    title: "</textarea><script>alert(3)</script>",
  });
  const html = renderTextHeatmap(data, { id: "hm-x" });
  for (const raw of ["<script>", "</script>", "</textarea>", "<img", "<b>", "alert(1)</script>"]) {
    assert(!html.includes(raw), `raw ${JSON.stringify(raw)} in the HTML`);
  }
  assert(html.includes(">&lt;</span>"));
  assert(html.includes(">&amp;</span>"));
  assert(html.includes(">&quot;</span>"));
  assert(html.includes(">&#39;</span>"));
  assert(html.includes("&lt;b&gt;&quot;unit&quot;&lt;/b&gt; &amp; co"));
  assert(html.includes("&lt;/textarea&gt;&lt;script&gt;alert(3)&lt;/script&gt;"));
  assert(html.includes(`title="t=0 &#39;&lt;&#39; value=0.0000"`));
  assert(html.includes(`title="t=0 next &#39;&lt;&#39; p=0.5000"`));
  // Reading the characters back out of the spans gives the text.
  const shown = [
    ...html.matchAll(/<span class="cs-ch" style="[^"]*" title="[^"]*">([^<]*)<\/span>/g),
  ]
    .map((m) =>
      m[1]!.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'").replace(/&amp;/g, "&").replace(/·/g, " ")
    )
    .join("");
  assertEquals(shown, text);
  assertThrows(() => renderTextHeatmap(data, { id: '"><script>' }), TypeError);
});

Deno.test("renderTextHeatmap() snapshot: two units and the next-character strip", async (t) => {
  const data = textHeatmap({
    text: 'if (a < b) {\n\treturn "x";\n}',
    rows: [
      {
        label: "l1.c[7]",
        values: Array.from({ length: 27 }, (_, i) => Math.sin(i / 3) * 2),
        signal: "l1.c",
      },
      {
        label: "l1.c[9]",
        values: Array.from({ length: 27 }, (_, i) => (i % 5) / 4 - 0.5),
        signal: "l1.c",
      },
    ],
    start: 3,
    end: 16,
    topK: {
      chars: Array.from({ length: 27 }, () => ["a", " ", "<"]),
      probs: Array.from({ length: 27 }, (_, i) => [0.6 - i / 100, 0.3, 0.1 + i / 100]),
    },
    title: "Units 7 and 9 of layer 1",
  });
  await t.assertSnapshot(renderTextHeatmap(data, { id: "snap-1" }));
});

Deno.test("unitColumn() reads one unit of a [T, H] signal", () => {
  assertEquals(Array.from(unitColumn(new Float32Array([1, 2, 3, 4, 5, 6]), 3, 2)), [3, 6]);
  assertThrows(() => unitColumn(new Float32Array(6), 3, 3), RangeError);
  assertThrows(() => unitColumn(new Float32Array(7), 3, 0), TypeError);
});
