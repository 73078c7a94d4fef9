#!/usr/bin/env python3
"""Train a cellscope model with PyTorch: on a CPU, one GPU, or many with
DistributedDataParallel; then analyse it with cellscope (`deno task import`).

Same corpora, split, batching (B streams with carried state, reset at each
epoch), recipes and presets as `deno task train`; the flags are its flags
(`--lr-decay` → lrDecay), the defaults and presets come from
lib/train/recipes.json. With W processes each takes B/W of the B streams and
DDP averages the gradients, so a step is the same step as on one process.

    python3 interop/pytorch/train.py --preset tiny --text notes.txt --out runs/torch-tiny
    python3 interop/pytorch/train.py --preset paper --corpus warpeace --device cuda
    torchrun --nproc_per_node 8 interop/pytorch/train.py --preset paper --corpus warpeace
    python3 interop/pytorch/train.py --preset tiny --nprocs 2          # one machine, gloo
    deno task import --from runs/torch-tiny --out runs/tiny-imported

The run folder gets config.json, log.jsonl, latest.safetensors and
best.safetensors (lowest validation loss), in the layout `deno task import` reads;
with --snapshots N also snapshots/step-<k>.safetensors (weights only, at steps 50,
100, 200, … and the final step, kept as `deno task train --snapshots N` keeps them),
which `deno task import` brings along for `deno task evolve`.
"""
import argparse
import json
import os
import socket
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import torch
import torch.distributed as dist
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cellscope_data import (ROOT, Batcher, SnapshotKeeper, evaluate_loss,  # noqa: E402
                            evaluate_split, load_recipes, load_training_text, resolve_config,
                            scheduled_rate, split_ids)
from cellscope_torch import INIT_NAMES, CharRNN, Vocab, check_text_file  # noqa: E402

# cellscope-only keys: the kernels of `deno task train`; kept in the config for import.
SKIPPED_FLAGS = {"backend", "threads"}
# The keys this trainer implements. A key added to recipes.json later is refused when it
# differs from its default, so a run never silently ignores part of its recipe.
IMPLEMENTED = {"corpus", "text", "valFraction", "testFraction", "cell", "layers", "hidden", "embed",
               "dropout", "batch", "seq", "optimizer", "lr", "lrDecay", "lrDecayEvery", "lrSchedule",
               "lrFinal", "warmup", "clip",
               "clipValue", "steps", "epochs", "minutes", "evalEvery", "evalOverhead", "evalChars",
               "sampleEvery", "init", "snapshots",
               "sampleLength", "sampleTemperature", "seed", "out"} | SKIPPED_FLAGS


def kebab(key):
    """The flag of a config key, as lib/cli/train.ts names it: lrDecay → lr-decay, cell → model."""
    return "model" if key == "cell" else "".join("-" + c.lower() if c.isupper() else c for c in key)


def parse_args(argv=None):
    defaults, presets = load_recipes()
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=__doc__.split("\n\n", 1)[1])
    for key, value in defaults.items():
        if key in SKIPPED_FLAGS:
            continue
        kind = int if type(value) is int else float if type(value) is float else str
        if key in ("lr", "lrDecay", "dropout", "clip", "clipValue", "valFraction", "testFraction",
                   "minutes", "sampleTemperature", "lrFinal"):
            kind = float
        p.add_argument("--" + kebab(key), dest=key, type=kind, default=None,
                       help=f"default {json.dumps(value)}")
    p.add_argument("--preset", choices=sorted(presets), help="a preset of lib/train/recipes.json")
    p.add_argument("--device", default="auto", help="auto (cuda when available), cpu, cuda")
    p.add_argument("--nprocs", type=int, default=1,
                   help="start N processes on this machine (gloo on CPU, nccl on GPUs)")
    p.add_argument("--port", type=int, default=0, help="loopback port for --nprocs (default: a free one)")
    args = p.parse_args(argv)
    given = {k: getattr(args, k) for k in defaults if k not in SKIPPED_FLAGS}
    config = resolve_config(given, args.preset)
    if config["text"] is not None:
        try:
            check_text_file(config["text"])
        except ValueError as e:
            p.error(str(e))
    if config["init"] not in INIT_NAMES:
        p.error(f"--init must be one of {', '.join(INIT_NAMES)}, got {json.dumps(config['init'])}")
    for key in sorted(set(config) - IMPLEMENTED):
        if config[key] != defaults[key]:
            p.error(f"--{kebab(key)} {json.dumps(config[key])}: train.py does not implement {key} "
                    f"yet (only its default {json.dumps(defaults[key])}); use deno task train")
    return config, args


