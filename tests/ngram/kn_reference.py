"""An independent interpolated modified Kneser-Ney, written from Chen & Goodman
(1998, eq. 26) and KenLM's lmplz (adjusted counts, discounts from the exactly-j
count-of-counts n_1..n_4 of each length), with plain dicts keyed by strings.

It shares no code with lib/ngram/ and is the source of the pinned War and Peace
losses in tests/ngram/kneser_ney_test.ts. Slow (minutes): not run by the tests.

    /usr/bin/python3 tests/ngram/kn_reference.py FILE START TRAIN HELD MAX_ORDER

reads FILE (UTF-8, a BOM dropped, CRLF as LF), trains on the TRAIN code points
from START, and prints the mean loss (nats/char) of every order 1..MAX_ORDER on
the HELD code points after them (their history read from the text itself),
with the estimated discounts D(1), D(2), D(3+) unscaled.
"""
import math
import sys
from collections import defaultdict

START_OF_TEXT = None  # the start of the text counts as one more left character


def count(train, max_order):
    """Raw counts c(g) and continuation counts N1+(. g) of every length."""
    raw, lefts = defaultdict(int), defaultdict(set)
    for i in range(len(train)):
        for length in range(1, max_order + 1):
            if i + length > len(train):
                break
            g = train[i:i + length]
            raw[g] += 1
            lefts[g].add(train[i - 1] if i > 0 else START_OF_TEXT)
    return raw, {g: len(s) for g, s in lefts.items()}


def discounts(table, length):
    """D(1), D(2), D(3+) of one length: j - (j+1) Y n_{j+1}/n_j, Y = n1/(n1+2 n2)."""
    n = [0] * 5
    for g, c in table.items():
        if len(g) == length and c <= 4:
            n[c] += 1
    y = n[1] / (n[1] + 2 * n[2])
    return [0.0] + [min(j, max(0.01, j - (j + 1) * y * n[j + 1] / n[j])) for j in (1, 2, 3)]


def context_stats(table):
    """For each context h: [sum_w a(hw), #w with a = 1, with a = 2, with a >= 3]."""
    stats = defaultdict(lambda: [0, 0, 0, 0])
    for g, c in table.items():
        s = stats[g[:-1]]
        s[0] += c
        s[min(c, 3)] += 1
    return stats


def main():
    path, start, n_train, n_held, max_order = sys.argv[1], *map(int, sys.argv[2:6])
    text = open(path, encoding="utf-8-sig").read().replace("\r\n", "\n")
    text = text[start:start + n_train + n_held]
    vocab_size = len(set(text))
    raw, cont = count(text[:n_train], max_order)
    raw_ctx, cont_ctx = context_stats(raw), context_stats(cont)
    d_raw = {k: discounts(raw, k) for k in range(1, max_order + 1)}
    d_cont = {k: discounts(cont, k) for k in range(1, max_order)}

    def level(table, ctx, d, h, w, lower):
        s = ctx.get(h)
        if s is None:  # context never seen: the lower level unchanged
            return lower
        c = table.get(h + w, 0)
        gamma = d[1] * s[1] + d[2] * s[2] + d[3] * s[3]
        return ((max(c - d[min(c, 3)], 0) if c > 0 else 0) + gamma * lower) / s[0]

    def prob(history, w, order):
        q = 1.0 / vocab_size
        for k in range(1, order + 1):
            if len(history) < k - 1:
                break
            h = history[len(history) - (k - 1):] if k > 1 else ""
            if k < order:
                q = level(cont, cont_ctx, d_cont[k], h, w, q)
            else:
                q = level(raw, raw_ctx, d_raw[k], h, w, q)
        return q

    loss = [0.0] * (max_order + 1)
    for i in range(n_train, len(text)):
        history = text[max(0, i - max_order + 1):i]
        for order in range(1, max_order + 1):
            loss[order] -= math.log(prob(history, text[i], order))
    held = len(text) - n_train
    for order in range(1, max_order + 1):
        d = ", ".join(f"{x:.6f}" for x in d_raw[order][1:])
        print(f"{order:2d} {loss[order] / held:.10f}  D = {d}")


if __name__ == "__main__":
    main()
