"""Arithmetic intensity: floating-point operations per byte moved.

A step is *memory-bound* when the processor finishes its arithmetic
faster than memory can deliver the operands, which happens when the
step does few operations per byte it reads (Williams, Waterman and
Patterson 2009, the roofline model).

* :func:`gd_step_cost`: flops and bytes of one full-batch gradient step
  of least squares, ``w - lr * 2/N X^T (X w - y)``: two matrix-vector
  products that each read all of ``X`` for two flops per element.
* :func:`matmul_cost`: flops and bytes of an ``n x n`` matrix product,
  whose ``2 n^3`` flops reuse each of the ``3 n^2`` numbers ``n`` times.
* :func:`gflops`: achieved speed from a cost and a measured time.
* :func:`measure`: both steps timed on a device with
  ``torch.utils.benchmark.Timer`` (one CPU thread), as rows of a table.
"""

from __future__ import annotations

import torch

from torch.utils import benchmark

from .validation import real_number, torch_device, whole_number


def gd_step_cost(n: int, d: int, itemsize: int = 4) -> tuple[int, int]:
    """``(flops, bytes)`` of one least-squares gradient step on an
    ``(n, d)`` matrix: ``4nd`` multiply-adds' flops (``X w`` and
    ``X^T r``), the matrix read twice; vectors are counted too."""
    n, d = whole_number("n", n), whole_number("d", d)
    itemsize = whole_number("itemsize", itemsize)
    flops = 4 * n * d + 3 * n + 2 * d
    moved = (2 * n * d + 4 * n + 4 * d) * itemsize
    return flops, moved


def matmul_cost(n: int, itemsize: int = 4) -> tuple[int, int]:
    """``(flops, bytes)`` of ``A @ B`` for ``n x n`` matrices: ``2 n^3``
    flops; each matrix read or written once, ``3 n^2`` numbers."""
    n, itemsize = whole_number("n", n), whole_number("itemsize", itemsize)
    return 2 * n**3, 3 * n * n * itemsize


def gflops(flops: int, seconds: float) -> float:
    """Achieved billions of floating-point operations per second."""
    seconds = real_number("seconds", seconds, low=0.0, low_open=True)
    return flops / seconds / 1e9


def measure(device, gd_sizes=(10_000, 100_000), d: int = 64,
            matmul_sizes=(256, 512), min_time: float = 0.05) -> list[dict]:
    """Time both kinds of step on ``device`` (float32); one row each with
    its size, flops per byte, milliseconds and achieved GFLOP/s.

    Each is timed by ``benchmark.Timer.blocked_autorange`` for at least
    ``min_time`` seconds (median of its blocks), with one CPU thread, so
    that a busy machine disturbs the comparison less."""
    min_time = real_number("min_time", min_time, low=0.0, low_open=True)
    device = torch_device("device", device)
    gen = torch.Generator().manual_seed(0)
    rows = []
    for n in gd_sizes:
        X = torch.randn(n, d, generator=gen).to(device)
        y = torch.randn(n, 1, generator=gen).to(device)
        w = torch.zeros(d, 1, device=device)

        def step():
            return w - 0.01 * (2 / n * X.T @ (X @ w - y))
        rows.append(_row("gradient step (matrix-vector)", f"N={n:,}",
                         gd_step_cost(n, d), _median(step, min_time)))
    for n in matmul_sizes:
        A = torch.randn(n, n, generator=gen).to(device)
        rows.append(_row("matrix product", f"n={n}", matmul_cost(n),
                         _median(lambda: A @ A, min_time)))
    return rows


def _median(fn, min_time: float) -> float:
    timer = benchmark.Timer("fn()", globals={"fn": fn}, num_threads=1)
    return timer.blocked_autorange(min_run_time=min_time).median


def _row(kind, size, cost, seconds) -> dict:
    flops, moved = cost
    return {"step": kind, "size": size, "flops per byte": flops / moved,
            "ms": seconds * 1e3, "GFLOP/s": gflops(flops, seconds)}
