"""cellscope's character-level RNN in PyTorch: the reference module behind
`deno task export --format pytorch` and `deno task import`.

    from cellscope_torch import CharRNN
    model = CharRNN.load("model.safetensors")        # written by `deno task export`
    losses = model.loss_per_char("ROMEO:\\nWhat light")  # [N-1] nats, as `deno task record` gives
    print(model.sample(200, prime="ROMEO:", temperature=0.8, seed=1))
    model.save("model.safetensors", config={...})    # `deno task import --from model.safetensors`

The module is an optional `nn.Embedding` (`embed`), one `nn.LSTM`, `nn.GRU` or
`nn.RNN` with tanh (`rnn`, time-major, dropout between layers), dropout after
the last layer, and an `nn.Linear` decoder (`decoder`): cellscope's model with
PyTorch's own equations and gate order, so its `state_dict` names are the
tensor names of the exported file:

    embed.weight [V, E]     rnn.weight_ih_l{k} [G·H, D]   rnn.weight_hh_l{k} [G·H, H]
    rnn.bias_ih_l{k} [G·H]  rnn.bias_hh_l{k} [G·H]        decoder.weight [V, H]   decoder.bias [V]

(G = 4 LSTM, 3 GRU, 1 RNN; D = E, or V for one-hot input, or H above layer 0).
The file's metadata holds strings: `vocab` (a JSON array of the characters in
id order), `cell`, `layers`, `hidden`, `embed`, `dropout` and `config` (JSON).

Dependencies: torch only. Debian's python3-torch (1.13) has no `safetensors`
package, so the format is read and written here by hand when it is absent: an
8-byte little-endian header length, a JSON header, raw little-endian tensors.
"""
import json
import math
import os
import stat
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F

CELLS = {"lstm": (nn.LSTM, 4), "gru": (nn.GRU, 3), "rnn": (nn.RNN, 1)}
# The initialisation schemes of lib/nn/init.ts, its default first.
INIT_NAMES = ("pytorch", "orthogonal", "charrnn", "xavier-normal")
CHARRNN_RANGE = 0.08  # char-rnn's U(−0.08, 0.08)


def random_orthogonal(n, generator=None):
    """[n, n] float32, Haar-distributed orthogonal: Q of a Gaussian matrix's QR with the
    signs of R's diagonal moved into Q (the Gram–Schmidt of lib/nn/init.ts, same law)."""
    q, r = torch.linalg.qr(torch.randn(n, n, generator=generator, dtype=torch.float64))
    return (q * torch.sign(torch.diagonal(r))).float()

# ---------------------------------------------------------------------------
# safetensors

_DTYPES = {
    "F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
    "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8,
    "U8": torch.uint8, "BOOL": torch.bool,
}
_NAMES = {v: k for k, v in _DTYPES.items()}


def read_safetensors(path):
    """Reads a safetensors file: returns ({name: tensor}, {metadata key: string})."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise ValueError(f"{path}: not a safetensors file (shorter than 8 bytes)")
    (n,) = struct.unpack("<Q", raw[:8])
    if 8 + n > len(raw):
        raise ValueError(f"{path}: header of {n} bytes runs past the end of the file")
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", None) or {}
    data = raw[8 + n:]
    tensors = {}
    for name, info in header.items():
        if info["dtype"] not in _DTYPES:
            raise ValueError(f"{path}: tensor {name} has dtype {info['dtype']}, not supported here")
        begin, end = info["data_offsets"]
        dtype = _DTYPES[info["dtype"]]
        chunk = bytearray(data[begin:end])  # a writable copy: frombuffer needs one
        t = torch.frombuffer(chunk, dtype=dtype) if end > begin else torch.empty(0, dtype=dtype)
        tensors[name] = t.reshape(info["shape"]).clone()
    return tensors, metadata


def write_safetensors(path, tensors, metadata=None):
    """Writes {name: tensor} and string metadata as safetensors (temp file, then rename)."""
    for k, v in (metadata or {}).items():
        if not isinstance(v, str):
            raise TypeError(f"metadata {k!r} must be a string (safetensors allows strings only)")
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = dict(metadata)
    for name in sorted(tensors):
        t = tensors[name].detach().to("cpu").contiguous()
        blob = t.view(torch.uint8).numpy().tobytes() if t.numel() else b""
        header[name] = {"dtype": _NAMES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)  # align the data to 8 bytes, as the reference writer does
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


try:  # the real package, when installed, is the reference implementation
    from safetensors.torch import load_file as _st_load, save_file as _st_save
    from safetensors import safe_open as _st_open

    def read_safetensors(path):  # noqa: F811
        with _st_open(path, framework="pt") as f:
            metadata = f.metadata() or {}
        return _st_load(path), metadata

    def write_safetensors(path, tensors, metadata=None):  # noqa: F811
        _st_save({k: v.detach().to("cpu").contiguous() for k, v in tensors.items()}, path, metadata)
except ImportError:
    pass

# ---------------------------------------------------------------------------
# Text and vocabulary (cellscope's rules)


def normalize_text(text):
    """Drops one leading byte-order mark and turns \\r\\n and lone \\r into \\n."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