def make_optimizer(kind, params, lr):
    """cellscope's optimizers with its constants (lib/optim/*.ts)."""
    if kind == "adam":
        return torch.optim.Adam(params, lr=lr, betas=(0.9, 0.999), eps=1e-8)
    if kind == "adagrad":
        return torch.optim.Adagrad(params, lr=lr, eps=1e-8)
    if kind == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, alpha=0.95, eps=1e-8)
    if kind == "sgd":
        return torch.optim.SGD(params, lr=lr)
    raise ValueError(f"unknown optimizer {kind!r}")


def run_dir_for(config, data_name):
    """--out, refused when it holds checkpoints; else runs/<data>-<model>-<L>x<H>-torch[-n]."""
    if config["out"] is not None:
        out = Path(config["out"])
        if out.is_dir() and any(p.suffix == ".safetensors" for p in out.iterdir()):
            raise SystemExit(f"error: {out} already holds checkpoints; choose a new --out folder")
        return out
    stem = Path(data_name).stem if config["text"] else data_name
    base = ROOT / "runs" / f"{stem}-{config['cell']}-{config['layers']}x{config['hidden']}-torch"
    n, out = 1, base
    while out.exists():
        n += 1
        out = Path(f"{base}-{n}")
    return out


def detach(state):
    return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()


