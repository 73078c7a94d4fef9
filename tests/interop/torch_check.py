"""Helper of tests/interop/pytorch_test.ts: runs the PyTorch side and prints JSON.

    losses MODEL TEXT            per-character losses of MODEL over the file TEXT
    make MODEL TEXT CELL EMBED   a PyTorch model of its own (PyTorch's default
                                 initialisation, random biases in bias_hh), trained
                                 30 Adam steps on TEXT, saved with its vocabulary;
                                 prints its per-character losses over TEXT

Both print {"losses": [N-1 floats], "greedy": 80 characters drawn by argmax after
the first 10 characters of TEXT}.

    inits DIR V H E L SEEDS      models of every cell kind and initialisation scheme drawn by
                                 CharRNN.reset_parameters with seeds 1..SEEDS, saved as
                                 DIR/<cell>-<init>-<seed>.safetensors

    relu MODEL                   a CharRNN whose nn.RNN is swapped for one with nonlinearity
                                 "relu", saved; prints {"loadError": what CharRNN.load says}

    batches TEXT B T VAL TEST N  cellscope_data's view of TEXT: the vocabulary, the split
                                 lengths, the first N training chunks (ids, targets, reset)
                                 and the validation loss layout (streams, chunks)
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "interop", "pytorch"))
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from cellscope_torch import CELLS, INIT_NAMES, CharRNN, Vocab, read_text  # noqa: E402


def inits(out_dir, V, H, E, L, seeds):
    V, H, E, L, seeds = int(V), int(H), int(E), int(L), int(seeds)
    vocab = Vocab([chr(65 + i) for i in range(V)])
    for cell in CELLS:
        for init in INIT_NAMES:
            for seed in range(1, seeds + 1):
                model = CharRNN(cell, V, H, layers=L, embed=E, vocab=vocab)
                model.reset_parameters(torch.Generator().manual_seed(seed), init)
                model.save(os.path.join(out_dir, f"{cell}-{init}-{seed}.safetensors"))


def batches(text_path, B, T, val, test, n):
    from cellscope_data import Batcher, split_ids
    B, T, n = int(B), int(T), int(n)
    text = read_text(text_path)
    vocab = Vocab.from_text(text)
    train, val_ids, test_ids = split_ids(vocab.encode(text), float(val), float(test))
    batcher = Batcher(train, B, T)
    chunks = []
    for _ in range(n):
        x, y, reset = batcher.next()
        chunks.append({"ids": x.reshape(-1).tolist(), "targets": y.reshape(-1).tolist(), "reset": reset})
    return {"vocab": vocab.chars, "lengths": [len(train), len(val_ids), len(test_ids)],
            "chunksPerEpoch": batcher.chunks_per_epoch, "chunks": chunks}


def main():
    torch.set_num_threads(1)
    if sys.argv[1] == "batches":
        print(json.dumps(batches(*sys.argv[2:])))
        return
    if sys.argv[1] == "relu":
        model = CharRNN("rnn", 5, 8, layers=2, vocab=Vocab(list("abcde")))
        model.rnn = torch.nn.RNN(5, 8, num_layers=2, nonlinearity="relu")
        model.save(sys.argv[2])
        try:
            CharRNN.load(sys.argv[2])
            print(json.dumps({"loadError": None}))
        except ValueError as e:
            print(json.dumps({"loadError": str(e)}))
        return
    if sys.argv[1] == "inits":
        inits(*sys.argv[2:])
        return
    cmd, path, text_path = sys.argv[1], sys.argv[2], sys.argv[3]
    text = read_text(text_path)
    if cmd == "losses":
        model = CharRNN.load(path)
    elif cmd == "make":
        cell, embed = sys.argv[4], int(sys.argv[5])
        torch.manual_seed(7)
        vocab = Vocab.from_text(text)
        model = CharRNN(cell, len(vocab), 24, layers=2, embed=embed, vocab=vocab)
        ids = vocab.encode(text)
        opt = torch.optim.Adam(model.parameters(), lr=0.01)
        T, B = 16, 4
        S = (len(ids) - 1) // B
        for step in range(30):
            off = (step * T) % (S - T)
            x = torch.stack([ids[b * S + off:b * S + off + T] for b in range(B)], 1)
            y = torch.stack([ids[b * S + off + 1:b * S + off + T + 1] for b in range(B)], 1)
            logits, _ = model(x)
            loss = F.cross_entropy(logits.view(-1, len(vocab)), y.reshape(-1))
            opt.zero_grad()
            loss.backward()
            opt.step()
        model.save(path)
    else:
        raise SystemExit(f"unknown command {cmd}")
    greedy = model.sample(80, prime=text[:10], argmax=True)
    print(json.dumps({"losses": model.loss_per_char(text).tolist(), "greedy": greedy}))


if __name__ == "__main__":
    main()
