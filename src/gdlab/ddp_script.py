"""Data-parallel training of the book's line, as a script for ``torchrun``.

One process per device; ``torchrun`` (the same as ``python -m
torch.distributed.run``) sets ``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK`` and
the rendezvous address in the environment. On one machine::

    torchrun --standalone --nproc-per-node=2 -m gdlab.ddp_script

On two machines with 8 GPUs each, run on both (``HOST`` is the first)::

    torchrun --nnodes=2 --nproc-per-node=8 --rdzv-backend=c10d \\
        --rdzv-endpoint=HOST:29500 -m gdlab.ddp_script

The backend is NCCL when CUDA is available, gloo otherwise. With
``--checkpoint PATH`` rank 0 snapshots model, optimizer and epoch after
every epoch (atomically, :mod:`gdlab.checkpoint`) and a restarted run
resumes from the snapshot, so ``torchrun --max-restarts=N`` can recover
from a dead worker. ``GDLAB_CRASH=RANK:EPOCH`` makes that rank exit at the
start of that epoch on the first attempt, to show it.

References: the PyTorch documentation of ``torchrun`` (elastic launch) and
``DistributedSampler``; PyTorch issue #135712 (stale rendezvous keys after
a restart); Goyal et al., *Accurate, Large Minibatch SGD* (2017), for the
global batch.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from datetime import timedelta

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler

from .checkpoint import load_checkpoint, save_checkpoint
from .data import linear_data
from .validation import (rank_in_group, torch_device, torch_module,
                         torch_optimizer, whole_number)


@dataclass(frozen=True)
class Config:
    """What one training run does; every process gets the same."""

    n_epochs: int = 30           # passes over the training set
    lr: float = 0.05             # SGD learning rate
    momentum: float = 0.9        # SGD momentum (state to checkpoint)
    global_batch: int = 16       # samples per update, over all processes
    seed: int = 42               # the sampler's shuffle; same on all ranks
    checkpoint: str | None = None    # snapshot file; None: no snapshots
    timeout: float = 60.0        # seconds a collective may wait


def _positive(kind):
    def convert(text):
        value = kind(text)
        if not value > 0:
            raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
        return value
    return convert


def parse_args(argv=None) -> Config:
    """Read a :class:`Config` from the command line."""
    p = argparse.ArgumentParser(prog="torchrun ... -m gdlab.ddp_script")
    p.add_argument("--epochs", type=_positive(int), default=Config.n_epochs)
    p.add_argument("--lr", type=_positive(float), default=Config.lr)
    p.add_argument("--global-batch", type=_positive(int),
                   default=Config.global_batch)
    p.add_argument("--checkpoint", default=None, help="snapshot file")
    p.add_argument("--timeout", type=_positive(float),
                   default=Config.timeout)
    a = p.parse_args(argv)
    if a.checkpoint and not os.path.isdir(os.path.dirname(a.checkpoint)
                                          or "."):
        p.error(f"--checkpoint: the folder of {a.checkpoint} does not "
                "exist; create it first")
    return Config(n_epochs=a.epochs, lr=a.lr, global_batch=a.global_batch,
                  checkpoint=a.checkpoint, timeout=a.timeout)


def _config(cfg) -> Config:
    if not isinstance(cfg, Config):
        raise TypeError(f"cfg must be a gdlab.ddp_script.Config, such as "
                        f"Config() or parse_args([]); got "
                        f"{type(cfg).__name__}")
    return cfg


def join_group(cfg: Config) -> tuple[int, int, torch.device]:
    """Join the process group torchrun set up; return rank, world, device."""
    _config(cfg)
    missing = [v for v in ("RANK", "WORLD_SIZE", "MASTER_ADDR",
                           "MASTER_PORT") if v not in os.environ]
    if missing:
        raise RuntimeError(f"{', '.join(missing)} not set: start this "
                           "script with torchrun, e.g. torchrun "
                           "--standalone --nproc-per-node=2 -m "
                           "gdlab.ddp_script")
    world = int(os.environ["WORLD_SIZE"])
    if cfg.global_batch % world:
        raise ValueError(f"--global-batch {cfg.global_batch} is not "
                         f"divisible by the {world} processes; pick a "
                         "multiple of the number of processes")
    rank, timeout = int(os.environ["RANK"]), timedelta(seconds=cfg.timeout)
    cuda = torch.cuda.is_available()
    dist.init_process_group("nccl" if cuda else "gloo", rank=rank,
                            world_size=world, timeout=timeout,
                            store=_attempt_store(rank, world, timeout))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    device = torch.device(f"cuda:{local_rank}" if cuda else "cpu")
    if cuda:
        torch.cuda.set_device(device)
    return rank, world, device


def _attempt_store(rank, world, timeout) -> dist.Store:
    """torchrun's key-value store, seen through this attempt's own prefix.

    torchrun's agent hosts one store for the whole job and its workers
    share it; a failed attempt's keys (its processes' addresses) stay
    there, and a restarted group can read them and hang while connecting
    (pytorch/pytorch#135712). The prefix relies on every agent counting
    restarts alike, which holds on one machine; across machines whose
    counts can differ, launch with TORCH_DISABLE_SHARE_RDZV_TCP_STORE=1.
    """
    agent = os.environ.get("TORCHELASTIC_USE_AGENT_STORE") == "True"
    store = dist.TCPStore(os.environ["MASTER_ADDR"],
                          int(os.environ["MASTER_PORT"]), world,
                          is_master=rank == 0 and not agent, timeout=timeout)
    attempt = os.environ.get("TORCHELASTIC_RESTART_COUNT", "0")
    return dist.PrefixStore(f"attempt-{attempt}", store)


def crash_if_asked(rank: int, epoch: int) -> None:
    """Exit abruptly if ``GDLAB_CRASH=RANK:EPOCH`` names this rank, this
    epoch (counted from 1) and the first attempt (torchrun counts restarts
    in ``TORCHELASTIC_RESTART_COUNT``)."""
    asked = os.environ.get("GDLAB_CRASH")
    if not asked:
        return
    try:
        crash_rank, crash_epoch = (int(part) for part in asked.split(":"))
    except ValueError:
        raise ValueError(f"GDLAB_CRASH must be RANK:EPOCH, e.g. 1:16, got "
                         f"{asked!r}") from None
    attempt = int(os.environ.get("TORCHELASTIC_RESTART_COUNT", "0"))
    if (rank, epoch, attempt) == (crash_rank, crash_epoch, 0):
        print(f"rank {rank}: simulated crash at the start of epoch "
              f"{epoch}", flush=True)
        os._exit(1)                  # dies at once, like a killed process


def snapshot(cfg, rank, model, optimizer, epochs_done) -> None:
    """Rank 0 writes the snapshot; every rank waits until it is on disk."""
    _checked(cfg, model, optimizer, rank=rank, epochs_done=epochs_done)
    if cfg.checkpoint is None:
        return
    if rank == 0:
        save_checkpoint(cfg.checkpoint, {
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "epochs_done": epochs_done})
    dist.barrier()                   # nobody runs ahead of the file


def resume(cfg, model, optimizer, device) -> int:
    """Load the snapshot on every rank if there is one; return the number
    of epochs it had finished (0 without a snapshot)."""
    device = _checked(cfg, model, optimizer, device=device)
    if cfg.checkpoint is None or not os.path.exists(cfg.checkpoint):
        return 0
    state = load_checkpoint(cfg.checkpoint, map_location=device)
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    return state["epochs_done"]


def _checked(cfg, model, optimizer, device="cpu", **counts):
    """Refuse arguments :func:`snapshot` and :func:`resume` could not use
    (``counts``: whole numbers from 0); returns the device."""
    _config(cfg)
    torch_module("model", model)
    torch_optimizer("optimizer", optimizer)
    for name, value in counts.items():
        whole_number(name, value, low=0)
    return torch_device("device", device)


def _check_train(cfg, rank, world, device):
    """Refuse arguments :func:`train` could not use; returns rank, world
    and device, checked."""
    _config(cfg)
    rank, world = rank_in_group(rank, world, names=("rank", "world"))
    return rank, world, torch_device("device", device)


def gathered(param) -> list[float]:
    """A one-element parameter's value on every rank, in rank order."""
    values = [torch.empty_like(param) for _ in range(dist.get_world_size())]
    dist.all_gather(values, param.detach())
    return [round(v.item(), 4) for v in values]


def global_mse(model, X, y, rank, world) -> float:
    """Mean squared error over all ranks' samples: each rank sums its
    squared errors and counts its samples, then both are all-reduced."""
    with torch.no_grad():
        err = model(X[rank::world]) - y[rank::world]   # no padding here
        totals = torch.stack([(err ** 2).sum(),
                              torch.tensor(float(len(err)), device=X.device)])
    dist.all_reduce(totals, op=dist.ReduceOp.SUM)
    return (totals[0] / totals[1]).item()


def main(argv=None) -> None:
    """Parse the arguments, join the group, train, leave the group."""
    cfg = parse_args(argv)
    rank, world, device = join_group(cfg)
    try:
        train(cfg, rank, world, device)
    finally:
        dist.destroy_process_group()


def _tensors(x, y, device):
    return (torch.tensor(x, dtype=torch.float32, device=device),
            torch.tensor(y, dtype=torch.float32, device=device))


def train(cfg: Config, rank: int, world: int, device) -> None:
    """Train the line with DDP on this rank's share of every batch."""
    rank, world, device = _check_train(cfg, rank, world, device)
    data = linear_data()
    X, y = _tensors(data.x_train, data.y_train, device)     # (80, 1)
    X_val, y_val = _tensors(data.x_val, data.y_val, device)  # (20, 1)
    dataset = TensorDataset(X, y)
    sampler = DistributedSampler(dataset, num_replicas=world, rank=rank,
                                 shuffle=True, seed=cfg.seed)
    loader = DataLoader(dataset, sampler=sampler,
                        batch_size=cfg.global_batch // world)
    torch.manual_seed(cfg.seed + rank)   # per-rank randomness (dropout...)
    linear = torch.nn.Linear(1, 1).to(device)   # a different start per rank
    optimizer = torch.optim.SGD(linear.parameters(), lr=cfg.lr,
                                momentum=cfg.momentum)
    start = resume(cfg, linear, optimizer, device)
    drawn = gathered(linear.weight)             # w on every rank, before...
    gpu = [device.index] if device.type == "cuda" else None
    model = DistributedDataParallel(linear, device_ids=gpu)  # broadcasts
    synced = gathered(linear.weight)            # ...and after: rank 0's
    if rank == 0:
        print(f"world size {world}, backend {dist.get_backend()}, "
              f"starting at epoch {start + 1} of {cfg.n_epochs}\n"
              f"w on each rank: {drawn} before DDP, {synced} after",
              flush=True)
    for epoch in range(start, cfg.n_epochs):
        crash_if_asked(rank, epoch + 1)
        sampler.set_epoch(epoch)                # a new shuffle each epoch
        for X_b, y_b in loader:
            loss = torch.nn.functional.mse_loss(model(X_b), y_b)
            optimizer.zero_grad()
            loss.backward()                     # gradients averaged here
            optimizer.step()
        snapshot(cfg, rank, linear, optimizer, epoch + 1)
        if (epoch + 1) % 10 == 0 or epoch + 1 == cfg.n_epochs:
            mse = global_mse(model, X_val, y_val, rank, world)
            if rank == 0:
                print(f"epoch {epoch + 1}: validation MSE {mse:.6f}",
                      flush=True)
    if rank == 0:
        print(f"b = {linear.bias.item():.6f}, "
              f"w = {linear.weight.item():.6f}", flush=True)


if __name__ == "__main__":
    main()