def train(rank, world, config, device):
    """The training loop of lib/train/trainer.ts on one process of `world`."""
    lead = rank == 0
    say = print if lead else (lambda *a, **k: None)
    data_name, text = load_training_text(config)
    vocab = Vocab.from_text(text)
    ids = vocab.encode(text)
    train_ids, val_ids, _ = split_ids(ids, config["valFraction"], config["testFraction"])
    B, T = config["batch"], config["seq"]
    if B % world:
        raise SystemExit(f"error: --batch {B} must be a multiple of the {world} processes")
    mine = slice(rank * B // world, (rank + 1) * B // world)  # this process's streams
    batcher = Batcher(train_ids, B, T, "training split")
    total_steps = config["steps"] or config["epochs"] * batcher.chunks_per_epoch

    torch.manual_seed(config["seed"] + rank)  # dropout masks differ between processes
    model = CharRNN(config["cell"], len(vocab), config["hidden"], config["layers"], config["embed"],
                    config["dropout"], vocab)
    model.reset_parameters(torch.Generator().manual_seed(config["seed"]), config["init"])
    model.to(device)
    net = model
    if world > 1:
        net = torch.nn.parallel.DistributedDataParallel(
            model, device_ids=[device.index] if device.type == "cuda" else None)
    optimizer = make_optimizer(config["optimizer"], model.parameters(), config["lr"])

    run_dir = run_dir_for(config, data_name) if lead else None
    if lead:
        run_dir.mkdir(parents=True, exist_ok=True)
        config = {**config, "out": str(run_dir)}
        (run_dir / "config.json").write_text(json.dumps(config, indent=2) + "\n")
        say(f"run folder: {run_dir}  ({world} process{'es' if world > 1 else ''} on {device.type})")

    def log(entry):
        """Appends one line to log.jsonl in one write call (lib/io/jsonl.ts appendJsonLine),
        so a killed run can tear only its last line, which cellscope's readers skip."""
        if lead:
            line = (json.dumps(entry) + "\n").encode("utf-8")
            fd = os.open(run_dir / "log.jsonl", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                written = os.write(fd, line)
                while written < len(line):  # only a short write (a full disk) takes more
                    written += os.write(fd, line[written:])
            finally:
                os.close(fd)

    log({"event": "start", "step": 0, "time": datetime.now(timezone.utc).isoformat(),
         "config": config, "vocabSize": len(vocab), "trainer": trainer_info(world, device)})

    history, best, smooth, step, state = [], None, None, 0, None
    start = time.perf_counter()
    last_eval_time, last_eval_step = 0.0, 0
    # Time outside training steps (validation, checkpoints, samples) and of the last validation.
    step_seconds, last_validation_seconds = 0.0, 0.0

    def overhead():
        total = time.perf_counter() - start
        return {"overheadSeconds": total - step_seconds, "overheadFraction": 1 - step_seconds / total}

    budget = config["minutes"] * 60

    def expected_validation_seconds():
        return last_validation_seconds or len(val_ids) * step_seconds / max(step * B * T, 1)

    def validation_due():
        """Every evalEvery steps, or with evalEvery 0 as soon as one more validation keeps
        the overhead within evalOverhead of the wall time (lib/train/trainer.ts)."""
        if config["evalEvery"] > 0:
            return step % config["evalEvery"] == 0
        expected = expected_validation_seconds()
        return (overhead()["overheadSeconds"] + expected
                <= config["evalOverhead"] * (time.perf_counter() - start))

    def meta():
        """The run record every saved file carries (the checkpoint metadata of import)."""
        return {"step": step, "history": history, "bestValLoss": best,
                "data": {"name": data_name, "chars": len(ids)}, "trainer": trainer_info(world, device)}

    def write_snapshot(path):
        model.save(path, config, **meta())  # weights only: no optimizer, no carried state

    snapshots = SnapshotKeeper(run_dir, config["snapshots"]) if lead and config["snapshots"] > 0 else None

    def validate():
        nonlocal best, last_eval_time, last_eval_step, last_validation_seconds
        if lead:
            elapsed = time.perf_counter() - start
            val = evaluate_split(model, val_ids)
            estimate = ({"valLossEstimate": evaluate_loss(model, val_ids, B, T, config["evalChars"])}
                        if config["evalChars"] > 0 else {})
            entry = {"step": step, "epoch": step / batcher.chunks_per_epoch,
                     "trainLoss": smooth if smooth is not None else float("nan"), "valLoss": val,
                     "lr": scheduled_rate(config, step, total_steps, elapsed, budget),
                     "charsPerSecond": (step - last_eval_step) * B * T / max(elapsed - last_eval_time, 1e-9),
                     "elapsedSeconds": elapsed}
            history.append(entry)
            improved = best is None or val < best
            best = val if improved else best
            log({"event": "eval", **entry, **estimate, **overhead()})
            say(f"step {step}/{total_steps}  train {entry['trainLoss']:.4f}  val {val:.4f}")
            model.save(str(run_dir / "latest.safetensors"), config, **meta())
            if improved:
                model.save(str(run_dir / "best.safetensors"), config, **meta())
            last_eval_time, last_eval_step = time.perf_counter() - start, step
            last_validation_seconds = last_eval_time - elapsed
        if world > 1:
            dist.barrier()

    stopped_by = "steps"
    while step < total_steps:
        # The final validation and checkpoint fit inside the budget (as in deno task train).
        elapsed = time.perf_counter() - start
        late = budget > 0 and elapsed + 1.25 * expected_validation_seconds() >= budget
        # nccl reduces GPU tensors only; the max makes every process stop at the same step
        # and use the same elapsed time in the schedule, so their learning rates agree.
        stop = torch.tensor([1.0 if late else 0.0, elapsed], device=device, dtype=torch.float64)
        if world > 1:
            dist.all_reduce(stop, op=dist.ReduceOp.MAX)
        rate_now = scheduled_rate(config, step, total_steps, stop[1].item(), budget)
        if stop[0].item() > 0:
            stopped_by = "budget"
            break
        step_start = time.perf_counter()
        x, y, reset = batcher.next()
        if reset:
            state = None
        x, y = x[:, mine].to(device), y[:, mine].to(device)
        logits, state = net(x, state)
        state = detach(state)
        loss = F.cross_entropy(logits.reshape(-1, len(vocab)), y.reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()  # DDP averages the gradients: the mean over all B streams
        if config["clipValue"] > 0:
            torch.nn.utils.clip_grad_value_(model.parameters(), config["clipValue"])
        if config["clip"] > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), config["clip"])
        for group in optimizer.param_groups:
            group["lr"] = rate_now
        optimizer.step()
        step += 1
        value = loss.detach()
        if world > 1:
            dist.all_reduce(value)
            value /= world
        value = value.item()
        smooth = value if smooth is None else 0.98 * smooth + 0.02 * value
        step_seconds += time.perf_counter() - step_start
        if snapshots:
            snapshots.after_step(step, write_snapshot)
        due = torch.tensor([1.0 if lead and validation_due() else 0.0], device=device)
        if world > 1:
            dist.all_reduce(due, op=dist.ReduceOp.MAX)  # every process validates at the same step
        if due.item() > 0 and step < total_steps:
            validate()
        if lead and config["sampleEvery"] > 0 and step % config["sampleEvery"] == 0:
            text = model.sample(config["sampleLength"], temperature=config["sampleTemperature"],
                                seed=config["seed"] * 7919 + step)
            log({"event": "sample", "step": step, "text": text})
            say(f"--- sample at step {step}\n{text}\n---")
    if not history or history[-1]["step"] != step:
        validate()
    if snapshots:
        snapshots.finish(step, write_snapshot)
    log({"event": "end", "step": step, "stoppedBy": stopped_by, "bestValLoss": best, **overhead(),
         "time": datetime.now(timezone.utc).isoformat()})
    if lead:
        say(f"stopped at step {step} ({stopped_by}); best val loss {best:.4f}\n"
            f"next: deno task import --from {run_dir} --out runs/{run_dir.name}-imported")


def trainer_info(world, device):
    return {"name": "interop/pytorch/train.py", "torch": torch.__version__, "processes": world,
            "device": device.type}


def pick_device(name, local_rank):
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name.startswith("cuda"):
        return torch.device("cuda", local_rank if name == "cuda" else torch.device(name).index)
    return torch.device(name)


def worker(rank, world, config, args, init_method):
    """One of --nprocs processes started by torch.multiprocessing.spawn."""
    device = pick_device(args.device, rank)
    if device.type == "cpu":
        torch.set_num_threads(max(1, (os.cpu_count() or 1) // world))
    else:
        torch.cuda.set_device(device)
    dist.init_process_group("nccl" if device.type == "cuda" else "gloo",
                            init_method=init_method, rank=rank, world_size=world)
    try:
        train(rank, world, config, device)
    finally:
        dist.destroy_process_group()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(argv=None):
    config, args = parse_args(argv)
    if "WORLD_SIZE" in os.environ and int(os.environ["WORLD_SIZE"]) > 1:
        # torchrun or a cluster launcher set RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT.
        rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
        device = pick_device(args.device, int(os.environ.get("LOCAL_RANK", 0)))
        if device.type == "cuda":
            torch.cuda.set_device(device)
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo", init_method="env://")
        try:
            train(rank, world, config, device)
        finally:
            dist.destroy_process_group()
    elif args.nprocs > 1:
        init_method = f"tcp://127.0.0.1:{args.port or free_port()}"
        torch.multiprocessing.spawn(worker, args=(args.nprocs, config, args, init_method),
                                    nprocs=args.nprocs, join=True)
    else:
        train(0, 1, config, pick_device(args.device, 0))


if __name__ == "__main__":
    main()
