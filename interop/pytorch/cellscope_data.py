"""cellscope's data pipeline in Python, for `train.py`: the same corpora (download
cache, then the `CELLSCOPE_CORPORA` mirror, sha256-checked), the same training
defaults and presets (read from `lib/train/recipes.json`, the file `deno task
train` reads), the same contiguous train/val/test split, the same B streams
with carried state and a reset at each epoch, the same step-decayed learning
rate and the same validation over the whole validation split.

Each function names the TypeScript it mirrors; a change there is a change here.
"""
import hashlib
import json
import math
import os
from pathlib import Path

import torch
import torch.nn.functional as F

from cellscope_torch import normalize_text, read_text

ROOT = Path(__file__).resolve().parents[2]  # the cellscope checkout
RECIPES = ROOT / "lib" / "train" / "recipes.json"
CATALOGUE = ROOT / "corpora" / "catalogue.json"


def load_recipes():
    """(defaults, presets) of lib/train/recipes.json."""
    with open(RECIPES, encoding="utf-8") as f:
        recipes = json.load(f)
    return recipes["defaults"], recipes["presets"]


def resolve_config(given, preset=None):
    """Defaults, then the preset, then the given keys (lib/train/config.ts resolveTrainConfig;
    the range checks happen again when `deno task import` reads the run)."""
    defaults, presets = load_recipes()
    unknown = sorted(set(given) - set(defaults))
    if unknown:
        raise ValueError(f"unknown config keys {unknown}; known keys are {', '.join(defaults)}")
    if preset is not None and preset not in presets:
        raise ValueError(f"unknown preset {preset!r}; known presets are {', '.join(presets)}")
    config = dict(defaults)
    config.update(presets.get(preset, {}) if preset else {})
    config.update({k: v for k, v in given.items() if v is not None})
    if config["steps"] == 0 and config["epochs"] == 0 and config["minutes"] == 0:
        raise ValueError("steps or epochs or minutes must be set, or the run would never end")
    return config


def load_corpus(name):
    """A catalogue corpus from corpora/.cache/ or the CELLSCOPE_CORPORA mirror, sha256-checked
    (lib/data/corpora.ts loadCorpus, without the download: `deno task corpus fetch NAME`)."""
    with open(CATALOGUE, encoding="utf-8") as f:
        entries = {e["name"]: e for e in json.load(f)}
    if name not in entries:
        raise ValueError(f"corpus {name!r} is not in the catalogue; known: {', '.join(entries)}")
    entry = entries[name]
    places = [ROOT / "corpora" / ".cache" / entry["file"]]
    mirror = os.environ.get("CELLSCOPE_CORPORA")
    if mirror:
        places.append((ROOT / mirror).resolve() / entry["file"])
    for path in places:
        if path.is_file():
            raw = path.read_bytes()
            digest = hashlib.sha256(raw).hexdigest()
            if digest != entry["sha256"]:
                raise ValueError(f"{path} has sha256 {digest}, the catalogue says {entry['sha256']}")
            return normalize_text(raw.decode("utf-8"))
    raise FileNotFoundError(
        f"corpus {name!r} is in neither {places[0]} nor a CELLSCOPE_CORPORA mirror; run "
        f"`deno task corpus fetch {name}` or set CELLSCOPE_CORPORA to a folder holding {entry['file']}")


def load_training_text(config):
    """(name, text) of the configured data (lib/train/trainer.ts loadTrainingText)."""
    if config["text"] is not None:
        return config["text"], read_text(config["text"])
    return config["corpus"], load_corpus(config["corpus"])


def split_ids(ids, val_fraction, test_fraction):
    """Contiguous train, val, test views of ids (lib/data/split.ts splitIds, with the
    fractions computed as lib/train/trainer.ts does; JavaScript's Math.round is floor(x + 0.5))."""
    n = len(ids)
    train = 1 - val_fraction - test_fraction
    val_at = math.floor(n * train + 0.5)
    test_at = min(n, max(val_at, math.floor(n * (train + val_fraction) + 0.5)))
    if val_at == 0:
        raise ValueError(f"the train split of {n} characters would be empty")
    return ids[:val_at], ids[val_at:test_at], ids[test_at:]


