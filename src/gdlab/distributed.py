"""Data-parallel SGD on ``torch.distributed``, for several local processes.

:func:`launch` starts ``world_size`` worker processes, joins them into one
process group (gloo on the CPU, over a temporary file rather than a network
port), runs a worker function in each and returns what each returned. A
worker that fails stops the whole group with :class:`WorkerError`; a group
that does not finish within ``timeout`` seconds is terminated with
``TimeoutError``, so nothing hangs and no worker is left behind.
:class:`Group` keeps one such group alive across several calls of
:meth:`Group.run`, with the same guarantees, so that a page that runs many
small workers starts its processes only once.

Where the platform offers it (Linux, macOS), the processes are forked
from a *fork server*: a helper process that imports torch and this module
once, the first time it is needed, and lives as long as the calling
process. A new worker is then a copy of it, ready in a fraction of a
second instead of importing torch for seconds; it sees the environment
variables of the moment the server started. (``multiprocessing`` keeps
one fork server per process; its list of modules to import is set here.)
Elsewhere every process is spawned afresh and imports what it needs.

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
import queue as queue_module
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.nn.parallel import DistributedDataParallel

from .tensors import as_tensor, rank_shards
from .validation import rank_in_group, real_number, whole_number


class WorkerError(RuntimeError):
    """A worker process raised; the message carries its error."""


# what the fork server imports once for all the processes it forks
_PRELOAD = ["gdlab.distributed"]


def _start_method():
    """``forkserver`` where available, else ``spawn``."""
    return ("forkserver" if "forkserver" in mp.get_all_start_methods()
            else "spawn")


def _context():
    """The multiprocessing context that starts the workers."""
    ctx = mp.get_context(_start_method())
    if ctx.get_start_method() == "forkserver":
        ctx.set_forkserver_preload(_PRELOAD)   # used when it first starts
    return ctx


def _join_group(rank, world_size, init_file, timeout):
    """Join the gloo group of this machine's processes through a file.

    The group's own timeout, for a collective that waits, is a backstop at
    twice the deadline of :func:`launch` and :meth:`Group.run`, so that
    the deadline, which also catches a process that never reaches a
    collective, fires first and is the error reported.
    """
    if sys.platform.startswith("linux"):
        os.environ.setdefault("GLOO_SOCKET_IFNAME", "lo")   # loopback only
    dist.init_process_group("gloo", init_method=f"file://{init_file}",
                            rank=rank, world_size=world_size,
                            timeout=timedelta(seconds=2 * timeout))


def _entry(rank, worker, world_size, init_file, queue, args, timeout):
    _join_group(rank, world_size, init_file, timeout)
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
    ctx = _context()
    queue = ctx.SimpleQueue()
    with tempfile.TemporaryDirectory() as folder:
        init_file = Path(folder) / "rendezvous"
        procs = mp.start_processes(
            _entry, args=(worker, world_size, str(init_file), queue, args,
                          timeout), nprocs=world_size, join=False,
            start_method=ctx.get_start_method())
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


class Group:
    """A live group of ``world_size`` processes that runs worker after worker.

    Use it as a context manager (or call :meth:`open` and :meth:`close`
    where one ``with`` block cannot span the work, as across the cells of
    a notebook); ``run(worker, *args)`` runs
    ``worker(rank, world_size, *args)`` in every process of the group and
    returns the results ordered by rank, as :func:`launch` does; like
    there, ``worker`` must be importable (defined in a module, not a
    notebook), since the processes receive it by name. A worker
    that raises, or a run that exceeds ``timeout`` seconds, terminates the
    group (a collective left half-done cannot be trusted) and raises
    :class:`WorkerError` or ``TimeoutError``; later runs then refuse.
    """

    def __init__(self, world_size: int, timeout: float = 60.0):
        self.world_size = whole_number("world_size", world_size, low=1)
        self.timeout = real_number("timeout", timeout, low=0, low_open=True)
        self._procs, self._inboxes, self._folder = [], [], None

    def open(self):
        """Start the processes; they join the group as they come up."""
        if self._procs:
            raise RuntimeError("the group is running already; close it "
                               "first or open another Group")
        ctx = _context()
        self._folder = tempfile.TemporaryDirectory()
        init_file = str(Path(self._folder.name) / "rendezvous")
        self._outbox = ctx.Queue()
        self._inboxes = [ctx.SimpleQueue() for _ in range(self.world_size)]
        for rank, inbox in enumerate(self._inboxes):
            proc = ctx.Process(target=_serve, daemon=True, args=(
                rank, self.world_size, init_file, inbox, self._outbox,
                self.timeout))
            proc.start()
            self._procs.append(proc)
        return self

    def __enter__(self):
        return self.open()

    def run(self, worker, *args) -> list:
        """Run ``worker(rank, world_size, *args)`` on every rank."""
        if not callable(worker):
            raise TypeError(f"worker must be a function, got "
                            f"{type(worker).__name__}")
        if not self._procs:
            raise RuntimeError("the group is not running; open it with "
                               "`with Group(...) as group:` or "
                               "group.open() (a failed run closes it: open "
                               "a new one)")
        for inbox in self._inboxes:
            inbox.put((worker, args))
        try:
            return self._collect(time.monotonic() + self.timeout)
        except BaseException:
            self.close()
            raise

    def _collect(self, deadline):
        results = {}
        while len(results) < self.world_size:
            if time.monotonic() > deadline:
                raise TimeoutError(f"the workers did not finish within "
                                   f"{self.timeout:g} s; one may be waiting "
                                   "for another that is stuck")
            try:
                entry = self._outbox.get(timeout=0.1)
            except queue_module.Empty:
                self._check_alive()
                continue
            if entry[1] == "error":
                rank, message = self._earliest_error(entry)
                raise WorkerError(f"worker {rank} failed: {message}")
            results[entry[0]] = pickle.loads(entry[2])
        return [results[rank] for rank in range(self.world_size)]

    def _earliest_error(self, first):
        reports = [first]
        time.sleep(0.5)                # let the echoes of one root cause in
        while not self._outbox.empty():
            entry = self._outbox.get()
            if entry[1] == "error":
                reports.append(entry)
        rank, _, _, message = min(reports, key=lambda entry: entry[2])
        return rank, message

    def _check_alive(self):
        for rank, proc in enumerate(self._procs):
            if proc.exitcode is not None:
                raise WorkerError(f"worker {rank} died with exit code "
                                  f"{proc.exitcode}")

    def close(self):
        """Stop the processes (politely if they are idle) and clean up."""
        for proc, inbox in zip(self._procs, self._inboxes):
            if proc.is_alive():
                inbox.put(None)
        deadline = time.monotonic() + 2           # for all of them together
        for proc in self._procs:
            proc.join(timeout=max(0.0, deadline - time.monotonic()))
            if proc.is_alive():
                proc.terminate()
                proc.join()
        self._procs = []
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None

    def __exit__(self, *exc):
        if self._procs:
            self.close()


def _serve(rank, world_size, init_file, inbox, outbox, timeout):
    _join_group(rank, world_size, init_file, timeout)
    try:
        while (task := inbox.get()) is not None:
            worker, args = task
            try:
                result = worker(rank, world_size, *args)
            except Exception as err:
                outbox.put((rank, "error", time.time(),
                            f"{type(err).__name__}: {err}"))
                return
            outbox.put((rank, "ok", pickle.dumps(result)))
    finally:
        dist.destroy_process_group()


def _shard(tensor, rank, world_size):
    return tensor.chunk(world_size)[rank]


def averaged_gradient(rank, world_size, X, y, w):
    """Worker: the MSE gradient on this rank's shard, averaged over ranks."""
    _check_gradient(rank, world_size, X, y, w)      # clear errors first
    Xs, ys = _shard(X, rank, world_size), _shard(y, rank, world_size)
    w = w.clone().requires_grad_()
    ((Xs @ w - ys) ** 2).mean().backward()
    grad = w.grad
    dist.all_reduce(grad, op=dist.ReduceOp.SUM)            # sum over ranks
    return grad / world_size


