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

    ``x`` has shape ``(N, d)`` and ``y`` shape ``(N, 1)``; ``train_idx``
    and ``val_idx`` index their rows.
    """

    x: np.ndarray          # (N, d) features
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


def shuffled_split(n: int, train_frac: float, rng):
    """Shuffle ``arange(n)`` with ``rng`` and cut it into train/validation.

    ``rng`` is a ``np.random.RandomState`` or ``np.random.Generator``.

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


def classification_data(n: int = 200, pos_frac: float = 0.5,
                        separation: float = 2.0, train_frac: float = 0.8,
                        seed: int = 0) -> Split:
    """Two Gaussian blobs in 2-D with labels 0 and 1, for logistic regression.

    About ``pos_frac`` of the ``n`` points are positives (use a small value
    for an imbalanced problem); the blob centres are ``separation`` apart
    along the diagonal, each blob with unit variance. ``y`` holds 0.0/1.0.
    """
    n = whole_number("n", n, low=2)
    pos_frac = real_number("pos_frac", pos_frac, low=0, high=1,
                           low_open=True, high_open=True)
    separation = real_number("separation", separation, low=0)
    rng = np.random.default_rng(whole_number("seed", seed, low=0))
    y = (rng.random((n, 1)) < pos_frac).astype(float)      # (N, 1)
    centre = separation / (2 * np.sqrt(2)) * np.ones(2)     # (2,)
    x = rng.standard_normal((n, 2)) + np.where(y == 1, centre, -centre)
    train_idx, val_idx = shuffled_split(n, train_frac, rng)
    return Split(x, y, train_idx, val_idx)


@dataclass(frozen=True)
class LinearSystem:
    """``A x = b`` with a known solution ``x_true`` (when noise is 0)."""

    A: np.ndarray        # (m, n) matrix with chosen condition number
    b: np.ndarray        # (m,) right-hand side
    x_true: np.ndarray   # (n,) solution used to build b


def linear_system(n: int = 20, condition: float = 100.0, m: int | None = None,
                  noise: float = 0.0, seed: int = 0) -> LinearSystem:
    """A random ``A`` whose singular values run from 1 to ``condition``.

    With ``m=None`` the matrix is square, symmetric and positive definite
    (its eigenvalues are the singular values); with ``m > n`` it is a tall
    least-squares problem. ``b = A x_true + noise * N(0, 1)``.
    """
    n = whole_number("n", n, low=2)
    condition = real_number("condition", condition, low=1)
    noise = real_number("noise", noise, low=0)
    rng = np.random.default_rng(whole_number("seed", seed, low=0))
    s = np.geomspace(1.0, condition, n)                     # (n,)
    V, _ = np.linalg.qr(rng.standard_normal((n, n)))        # (n, n)
    if m is None:
        A = V @ np.diag(s) @ V.T                            # SPD
    else:
        if whole_number("m", m) < n:
            raise ValueError(f"m={m} rows cannot determine n={n} unknowns; "
                             f"use m >= n")
        U, _ = np.linalg.qr(rng.standard_normal((m, n)))    # (m, n)
        A = U @ np.diag(s) @ V.T
    x_true = rng.standard_normal(n)
    b = A @ x_true + noise * rng.standard_normal(len(A))
    return LinearSystem(A, b, x_true)