class Batcher:
    """B contiguous streams of a text, T steps per chunk, time-major (lib/data/batcher.ts):
    stream b is characters [b·S, (b+1)·S) with S = ⌊(N − 1) / B⌋; each chunk continues
    every stream where the last one stopped, and a pass ends after ⌊S / T⌋ chunks."""

    def __init__(self, data, B, T, what="text"):
        self.B, self.T = B, T
        self.stream_length = (len(data) - 1) // B
        self.chunks_per_epoch = self.stream_length // T
        if self.chunks_per_epoch < 1:
            raise ValueError(f"the {what} has {len(data)} characters, fewer than batch × seq + 1 = "
                             f"{B * T + 1}; use a smaller --batch or --seq, or a longer text")
        S = self.stream_length
        self.inputs = data[:B * S].view(B, S)
        self.targets = data[1:B * S + 1].view(B, S)
        self.epoch, self.offset = 0, 0

    def next(self):
        """(ids [T, B], targets [T, B], reset): reset is True on the first chunk of a pass."""
        off, T = self.offset, self.T
        reset = off == 0
        x = self.inputs[:, off:off + T].t()
        y = self.targets[:, off:off + T].t()
        self.offset += T
        if self.offset // T >= self.chunks_per_epoch:
            self.epoch, self.offset = self.epoch + 1, 0
        return x, y, reset