def _check_gradient(rank, world_size, X, y, w):
    """Refuse arguments :func:`averaged_gradient` could not use."""
    rank_shards(rank, world_size, X=X, y=y)          # checked, not kept
    _weights(w, X)


def _weights(w, X):
    """``w`` checked as the ``(d, 1)`` weights of the ``(N, d)`` ``X``."""
    w = as_tensor("w", w, ndim=(2,))
    if w.shape != (X.shape[1], 1):
        raise ValueError(f"w must have shape ({X.shape[1]}, 1) to multiply "
                         f"X of shape {tuple(X.shape)}, got "
                         f"{tuple(w.shape)}")
    if w.dtype != X.dtype:
        raise TypeError(f"w has dtype {w.dtype} and X {X.dtype}; make them "
                        "one, e.g. w.to(X.dtype)")
    return w


def _batches(n_rows, global_batch, n_steps):
    for k in range(n_steps):
        start = k * global_batch % n_rows
        yield torch.arange(start, start + global_batch) % n_rows


def _linear_model(state):
    model = torch.nn.Linear(state["weight"].shape[1], 1).double()
    model.load_state_dict(state)
    return model


def _check_training(rank, world_size, X, y, state, lr, n_steps,
                    global_batch):
    """Refuse arguments :func:`ddp_train` could not train with."""
    rank, world_size = rank_in_group(rank, world_size)
    rank_shards(0, 1, X=X, y=y, dtype=torch.double)   # checked, not cut
    if y.shape[1] != 1:
        raise ValueError(f"y must be one column, shape (N, 1), got "
                         f"{tuple(y.shape)}")
    if not isinstance(state, dict) or \
            not isinstance(state.get("weight"), torch.Tensor):
        raise TypeError("state must be the state_dict() of a "
                        "torch.nn.Linear(d, 1), such as "
                        "torch.nn.Linear(3, 1).double().state_dict()")
    if state["weight"].shape != (1, X.shape[1]):
        raise ValueError(f"state['weight'] must have shape (1, "
                         f"{X.shape[1]}) for X of shape {tuple(X.shape)}, "
                         f"got {tuple(state['weight'].shape)}")
    real_number("lr", lr, low=0)
    whole_number("n_steps", n_steps, low=0)
    global_batch = whole_number("global_batch", global_batch)
    size = -(-global_batch // world_size)       # chunk()'s shard size
    if -(-global_batch // size) < world_size:
        raise ValueError(f"global_batch={global_batch} cannot be shared by "
                         f"{world_size} ranks; use a multiple of "
                         f"{world_size}")


def ddp_train(rank, world_size, X, y, state, lr, n_steps, global_batch):
    """Worker: SGD with DDP; each rank takes its share of every batch."""
    _check_training(rank, world_size, X, y, state, lr, n_steps, global_batch)
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
    _check_training(0, 1, X, y, state, lr, n_steps, global_batch)
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
    rank, world_size = rank_in_group(rank, world_size)
    if rank == 1:
        raise ValueError("rank 1 could not read its shard of the data")
    dist.barrier()
    return rank


def straggler_worker(rank, world_size, seconds):
    """Worker for demonstrations: the last rank sleeps before the barrier
    (at most an hour)."""
    rank, world_size = rank_in_group(rank, world_size)
    seconds = real_number("seconds", seconds, low=0, high=3600)
    if rank == world_size - 1:
        time.sleep(seconds)
    dist.barrier()
    return rank