# The largest text file read, in bytes (lib/data/text.ts MAX_TEXT_BYTES).
MAX_TEXT_BYTES = 500 * 2 ** 20


def check_text_file(path):
    """Raises ValueError (one line, saying what to do) unless path is a regular file of at
    most MAX_TEXT_BYTES: a device such as /dev/urandom, a pipe or a socket may never end
    (lib/data/text.ts readTextFile)."""
    try:
        info = os.stat(path)  # before opening: opening a pipe waits for a writer
    except FileNotFoundError:
        raise ValueError(f'Cannot read "{path}": no such file; check the path') from None
    if stat.S_ISDIR(info.st_mode):
        raise ValueError(f'Cannot read "{path}": it is a folder; give a text file')
    if not stat.S_ISREG(info.st_mode):
        raise ValueError(f'Cannot read "{path}": it is not a regular file (a device, a pipe or a '
                         f'socket), so it may never end; save the text to a file first, e.g. '
                         f'"head -c 10M {path} > text.txt"')
    if info.st_size > MAX_TEXT_BYTES:
        raise ValueError(_too_large(path, f"{info.st_size / 2 ** 20:.1f} MiB"))


def _too_large(path, size):
    return (f'Cannot read "{path}": it holds {size}, more than the {MAX_TEXT_BYTES / 2 ** 20:.1f} MiB '
            f'a text can hold; use a part of it, e.g. "head -c 400M {path} > part.txt"')


def read_text(path):
    """Reads a regular file (at most MAX_TEXT_BYTES, also if it grows) as strict UTF-8,
    normalised as cellscope reads every text."""
    check_text_file(path)
    with open(path, "rb") as f:
        raw = f.read(MAX_TEXT_BYTES + 1)
    if len(raw) > MAX_TEXT_BYTES:
        raise ValueError(_too_large(path, f"more than {MAX_TEXT_BYTES / 2 ** 20:.1f} MiB"))
    return normalize_text(raw.decode("utf-8"))


class Vocab:
    """Characters (Unicode code points) in id order; id i is chars[i]."""

    def __init__(self, chars):
        chars = list(chars)
        if any(len(c) != 1 for c in chars) or len(set(chars)) != len(chars):
            raise ValueError("a vocabulary is a list of distinct single characters")
        self.chars = chars
        self.ids = {c: i for i, c in enumerate(chars)}

    @classmethod
    def from_text(cls, text):
        """The distinct code points of text, sorted by code point (cellscope's rule)."""
        return cls(sorted(set(text)))

    def __len__(self):
        return len(self.chars)

    def __eq__(self, other):
        return isinstance(other, Vocab) and self.chars == other.chars

    def encode(self, text):
        """[N] int64 ids of text; characters outside the vocabulary are an error."""
        missing = sorted(set(text) - self.ids.keys())
        if missing:
            raise ValueError(f"{len(missing)} characters are not in the model's "
                             f"{len(self.chars)}-character vocabulary: {missing[:20]!r}")
        return torch.tensor([self.ids[c] for c in text], dtype=torch.long)

    def decode(self, ids):
        return "".join(self.chars[int(i)] for i in ids)


# ---------------------------------------------------------------------------
# The model


