#!/usr/bin/env python3
"""PyTorch reference for `deno task bench`: the same configurations, measured
the same way, so cellscope's throughput can be compared as ratios taken in one
run on one machine.

Train: one-hot input into nn.LSTM / nn.RNN (tanh), a linear decoder, mean
cross-entropy, backward, global-norm clipping at 5, Adam; random ids over a
65-character vocabulary; state carried (detached) between chunks.
Record: forward only at batch 1 in chunks of 50 with carried state, one
nn.LSTM per layer so the hidden state h of every layer is kept.
Sample: batch 1, one character per forward call (nn.LSTM with the decoder),
each drawn with torch.multinomial from the softmax of the last; 50 per chunk.
Quality (`--mode quality --text FILE`): trains on a real text with PyTorch's
default initialisation and the recipe of `deno task bench --quality` (the
contiguous 90/5/5 split, B streams cut from the training split with carried
state reset at each epoch, Adam, global-norm clipping), and validates on the
whole validation split as one stream with carried state; prints one JSON
object per evaluation point (side, seed, step, seconds of training, val_loss).

Run with Debian's python3-torch and libopenblas0-pthread, one thread:
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/pytorch_reference.py --threads 1
and for the best two-core set-up, --threads 2 (with the variables unset or 2).
Prints one JSON object per line, with the fields of `deno task bench --json`.
"""
import argparse
import json
import math
import sys
import time
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "interop" / "pytorch"))
from cellscope_torch import CharRNN  # noqa: E402  the one PyTorch copy of cellscope's model

V = 65
TRAIN = [("lstm", 1, 128, 32, 64), ("lstm", 2, 256, 32, 64), ("lstm", 3, 512, 50, 50), ("rnn", 1, 100, 1, 25)]
RECORD = [("lstm", 1, 128, 1, 50), ("lstm", 2, 256, 1, 50), ("lstm", 3, 512, 1, 50)]


def flops_per_char(cell, layers, hidden, mode):
    """Same count as bench/bench.ts: 2·(Σ_l G·(D_l + H) + H·V) forward, D_0 = 0 (one-hot is a gather)."""
    g = {"lstm": 4, "gru": 3, "rnn": 1}[cell] * hidden
    fwd = sum(g * ((0 if l == 0 else hidden) + hidden) for l in range(layers)) + hidden * V
    return 2 * fwd * (3 if mode == "train" else 1)


def CharModel(cell, layers, hidden):
    """cellscope's model with one-hot input: one_hot → nn.LSTM / nn.RNN (tanh) → nn.Linear."""
    return CharRNN(cell, V, hidden, layers)


def detach(state):
    return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()


def bench_train(cell, layers, hidden, batch, seq, seconds):
    model = CharModel(cell, layers, hidden)
    opt = torch.optim.Adam(model.parameters(), lr=0.002)
    ids = torch.randint(0, V, (seq + 1, batch))
    state = None

    def step():
        nonlocal state
        logits, state = model(ids[:-1], state)
        loss = F.cross_entropy(logits.reshape(-1, V), ids[1:].reshape(-1))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        state = detach(state)

    return timed(step, seconds, seq * batch)


def bench_record(layers, hidden, seq, seconds):
    stack = [nn.LSTM(V if l == 0 else hidden, hidden) for l in range(layers)]
    ids = torch.randint(0, V, (seq, 1))
    states = [None] * layers
    kept = []

    def step():
        with torch.no_grad():
            x = F.one_hot(ids, V).float()
            for l, lstm in enumerate(stack):
                x, states[l] = lstm(x, states[l])
                kept.append(x[:, 0, :].clone())  # h of every layer, every step
            if len(kept) > 1000:
                kept.clear()

    return timed(step, seconds, seq)


def bench_sample(layers, hidden, seq, seconds):
    model = CharModel("lstm", layers, hidden)
    x = torch.zeros(1, 1, dtype=torch.long)
    state = None

    def step():
        nonlocal x, state
        with torch.no_grad():
            for _ in range(seq):
                logits, state = model(x, state)
                x = torch.multinomial(F.softmax(logits[0, 0], -1), 1).view(1, 1)

    return timed(step, seconds, seq)


