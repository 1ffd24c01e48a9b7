"""Checkers for optimizers, schedules and training loops."""

from __future__ import annotations

import math

import numpy as np

from ..validation import real_number, whole_number
from .compare import as_answer, check_close


def check_batch_sizes(sizes, n_samples, batch_size) -> None:
    """The sizes of one epoch's batches: full ones, then the remainder."""
    n = whole_number("n_samples", n_samples)
    m = whole_number("batch_size", batch_size)
    full, rest = divmod(n, m)
    expected = [m] * full + ([rest] if rest else [])
    sizes = [int(s) for s in as_answer("sizes", sizes, ndim=(1,))]
    if sizes != expected:
        raise AssertionError(f"{n} samples in batches of {m}: expected "
                             f"sizes {expected}, got {sizes}")


def check_updates(count, n_epochs, n_samples, batch_size) -> None:
    """The number of optimizer updates: ``ceil(N / m)`` per epoch."""
    count = whole_number("count", count, low=0)
    epochs = whole_number("n_epochs", n_epochs)
    n = whole_number("n_samples", n_samples)
    m = whole_number("batch_size", batch_size)
    expected = epochs * -(-n // m)
    if count != expected:
        raise AssertionError(f"{epochs} epochs of {n} samples in batches of "
                             f"{m} make {expected} updates, got {count}")


def check_steps_to_tolerance(steps, condition, factor) -> None:
    """Steps of the best constant rate to shrink the error by ``factor``.

    On a quadratic with condition number ``kappa``, the rate
    ``2 / (lambda_min + lambda_max)`` multiplies the distance to the
    minimum by ``(kappa - 1) / (kappa + 1)`` at every step.
    """
    steps = whole_number("steps", steps, low=0)
    kappa = real_number("condition", condition, low=1, low_open=True)
    factor = real_number("factor", factor, low=1, low_open=True)
    expected = math.ceil(math.log(factor) / math.log((kappa + 1)
                                                     / (kappa - 1)))
    if abs(steps - expected) > 1:
        raise AssertionError(f"expected {expected} steps (within 1) for "
                             f"condition {kappa:g} and factor {factor:g}, "
                             f"got {steps}")


def check_warm_restarts(restarts, T_0, T_mult, n_steps) -> None:
    """The steps where a warm-restart cosine schedule jumps back up.

    Cycle ``i`` lasts ``T_0 * T_mult**i`` steps, so restarts fall at the
    running totals of the cycle lengths.
    """
    t0 = whole_number("T_0", T_0)
    mult = whole_number("T_mult", T_mult)
    n = whole_number("n_steps", n_steps)
    expected, step, length = [], t0, t0
    while step < n:
        expected.append(step)
        length *= mult
        step += length
    got = [int(r) for r in np.atleast_1d(as_answer("restarts", restarts,
                                                   ndim=(0, 1)))]
    if got != expected:
        raise AssertionError(f"expected restarts at {expected}, got {got}")


def check_adam_first_step(step, grad, lr, eps: float = 1e-8) -> None:
    """Adam's first change of the parameters: ``-lr g / (|g| + eps)``."""
    g = as_answer("grad", grad, ndim=(0, 1))
    lr = real_number("lr", lr, low=0, low_open=True)
    eps = real_number("eps", eps, low=0)
    check_close("first Adam step", step, -lr * g / (np.abs(g) + eps),
                rtol=1e-6, atol=1e-15)         # loose enough for float32


def check_ewma(values, inputs, beta) -> None:
    """An EWMA started at the first input, against its explicit weights.

    ``v_t = beta**(t-1) g_1 + sum_{k=2..t} (1 - beta) beta**(t-k) g_k``,
    summed directly rather than by the recursion.
    """
    g = as_answer("inputs", inputs, ndim=(1,))
    beta = real_number("beta", beta, low=0, high=1, high_open=True)
    t = np.arange(len(g))
    weights = (1 - beta) * beta ** (t[:, None] - t[None, :])
    weights[:, 0] = beta ** t
    expected = (np.tril(weights) * g).sum(axis=1)
    check_close("EWMA", values, expected, rtol=1e-9, atol=1e-12)


def check_l1_oscillation(trace, y, lr, last: int = 100) -> None:
    """Constant-step subgradient descent on the L1 loss of a constant.

    Checks the last ``last`` iterates of ``trace``: each step must be
    ``-lr`` times the subgradient ``mean(sign(c - y))`` recomputed here,
    the iterates must lie on both sides of the median, and they must still
    be moving (the subgradient never shrinks to zero for an odd number of
    distinct targets, so neither do the steps).
    """
    y = as_answer("y", y, ndim=(1, 2)).ravel()
    if len(y) % 2 == 0:
        raise ValueError("use an odd number of targets, so that the median "
                         "is a single point")
    lr = real_number("lr", lr, low=0, low_open=True)
    last = whole_number("last", last, low=2)
    tail = as_answer("trace", trace, ndim=(1,))[-last:]
    subgradient = np.sign(tail[:-1, None] - y[None, :]).mean(axis=1)
    check_close("subgradient steps", np.diff(tail), -lr * subgradient,
                rtol=1e-9, atol=1e-12)
    median = float(np.median(y))
    if not (tail.min() <= median <= tail.max()):
        raise AssertionError(f"the last {last} iterates "
                             f"[{tail.min():.6g}, {tail.max():.6g}] do not "
                             f"straddle the median {median:.6g}")
    if np.ptp(tail) == 0:
        raise AssertionError("the iterates stopped moving, but a constant "
                             "step on the L1 loss should keep oscillating")
