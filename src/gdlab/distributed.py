"""Data-parallel SGD on ``torch.distributed``, for several local processes.

:func:`launch` starts ``world_size`` worker processes, joins them into one
process group (gloo on the CPU, over a temporary file rather than a network
port), runs a worker function in each and returns what each returned. A
worker that fails stops the whole group with :class:`WorkerError`; a group
that does not finish within ``timeout`` seconds is terminated with
``TimeoutError``, so nothing hangs and no process is left behind.

The workers defined here are the ones the book and the tests run: averaging
shard gradients with ``all_reduce``, and training with
``DistributedDataParallel`` (DDP) against its single-process twin.

Reference: Goyal et al., *Accurate, Large Minibatch SGD: Training ImageNet
in 1 Hour* (2017), for data-parallel SGD and learning-rate scaling.
"""

from __future__ import annotations

import logging
import os
import pickle
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.nn.parallel import DistributedDataParallel

from .validation import real_number, whole_number


class WorkerError(RuntimeError):
    """A worker process raised; the message carries its error."""


def _entry(rank, worker, world_size, init_file, queue, args, timeout):
    if sys.platform.startswith("linux"):
        os.environ.setdefault("GLOO_SOCKET_IFNAME", "lo")   # loopback only
    dist.init_process_group("gloo", init_method=f"file://{init_file}",
                            rank=rank, world_size=world_size,
                            timeout=timedelta(seconds=timeout))
    try:
        result = worker(rank, world_size, *args)
    except Exception as err:           # report first, so the root cause
        queue.put((rank, "error", time.time(),  # can be told from its echoes
                   f"{type(err).__name__}: {err}"))
        raise
    else:   # plain pickling copies tensors, so they outlive this process
        queue.put((rank, "ok", pickle.dumps(result)))
    finally:
        dist.destroy_process_group()


def launch(worker, world_size: int, *args, timeout: float = 60.0) -> list:
    """Run ``worker(rank, world_size, *args)`` in ``world_size`` processes.

    ``worker`` must be importable (defined in a module, not a notebook).
    Returns the workers' return values, ordered by rank.
    """
    world_size = whole_number("world_size", world_size, low=1)
    timeout = real_number("timeout", timeout, low=0, low_open=True)
    ctx = mp.get_context("spawn")
    queue = ctx.SimpleQueue()
    with tempfile.TemporaryDirectory() as folder:
        init_file = Path(folder) / "rendezvous"
        procs = mp.start_processes(
            _entry, args=(worker, world_size, str(init_file), queue, args,
                          timeout), nprocs=world_size, join=False)
        _join(procs, timeout, queue)
    results = dict((rank, blob) for rank, _, blob in
                   (queue.get() for _ in range(world_size)))
    return [pickle.loads(results[rank]) for rank in range(world_size)]


def _first_error(queue):
    """The earliest error a worker reported, as ``(rank, message)``."""
    reports = []
    while not queue.empty():
        entry = queue.get()
        if entry[1] == "error":
            reports.append(entry)
    if not reports:
        return None
    rank, _, _, message = min(reports, key=lambda entry: entry[2])
    return rank, message


def _join(procs, timeout, queue):
    deadline = time.monotonic() + timeout
    # torch logs a warning for each process it terminates after a failure;
    # the WorkerError raised below already says what happened
    spawn_log = logging.getLogger("torch.multiprocessing.spawn")
    level = spawn_log.level
    spawn_log.setLevel(logging.ERROR)
    try:
        while not procs.join(timeout=0.1):
            if time.monotonic() > deadline:
                raise TimeoutError(f"the workers did not finish within "
                                   f"{timeout:g} s; one may be waiting for "
                                   "another that is stuck")
    except mp.ProcessRaisedException as err:
        for proc in procs.processes:   # let the others report, then stop
            proc.join(timeout=5)
        rank, cause = _first_error(queue) or (
            err.error_index, str(err).strip().splitlines()[-1])
        raise WorkerError(f"worker {rank} failed: {cause}") from None
    except mp.ProcessExitedException as err:
        raise WorkerError(f"worker {err.error_index} died with exit code "
                          f"{err.exit_code}") from None
    finally:
        spawn_log.setLevel(level)
        for proc in procs.processes:
            if proc.is_alive():
                proc.terminate()
                proc.join()


def _shard(tensor, rank, world_size):
    return tensor.chunk(world_size)[rank]


def averaged_gradient(rank, world_size, X, y, w):
    """Worker: the MSE gradient on this rank's shard, averaged over ranks."""
    Xs, ys = _shard(X, rank, world_size), _shard(y, rank, world_size)
    w = w.clone().requires_grad_()
    ((Xs @ w - ys) ** 2).mean().backward()
    grad = w.grad
    dist.all_reduce(grad, op=dist.ReduceOp.SUM)            # sum over ranks
    return grad / world_size


def _batches(n_rows, global_batch, n_steps):
    for k in range(n_steps):
        start = k * global_batch % n_rows
        yield torch.arange(start, start + global_batch) % n_rows


def _linear_model(state):
    model = torch.nn.Linear(state["weight"].shape[1], 1).double()
    model.load_state_dict(state)
    return model


def ddp_train(rank, world_size, X, y, state, lr, n_steps, global_batch):
    """Worker: SGD with DDP; each rank takes its share of every batch."""
    model = DistributedDataParallel(_linear_model(state))
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    for rows in _batches(len(X), global_batch, n_steps):
        mine = _shard(rows, rank, world_size)
        loss = torch.nn.functional.mse_loss(model(X[mine]), y[mine])
        opt.zero_grad()
        loss.backward()                 # DDP all-reduces (averages) here
        opt.step()
    return {k: v.detach().clone() for k, v in
            model.module.state_dict().items()} if rank == 0 else None


def single_process_train(X, y, state, lr, n_steps, global_batch):
    """The same training as :func:`ddp_train` in one process."""
    model = _linear_model(state)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    for rows in _batches(len(X), global_batch, n_steps):
        loss = torch.nn.functional.mse_loss(model(X[rows]), y[rows])
        opt.zero_grad()
        loss.backward()
        opt.step()
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def failing_worker(rank, world_size):
    """Worker for demonstrations: rank 1 fails, the others wait for it."""
    if rank == 1:
        raise ValueError("rank 1 could not read its shard of the data")
    dist.barrier()
    return rank


def straggler_worker(rank, world_size, seconds):
    """Worker for demonstrations: the last rank sleeps before the barrier."""
    if rank == world_size - 1:
        time.sleep(seconds)
    dist.barrier()
    return rank