class CharRNN(nn.Module):
    """cellscope's char-level model: embedding or one-hot, stacked cells, dropout, decoder."""

    def __init__(self, cell, vocab_size, hidden, layers=1, embed=0, dropout=0.0, vocab=None):
        super().__init__()
        if cell not in CELLS:
            raise ValueError(f"cell must be one of {', '.join(CELLS)}, got {cell!r}")
        self.cell, self.vocab_size, self.hidden, self.layers = cell, vocab_size, hidden, layers
        self.embed_size, self.dropout = embed, dropout
        self.vocab = vocab  # a Vocab, when known (load() sets it; save() stores it)
        self.metadata = {}
        if vocab is not None and len(vocab) != vocab_size:
            raise ValueError(f"the vocabulary has {len(vocab)} characters, vocab_size is {vocab_size}")
        if embed > 0:
            self.embed = nn.Embedding(vocab_size, embed)
        rnn_class, _ = CELLS[cell]
        kwargs = {"nonlinearity": "tanh"} if cell == "rnn" else {}
        self.rnn = rnn_class(embed if embed > 0 else vocab_size, hidden, num_layers=layers,
                             dropout=dropout if layers > 1 else 0.0, **kwargs)
        self.drop = nn.Dropout(dropout)  # cellscope drops after every layer, the last one too
        self.decoder = nn.Linear(hidden, vocab_size)

    def reset_parameters(self, generator=None, init="pytorch"):
        """cellscope's initialisation schemes (lib/nn/init.ts), drawn so that the folded
        biases cellscope keeps (b = bias_ih + bias_hh; a GRU's n block of bias_hh apart as
        bhn) have its distributions; a = 1/√H, embedding N(0, 1) under every scheme:
        "pytorch": every weight and bias U(−a, a), as torch.nn draws them;
        "orthogonal": as "pytorch", but each H×H gate block of weight_hh a random
        orthogonal matrix (Haar: QR of a Gaussian matrix, signs fixed by R's diagonal);
        "charrnn": weights and bias_ih U(−0.08, 0.08), bias_hh 0 but a GRU's n block
        U(−0.08, 0.08), the LSTM forget block of bias_ih 1, decoder U(−0.08, 0.08);
        "xavier-normal": weights N(0, 1/(D+H)), biases 0 but the LSTM forget block of
        bias_ih 1, decoder weight U(−a, a) and bias 0."""
        if init not in INIT_NAMES:
            raise ValueError(f"init must be one of {', '.join(INIT_NAMES)}, got {init!r}")
        G, H = CELLS[self.cell][1], self.hidden
        a = 1.0 / math.sqrt(H)
        with torch.no_grad():
            if self.embed_size > 0:
                self.embed.weight.normal_(0.0, 1.0, generator=generator)
            for k in range(self.layers):
                w_ih = getattr(self.rnn, f"weight_ih_l{k}")
                w_hh = getattr(self.rnn, f"weight_hh_l{k}")
                bias_ih = getattr(self.rnn, f"bias_ih_l{k}")
                bias_hh = getattr(self.rnn, f"bias_hh_l{k}")
                if init in ("pytorch", "orthogonal"):
                    for p in (w_ih, w_hh, bias_ih, bias_hh):
                        p.uniform_(-a, a, generator=generator)
                    if init == "orthogonal":
                        for g in range(G):
                            w_hh[g * H:(g + 1) * H] = random_orthogonal(H, generator)
                elif init == "charrnn":
                    for p in (w_ih, w_hh, bias_ih):
                        p.uniform_(-CHARRNN_RANGE, CHARRNN_RANGE, generator=generator)
                    bias_hh.zero_()
                    if self.cell == "gru":  # the n block stays apart in cellscope (bhn)
                        bias_hh[2 * H:].uniform_(-CHARRNN_RANGE, CHARRNN_RANGE, generator=generator)
                else:  # xavier-normal
                    std = 1.0 / math.sqrt(w_ih.shape[1] + H)
                    w_ih.normal_(0.0, std, generator=generator)
                    w_hh.normal_(0.0, std, generator=generator)
                    bias_ih.zero_()
                    bias_hh.zero_()
                if self.cell == "lstm" and init in ("charrnn", "xavier-normal"):
                    bias_ih[H:2 * H] = 1.0  # forget gate
                    bias_hh[H:2 * H] = 0.0
            r = CHARRNN_RANGE if init == "charrnn" else a
            self.decoder.weight.uniform_(-r, r, generator=generator)
            if init == "xavier-normal":
                self.decoder.bias.zero_()
            else:
                self.decoder.bias.uniform_(-r, r, generator=generator)
        assert G * H == self.rnn.weight_hh_l0.shape[0]

    def forward(self, ids, state=None):
        """ids [T, B] int64 (time-major) → logits [T, B, V] and the final state
        (h, or (h, c) for LSTM, each [L, B, H]) to carry into the next chunk."""
        if self.embed_size > 0:
            x = self.embed(ids)
        else:
            x = F.one_hot(ids, self.vocab_size).to(self.decoder.weight.dtype)
        out, state = self.rnn(x, state)
        return self.decoder(self.drop(out) if self.dropout > 0 else out), state

    # -- files ---------------------------------------------------------------

    @classmethod
    def load(cls, path, map_location="cpu"):
        """Reads a model written by `deno task export` or save(): the architecture
        comes from the metadata, or from the shapes when a key is missing."""
        tensors, meta = read_safetensors(path)
        tensors = {k[7:] if k.startswith("module.") else k: v for k, v in tensors.items()}
        hh = tensors["rnn.weight_hh_l0"]
        hidden = hh.shape[1]
        by_rows = {g: c for c, (_, g) in CELLS.items()}.get(hh.shape[0] // hidden)
        cell = meta.get("cell", by_rows)
        if cell is None:
            raise ValueError(f"{path}: rnn.weight_hh_l0 {list(hh.shape)} has neither 4H, 3H nor H rows")
        cell = cell.lower()
        if cell == "rnn" and meta.get("nonlinearity", "tanh").lower() != "tanh":
            raise ValueError(f"{path}: its RNN has nonlinearity {meta['nonlinearity']!r}; CharRNN "
                             "(like cellscope's RNN cell) is tanh only")
        layers = len([k for k in tensors if k.startswith("rnn.weight_ih_l") and k[15:].isdigit()])
        embed = tensors["embed.weight"].shape[1] if "embed.weight" in tensors else 0
        vocab_size = tensors["decoder.weight"].shape[0]
        vocab = Vocab(json.loads(meta["vocab"])) if "vocab" in meta else None
        model = cls(cell, vocab_size, hidden, layers, embed, float(meta.get("dropout", 0.0)), vocab)
        model.load_state_dict({k: v.float() for k, v in tensors.items()})
        model.metadata = meta
        return model.to(map_location)

    def save(self, path, config=None, **metadata):
        """Writes the weights (float32) under their state_dict names, with vocab, cell,
        layers, hidden, embed, dropout and config (a dict, stored as JSON) as metadata;
        further keyword arguments are stored as JSON strings (step, history, …)."""
        meta = {"cell": self.cell, "layers": str(self.layers), "hidden": str(self.hidden),
                "embed": str(self.embed_size), "dropout": str(self.dropout)}
        if self.cell == "rnn":  # what self.rnn computes, so import can refuse a relu RNN
            meta["nonlinearity"] = self.rnn.nonlinearity
        if self.vocab is not None:
            meta["vocab"] = json.dumps(self.vocab.chars, ensure_ascii=False)
        if config is not None:
            meta["config"] = json.dumps(config)
        for k, v in metadata.items():
            meta[k] = v if isinstance(v, str) else json.dumps(v)
        write_safetensors(path, {k: v.float() for k, v in self.state_dict().items()}, meta)

    # -- analysis --------------------------------------------------------------

    def encode(self, text):
        """[N] ids of text under the saved vocabulary."""
        if self.vocab is None:
            raise ValueError("this model has no vocabulary; set model.vocab = Vocab(chars)")
        return self.vocab.encode(text)

    @torch.no_grad()
    def loss_per_char(self, text, chunk=256):
        """Loss in nats of each next character of text (a str or [N] ids): [N-1],
        one stream with its state carried over the whole text, as `deno task record`
        computes its `loss` signal."""
        was_training = self.training
        self.eval()
        ids = self.encode(text) if isinstance(text, str) else torch.as_tensor(text)
        ids = ids.to(self.decoder.weight.device)
        losses, state = [], None
        for start in range(0, len(ids) - 1, chunk):
            x = ids[start:min(start + chunk, len(ids) - 1)]
            y = ids[start + 1:start + 1 + len(x)]
            logits, state = self(x.view(-1, 1), state)
            losses.append(F.cross_entropy(logits.view(-1, self.vocab_size), y, reduction="none"))
        self.train(was_training)
        return torch.cat(losses) if losses else torch.empty(0)

    @torch.no_grad()
    def sample(self, length, prime=None, temperature=1.0, argmax=False, seed=None, generator=None):
        """prime followed by length drawn characters, each from softmax(logits / temperature)
        (or the most likely one with argmax=True), as `deno task sample` draws them;
        prime defaults to a newline when the vocabulary has one."""
        if temperature <= 0:
            raise ValueError("temperature must be > 0; use argmax=True for greedy decoding")
        if prime is None:
            prime = "\n" if "\n" in self.vocab.ids else self.vocab.chars[0]
        if generator is None and seed is not None:
            generator = torch.Generator().manual_seed(seed)
        was_training = self.training
        self.eval()
        device = self.decoder.weight.device
        logits, state = self(self.encode(prime).view(-1, 1).to(device))
        out = list(prime)
        for n in range(length):
            scores = logits[-1, 0].double().cpu()
            if argmax:
                nxt = int(scores.argmax())
            else:
                nxt = int(torch.multinomial(F.softmax(scores / temperature, -1), 1, generator=generator))
            out.append(self.vocab.chars[nxt])
            if n + 1 < length:
                logits, state = self(torch.tensor([[nxt]], device=device), state)
        self.train(was_training)
        return "".join(out)


def load(path, map_location="cpu"):
    """CharRNN.load(path): the model, with .vocab and .metadata set."""
    return CharRNN.load(path, map_location)