def read_text(path):
    """The corpus as cellscope reads it: UTF-8, no BOM, \\n line endings."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return text.lstrip("\ufeff").replace("\r\n", "\n")


def js_round(x):
    """JavaScript's Math.round (halves go up), as cellscope's split uses."""
    return int(math.floor(x + 0.5))


def evaluate_split(model, ids, chunk=512):
    """Mean loss over the whole split as one stream with carried state."""
    n = len(ids) - 1
    total, state = 0.0, None
    with torch.no_grad():
        for start in range(0, n, chunk):
            t = min(chunk, n - start)
            x = ids[start:start + t].view(t, 1)
            y = ids[start + 1:start + t + 1].view(t)
            logits, state = model(x, state)
            total += F.cross_entropy(logits.view(t, -1), y, reduction="sum").item()
    return total / n


def quality(a):
    text = read_text(a.text)
    vocab = sorted(set(text))
    index = {c: i for i, c in enumerate(vocab)}
    ids = torch.tensor([index[c] for c in text], dtype=torch.long)
    n = len(ids)
    val_start, test_start = js_round(n * 0.9), js_round(n * 0.95)
    train, val = ids[:val_start], ids[val_start:test_start]
    B, T = a.batch, a.seq
    S = (len(train) - 1) // B
    chunks = S // T
    streams = torch.arange(B) * S
    torch.manual_seed(a.seed)
    model = CharRNN(a.cell, len(vocab), a.hidden, a.layers)  # PyTorch's default initialisation
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    state, step, trained, offset = None, 0, 0.0, 0

    def point():
        model.eval()
        loss = evaluate_split(model, val)
        model.train()
        print(json.dumps({"side": "pytorch", "seed": a.seed, "step": step, "seconds": trained,
                          "val_loss": loss, "init": "default"}), flush=True)

    point()
    while (step < a.steps) if a.steps > 0 else (trained < a.minutes * 60):
        t0 = time.perf_counter()
        if offset == 0:
            state = None
        pos = streams.view(1, B) + offset + torch.arange(T).view(T, 1)
        x, y = train[pos], train[pos + 1]
        logits, state = model(x, state)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), a.clip)
        opt.step()
        state = detach(state)
        offset += T
        if offset // T >= chunks:
            offset = 0
        step += 1
        trained += time.perf_counter() - t0
        if step % a.eval_every == 0:
            point()
    if step % a.eval_every != 0:
        point()


def timed(step, seconds, chars_per_step):
    for _ in range(2):
        step()
    n, start = 0, time.perf_counter()
    while True:
        step()
        n += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return n * chars_per_step / elapsed, n, elapsed


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seconds", type=float, default=3.0)
    p.add_argument("--only", action="append", default=[])
    p.add_argument("--mode", choices=["train", "record", "sample", "quality"])
    for name, kind, default in [("text", str, None), ("cell", str, "lstm"), ("layers", int, 1),
                                ("hidden", int, 128), ("batch", int, 32), ("seq", int, 64),
                                ("lr", float, 2e-3), ("clip", float, 5.0), ("steps", int, 1000),
                                ("minutes", float, 0.0), ("eval-every", int, 100), ("seed", int, 1)]:
        p.add_argument(f"--{name}", type=kind, default=default)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    if a.mode == "quality":
        return quality(a)
    torch.manual_seed(1)
    cases = [("train",) + c for c in TRAIN] + [("record",) + c for c in RECORD] + [("sample",) + c for c in RECORD]
    for mode, cell, layers, hidden, batch, seq in cases:
        name = f"{cell}-{layers}x{hidden}"
        if (a.only and name not in a.only) or (a.mode and a.mode != mode):
            continue
        if mode == "train":
            rate, n, elapsed = bench_train(cell, layers, hidden, batch, seq, a.seconds)
        elif mode == "record":
            rate, n, elapsed = bench_record(layers, hidden, seq, a.seconds)
        else:
            rate, n, elapsed = bench_sample(layers, hidden, seq, a.seconds)
        fpc = flops_per_char(cell, layers, hidden, mode)
        print(json.dumps({
            "mode": mode, "model": name, "cell": cell, "layers": layers, "hidden": hidden,
            "batch": batch, "seq": seq, "vocab": V, "chunks": n, "seconds": elapsed,
            "chars_per_s": rate, "gflops": rate * fpc / 1e9, "flops_per_char": fpc,
            "backend": f"pytorch-{torch.__version__}-{a.threads}t",
            "signals": "h" if mode == "record" else None,
        }), flush=True)


if __name__ == "__main__":
    main()
