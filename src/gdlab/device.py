"""Choosing where tensors live: CUDA when available, else the CPU.

Set the environment variable ``GDLAB_DEVICE`` (for example ``cpu``,
``cuda`` or ``cuda:1``) to override the choice, e.g. to build the book on
the CPU of a machine that has a GPU.
"""

from __future__ import annotations

import os
import statistics
import time

import torch

from .validation import torch_device, whole_number

ENV_VAR = "GDLAB_DEVICE"


def get_device(prefer: str | None = None) -> torch.device:
    """Return the device to use.

    Order of precedence: the ``prefer`` argument, then ``$GDLAB_DEVICE``,
    then ``cuda`` if available, else ``cpu``. Asking for CUDA on a machine
    without it raises ``RuntimeError`` instead of failing later.
    """
    choice = prefer if prefer is not None else os.environ.get(ENV_VAR, "")
    if not isinstance(choice, str):
        raise TypeError(f"prefer must be a string such as 'cpu' or 'cuda', "
                        f"got {type(choice).__name__}")
    if not choice.strip():
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(choice.strip())
    except RuntimeError:
        raise ValueError(f"{choice!r} is not a device name; use 'cpu', "
                         f"'cuda' or 'cuda:N' (from {ENV_VAR} or prefer)"
                         ) from None
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise RuntimeError(f"{choice!r} was requested but CUDA is not "
                               f"available; unset {ENV_VAR} or use 'cpu'")
        if device.index is not None and \
                device.index >= torch.cuda.device_count():
            raise RuntimeError(f"{choice!r} does not exist: this machine "
                               f"has {torch.cuda.device_count()} GPU(s)")
    elif device.type != "cpu":
        raise ValueError(f"device type {device.type!r} is not supported; "
                         "use 'cpu' or 'cuda'")
    return device


def synchronize(device) -> None:
    """Wait for queued work on ``device`` to finish (a no-op on the CPU).

    CUDA runs kernels asynchronously: without this, a timer measures only
    how long it took to *queue* the work.
    """
    device = torch_device("device", device)
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def time_call(fn, device, repeat: int = 5, warmup: int = 1) -> float:
    """Median wall time of ``fn()`` in seconds.

    Each repeat (1) waits for work already queued on ``device``, (2)
    reads the clock, (3) calls ``fn``, (4) waits until the work ``fn``
    queued has finished and (5) reads the clock again: the wait comes
    *before* the stop time is read, or the timer would measure only how
    long queueing took. ``warmup`` untimed calls come first. Timings
    vary from run to run; never compare them in tests.
    """
    repeat = whole_number("repeat", repeat)
    warmup = whole_number("warmup", warmup, low=0)
    device = torch_device("device", device)
    if not callable(fn):
        raise TypeError("fn must be callable, e.g. lambda: model(X)")
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        synchronize(device)                          # 1
        start = time.perf_counter()                  # 2
        fn()                                         # 3
        synchronize(device)                          # 4
        times.append(time.perf_counter() - start)    # 5
    return statistics.median(times)


def queue_time(fn, device) -> float:
    """Seconds until ``fn()`` *returns*, without waiting for its work:
    on CUDA the time to queue it, on the CPU the time to do it."""
    if not callable(fn):
        raise TypeError("fn must be callable, e.g. lambda: model(X)")
    device = torch_device("device", device)
    synchronize(device)
    start = time.perf_counter()
    fn()
    seconds = time.perf_counter() - start
    synchronize(device)
    return seconds


def event_time(fn, device, repeat: int = 5) -> float:
    """Median seconds between two CUDA events recorded on the stream
    before and after ``fn()``'s work, read from the GPU's own clock. It
    includes any time the GPU spent waiting for the host to queue that
    work. CUDA only."""
    device = torch_device("device", device)
    if device.type != "cuda":
        raise ValueError("CUDA events exist only on CUDA devices; use "
                         "time_call on the CPU")
    repeat = whole_number("repeat", repeat)
    fn()
    times = []
    for _ in range(repeat):
        start = torch.cuda.Event(enable_timing=True)
        stop = torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        stop.record()
        stop.synchronize()
        times.append(start.elapsed_time(stop) / 1e3)   # ms -> s
    return statistics.median(times)


def sync_cost(device, n_steps: int = 200, size: int = 256) -> dict:
    """Seconds for ``n_steps`` small steps whose results are read with
    ``.item()`` (a hidden synchronisation) at every step, and for the
    same steps, doing the same work, with every result read at the end.
    """
    n_steps = whole_number("n_steps", n_steps)
    size = whole_number("size", size)
    device = torch_device("device", device)
    gen = torch.Generator().manual_seed(0)
    A = torch.randn(size, size, generator=gen).to(device) / size**0.5
    x = torch.randn(size, generator=gen).to(device)

    def steps(read_now: bool):
        v, kept = x, []
        for _ in range(n_steps):
            v = torch.tanh(A @ v)
            total = v.sum()
            kept.append(total.item() if read_now else total)
        return [float(t) for t in kept]        # read what is left

    return {".item() every step": time_call(lambda: steps(True), device,
                                            repeat=3),
            ".item() at the end": time_call(lambda: steps(False), device,
                                            repeat=3)}
