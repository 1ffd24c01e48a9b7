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

from .validation import whole_number

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
    device = torch.device(device)
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def time_call(fn, device, repeat: int = 5, warmup: int = 1) -> float:
    """Median wall time of ``fn()`` in seconds, synchronising ``device``
    before starting and after stopping the clock. Timings vary from run to
    run; never compare them in tests."""
    repeat = whole_number("repeat", repeat)
    warmup = whole_number("warmup", warmup, low=0)
    if not callable(fn):
        raise TypeError("fn must be callable, e.g. lambda: model(X)")
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        synchronize(device)
        start = time.perf_counter()
        fn()
        synchronize(device)
        times.append(time.perf_counter() - start)
    return statistics.median(times)