def learning_rate(step, lr, decay, every):
    """lr · decay^⌊step / every⌋ (lib/train/schedule.ts)."""
    return lr * decay ** (step // every)


def run_fraction(step, total_steps, elapsed_seconds, budget_seconds):
    """The share of a run done: the larger of the share of its steps and of its time budget,
    clamped to [0, 1] (lib/train/schedule.ts runFraction)."""
    by_steps = step / total_steps if total_steps > 0 else 0.0
    by_time = elapsed_seconds / budget_seconds if budget_seconds > 0 else 0.0
    return min(1.0, max(by_steps, by_time))


def scheduled_rate(config, step, total_steps, elapsed_seconds, budget_seconds):
    """The learning rate of the configured schedule (lib/train/schedule.ts scheduledRate):
    `step` decay, or a cosine from lr to lrFinal · lr over the run, after a linear warm-up."""
    lr = config["lr"]
    if config["lrSchedule"] == "cosine":
        p = run_fraction(step, total_steps, elapsed_seconds, budget_seconds)
        base = lr * (config["lrFinal"] + (1 - config["lrFinal"]) * (1 + math.cos(math.pi * p)) / 2)
    else:
        base = learning_rate(step, lr, config["lrDecay"], config["lrDecayEvery"])
    warmup = config["warmup"]
    return base * (step + 1) / warmup if warmup > 0 and step < warmup else base


@torch.no_grad()
def evaluate_split(model, ids, chunk=512):
    """Mean loss over a whole held-out split read as one stream from a zero state with the
    state carried, no dropout (lib/train/evaluate.ts evaluateSplit): the log's valLoss."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    n, total, state = len(ids) - 1, 0.0, None
    for start in range(0, n, chunk):
        t = min(chunk, n - start)
        x = ids[start:start + t].view(t, 1).to(device)
        y = ids[start + 1:start + t + 1].view(t).to(device)
        logits, state = model(x, state)
        total += F.cross_entropy(logits.view(t, -1), y, reduction="sum").item()
    model.train(was_training)
    return total / n


@torch.no_grad()
def evaluate_loss(model, ids, batch, seq, max_chars=0):
    """Mean loss over a held-out split in B streams with carried state and no dropout
    (lib/train/evaluate.ts): B shrinks when the split is short."""
    B = max(1, min(batch, (len(ids) - 1) // seq))
    batcher = Batcher(ids, B, seq, "held-out split")
    chunks = batcher.chunks_per_epoch
    if max_chars > 0:
        chunks = min(chunks, max(1, math.ceil(max_chars / (B * seq))))
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    total, state = 0.0, None
    for _ in range(chunks):
        x, y, _ = batcher.next()
        logits, state = model(x.to(device), state)
        total += F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1).to(device)).item()
    model.train(was_training)
    return total / chunks


# ---------------------------------------------------------------------------
# Snapshots (lib/train/snapshots.ts): weight-only checkpoints at steps 50, 100, 200, …
# and the final step, kept by the same online policy, so `deno task evolve` reads them.

FIRST_SNAPSHOT_STEP = 50
SNAPSHOT_FOLDER = "snapshots"


def snapshot_file_name(step):
    """step-<step>.safetensors (snapshotFileName)."""
    return f"step-{step}.safetensors"


def is_doubling_step(step):
    """Whether step is 50 · 2^k (isDoublingStep)."""
    if step < FIRST_SNAPSHOT_STEP or step % FIRST_SNAPSHOT_STEP:
        return False
    m = step // FIRST_SNAPSHOT_STEP
    return m & (m - 1) == 0


def kept_doubling_steps(step, n):
    """The doubling steps kept once `step` is reached with room for n snapshots: n − 1 slots,
    every other one dropped when they outgrow them (keptDoublingSteps)."""
    slots = n - 1
    if slots < 1 or step < FIRST_SNAPSHOT_STEP:
        return []
    K = math.floor(math.log2(step / FIRST_SNAPSHOT_STEP) + 1e-12)  # indices 0..K reached
    stride = 1
    while K // stride + 1 > slots:
        stride *= 2
    return [FIRST_SNAPSHOT_STEP * 2 ** k for k in range(0, K + 1, stride)]


def planned_snapshot_steps(total_steps, n):
    """Every step a run of known length keeps, the final included (plannedSnapshotSteps)."""
    if n < 1 or total_steps < 1:
        return []
    kept = kept_doubling_steps(total_steps, n)
    return kept if kept and kept[-1] == total_steps else kept + [total_steps]


def list_snapshots(run_dir):
    """[(step, path)] of a run folder's snapshots, in step order (listSnapshots)."""
    folder = Path(run_dir) / SNAPSHOT_FOLDER
    if not folder.is_dir():
        return []
    found = []
    for p in folder.iterdir():
        name = p.name
        if p.is_file() and name.startswith("step-") and name.endswith(".safetensors"):
            digits = name[len("step-"):-len(".safetensors")]
            if digits.isdigit():
                found.append((int(digits), p))
    return sorted(found)


class SnapshotKeeper:
    """Keeps a run's snapshots as training goes (lib/train/snapshots.ts SnapshotKeeper):
    after_step() after every update, finish() when the run stops. `write(path)` saves the
    weights. Snapshots beyond the step a run starts at are removed (trained again), one on
    disk is never written twice, and what the policy stops keeping is removed."""

    def __init__(self, run_dir, n, step=0):
        self.dir = Path(run_dir) / SNAPSHOT_FOLDER
        self.dir.mkdir(parents=True, exist_ok=True)
        self.n = n
        self.on_disk = set()
        for s, path in list_snapshots(run_dir):
            if s > step:
                path.unlink()
            else:
                self.on_disk.add(s)

    @property
    def steps(self):
        return sorted(self.on_disk)

    def after_step(self, step, write):
        if not is_doubling_step(step):
            return
        keep = set(kept_doubling_steps(step, self.n))
        if step in keep:
            self._write(step, write)
        self._prune(keep)

    def finish(self, step, write):
        if step < 1:
            return
        keep = set(kept_doubling_steps(step, self.n)) | {step}
        if step not in self.on_disk:
            self._write(step, write)
        self._prune(keep)

    def _write(self, step, write):
        write(str(self.dir / snapshot_file_name(step)))
        self.on_disk.add(step)

    def _prune(self, keep):
        for s in self.steps:
            if s not in keep:
                (self.dir / snapshot_file_name(s)).unlink()
                self.on_disk.discard(s)
