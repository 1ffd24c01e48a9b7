"""Simple linear regression ``y_hat = b + w x`` trained by gradient descent.

Plain NumPy, the way chapter 1 derives it:

1. forward pass: ``y_hat = b + w x``;
2. loss: ``L = mean((y_hat - y)^2)`` (MSE);
3. gradients: ``dL/db = 2 mean(y_hat - y)``,
   ``dL/dw = 2 mean(x (y_hat - y))``;
4. update: ``b <- b - lr dL/db``, ``w <- w - lr dL/dw``.

Reference: the closed-form least-squares solution, computed by
``np.linalg.lstsq`` (which works from an SVD of the design matrix).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .validation import (DivergenceError, as_column, finite_result,
                         real_number, same_length, whole_number)

#: A run is declared divergent once its loss exceeds this multiple of the
#: initial loss (or stops being finite).
BLOWUP_FACTOR = 1e8


@dataclass(frozen=True)
class Trajectory:
    """Parameters and training loss before the first and after every update.

    ``params[k]`` is ``(b, w)`` after ``k`` updates and ``losses[k]`` is the
    full training MSE there, so both have ``n_updates + 1`` rows.
    """

    params: np.ndarray       # (n_updates + 1, 2) columns b and w
    losses: np.ndarray       # (n_updates + 1,) full-batch training MSE
    updates_per_epoch: int   # N / batch_size, rounded up

    @property
    def b(self) -> float:
        """Final intercept."""
        return float(self.params[-1, 0])

    @property
    def w(self) -> float:
        """Final slope."""
        return float(self.params[-1, 1])

    @property
    def epoch_losses(self) -> np.ndarray:
        """Training loss at the start and after each full epoch."""
        return self.losses[::self.updates_per_epoch]


def _checked_xy(x, y):
    x, y = as_column("x", x), as_column("y", y)   # (N, 1), (N, 1)
    same_length(x, y)
    return x, y


def mse_gradients(x, y, b: float, w: float) -> tuple[float, float]:
    """Gradient ``(dL/db, dL/dw)`` of the MSE of ``b + w x`` against ``y``."""
    x, y = _checked_xy(x, y)
    b, w = real_number("b", b), real_number("w", w)
    with np.errstate(over="ignore", invalid="ignore"):
        grads = _gradients(x, y, b, w)
    return finite_result("the gradient", grads,
                         "use smaller parameter values or rescale the data")


def _gradients(x, y, b, w) -> tuple[float, float]:
    error = (b + w * x) - y                        # (N, 1)
    return float(2 * error.mean()), float(2 * (x * error).mean())


def closed_form(x, y) -> tuple[float, float]:
    """Least-squares ``(b, w)`` by ``np.linalg.lstsq``.

    ``lstsq`` minimises ``||X theta - y||`` for the design matrix
    ``X = [1, x]`` through a singular value decomposition of ``X``. The
    answer is the solution of the normal equations
    ``X^T X theta = X^T y``, reached without forming ``X^T X`` (whose
    condition number is the square of that of ``X``).
    """
    x, y = _checked_xy(x, y)
    if np.ptp(x) == 0:
        raise ValueError("x is constant, so the slope is not identifiable; "
                         "use a feature that varies")
    X = np.hstack([np.ones_like(x), x])            # (N, 2) design matrix
    coef, *_ = np.linalg.lstsq(X, y, rcond=None)   # (2, 1)
    return float(coef[0, 0]), float(coef[1, 0])


def _mse(x, y, b, w) -> float:
    return float(np.mean((b + w * x - y) ** 2))


def gradient_descent(x, y, b: float, w: float, lr: float = 0.1,
                     n_epochs: int = 1000, batch_size: int | None = None,
                     seed: int = 0, shuffle: bool = True) -> Trajectory:
    """Fit ``y_hat = b + w x`` by (mini-)batch gradient descent.

    ``batch_size=None`` (or ``N``) is batch gradient descent, ``1`` is
    stochastic gradient descent and anything between is mini-batch. With
    ``shuffle`` the rows are reshuffled every epoch by a generator seeded
    with ``seed``; without it they are visited in their given order.

    Raises :class:`DivergenceError` as soon as the loss stops being finite
    or grows past ``BLOWUP_FACTOR`` times its initial value.
    """
    x, y = _checked_xy(x, y)
    b, w = real_number("b", b), real_number("w", w)
    lr = real_number("lr", lr, low=0, low_open=True)
    n_epochs = whole_number("n_epochs", n_epochs, low=1)
    batch_size = _checked_batch_size(batch_size, len(x))
    rng = np.random.default_rng(whole_number("seed", seed, low=0))
    per_epoch = -(-len(x) // batch_size)
    params = np.empty((n_epochs * per_epoch + 1, 2))
    losses = np.empty(n_epochs * per_epoch + 1)
    with np.errstate(over="ignore", invalid="ignore"):
        params[0], losses[0] = (b, w), _mse(x, y, b, w)
        if not np.isfinite(losses[0]):
            raise ValueError(f"the starting point b={b:g}, w={w:g} gives an "
                             "infinite loss; start from smaller values")
        _descend(x, y, lr, batch_size, rng if shuffle else None, params,
                 losses)
    return Trajectory(params, losses, per_epoch)


def _checked_batch_size(batch_size, n: int) -> int:
    if batch_size is None:
        return n
    batch_size = whole_number("batch_size", batch_size, low=1)
    if batch_size > n:
        raise ValueError(f"batch_size={batch_size} exceeds the {n} samples; "
                         f"use at most {n} (or None for the full batch)")
    return batch_size


def _descend(x, y, lr, batch_size, rng, params, losses):
    """Fill ``params`` and ``losses`` row by row, one row per update."""
    n, (b, w) = len(x), params[0]
    per_epoch = -(-n // batch_size)
    for k in range(1, len(params)):
        start = (k - 1) % per_epoch * batch_size
        if start == 0:                             # a new epoch: reshuffle
            order = np.arange(n) if rng is None or batch_size == n \
                else rng.permutation(n)
        rows = order[start:start + batch_size]
        grad_b, grad_w = _gradients(x[rows], y[rows], b, w)   # 1. gradients
        b, w = b - lr * grad_b, w - lr * grad_w               # 2. update
        params[k], losses[k] = (b, w), _mse(x, y, b, w)       # 3. record
        if not losses[k] <= BLOWUP_FACTOR * max(losses[0], 1e-12):
            raise DivergenceError(
                f"gradient descent diverged at update {k}: the training "
                f"loss grew from {losses[0]:.3g} to {losses[k]:.3g} with "
                f"lr={lr:g}. Try a smaller learning rate or standardise "
                "the feature.")
