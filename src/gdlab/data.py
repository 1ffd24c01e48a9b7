"""Datasets used across the book, generated (never downloaded).

The canonical dataset is the one every chapter starts from:
``y = b + w x + noise`` with ``b = 1``, ``w = 2``, 100 points and a
shuffled 80/20 train/validation split. It reproduces, number for number,
the recipe written with NumPy's legacy global generator::

    np.random.seed(42)
    x = np.random.rand(100, 1)
    y = 1 + 2 * x + 0.1 * np.random.randn(100, 1)
    idx = np.arange(100)
    np.random.shuffle(idx)

but draws from a private ``np.random.RandomState`` (the same Mersenne
Twister stream), so calling it never changes NumPy's global state.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .validation import real_number, whole_number


@dataclass(frozen=True)
class Split:
    """Features and targets with a train/validation split.

    ``x`` and ``y`` have shape ``(N, 1)``; ``train_idx`` and ``val_idx``
    index their rows.
    """

    x: np.ndarray          # (N, 1) features
    y: np.ndarray          # (N, 1) targets
    train_idx: np.ndarray  # (N_train,) row indices of the training set
    val_idx: np.ndarray    # (N_val,) row indices of the validation set

    @property
    def x_train(self) -> np.ndarray:
        return self.x[self.train_idx]

    @property
    def y_train(self) -> np.ndarray:
        return self.y[self.train_idx]

    @property
    def x_val(self) -> np.ndarray:
        return self.x[self.val_idx]

    @property
    def y_val(self) -> np.ndarray:
        return self.y[self.val_idx]


def shuffled_split(n: int, train_frac: float,
                   rng: np.random.RandomState):
    """Shuffle ``arange(n)`` with ``rng`` and cut it into train/validation.

    Returns ``(train_idx, val_idx)``; the first ``int(n * train_frac)``
    shuffled indices are the training set. Both parts must be non-empty.
    """
    n = whole_number("n", n, low=2)
    train_frac = real_number("train_frac", train_frac, low=0, high=1,
                             low_open=True, high_open=True)
    n_train = int(n * train_frac)
    if n_train < 1 or n_train >= n:
        raise ValueError(f"train_frac={train_frac} leaves an empty training "
                         f"or validation set for n={n}; choose a fraction "
                         f"between {1 / n:.3g} and {1 - 1 / n:.3g}")
    idx = np.arange(n)
    rng.shuffle(idx)
    return idx[:n_train], idx[n_train:]


def linear_data(n: int = 100, b: float = 1.0, w: float = 2.0,
                noise: float = 0.1, train_frac: float = 0.8,
                seed: int = 42) -> Split:
    """The canonical simple linear regression dataset.

    ``x ~ U[0, 1)``, ``y = b + w x + noise * N(0, 1)``, then a shuffled
    split, all drawn in that order from ``RandomState(seed)``.
    """
    n = whole_number("n", n, low=2)
    b = real_number("b", b)
    w = real_number("w", w)
    noise = real_number("noise", noise, low=0)
    seed = whole_number("seed", seed, low=0)
    rng = np.random.RandomState(seed)
    x = rng.rand(n, 1)                          # (N, 1)
    y = b + w * x + noise * rng.randn(n, 1)     # (N, 1)
    train_idx, val_idx = shuffled_split(n, train_frac, rng)
    return Split(x, y, train_idx, val_idx)


def init_linear_params(seed: int = 42) -> tuple[float, float]:
    """Initial ``(b, w)`` for the NumPy chapters: two standard normal draws.

    Matches ``np.random.seed(seed); b = np.random.randn(1);
    w = np.random.randn(1)``, returned as plain floats.
    """
    seed = whole_number("seed", seed, low=0)
    rng = np.random.RandomState(seed)
    b = rng.randn(1)
    w = rng.randn(1)
    return float(b[0]), float(w[0])
