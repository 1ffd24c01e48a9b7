"""Mini-batch noise on simple linear regression, many runs at once.

Tools for the batch-size chapter, on the model ``y_hat = b + w x`` with
the MSE loss of :mod:`gdlab.linear`:

* per-sample gradients ``g_i`` and the *simple noise scale*
  ``B_simple = tr(Sigma) / |G|^2``, with ``G`` the full-batch gradient and
  ``Sigma`` the covariance of the ``g_i`` (McCandlish et al. 2018, "An
  empirical model of large-batch training", arXiv:1812.06162);
* :func:`sgd_excess`, which runs (mini-)batch SGD for several learning
  rates and seeds at once and records the training loss above its
  least-squares minimum after every update;
* :func:`steps_to_target`, the first update at which a run gets within a
  target of the minimum;
* :func:`stationary_excess`, the long-run average of that loss for SGD
  with batches drawn with replacement, from the exact balance of the
  second moments of the parameters; to first order in the learning rate
  it is ``lr tr(Sigma_*) / (4 m)``, with ``Sigma_*`` the covariance of
  the per-sample gradients at the minimum.

With ``sampling="reshuffle"`` the batches are those of
:func:`gdlab.linear.gradient_descent` (a fresh permutation per epoch from
``np.random.default_rng(seed)``), so the two agree update by update. With
``sampling="replacement"`` every sample of every batch is drawn
independently and uniformly, the setting of the noise-floor and
noise-scale theory (Bottou, Curtis and Nocedal 2018, section 4).
"""

from __future__ import annotations

import numpy as np

from .linear import _checked_batch_size, _checked_xy, closed_form
from .validation import as_float_array, real_number, whole_number


def per_sample_gradients(x, y, b: float, w: float) -> np.ndarray:
    """Gradients ``(dl_i/db, dl_i/dw)`` of ``l_i = (b + w x_i - y_i)^2``.

    Returns an ``(N, 2)`` array whose mean over rows is the gradient of
    the MSE, :func:`gdlab.linear.mse_gradients`.
    """
    x, y = _checked_xy(x, y)
    b, w = real_number("b", b), real_number("w", w)
    error = b + w * x - y                          # (N, 1)
    return 2 * np.hstack([error, error * x])       # (N, 2)


def simple_noise_scale(x, y, b: float, w: float) -> float:
    """``B_simple = tr(Sigma) / |G|^2`` at the parameters ``(b, w)``.

    ``G`` is the full-batch gradient and ``Sigma`` the covariance of one
    per-sample gradient drawn uniformly from the ``N`` samples (divided by
    ``N``). A batch of ``B`` samples drawn with replacement has gradient
    noise ``tr(Sigma) / B``, equal to ``|G|^2`` at ``B = B_simple``.
    """
    g = per_sample_gradients(x, y, b, w)           # (N, 2)
    G = g.mean(axis=0)                             # (2,)
    trace = float(((g - G) ** 2).sum(axis=1).mean())
    norm2 = float(G @ G)
    if norm2 == 0:
        raise ValueError("the full-batch gradient is zero at this point, "
                         "so the noise scale is infinite; evaluate it away "
                         "from the minimum")
    return trace / norm2


def sgd_excess(x, y, b: float, w: float, lrs, batch_size: int,
               n_updates: int, seeds, sampling: str = "reshuffle"):
    """Loss above the minimum for SGD runs, one per learning rate and seed.

    Returns an array of shape ``(len(lrs), len(seeds), n_updates + 1)``:
    entry ``[i, s, k]`` is the full training MSE minus its least-squares
    minimum after ``k`` updates with learning rate ``lrs[i]`` and batches
    drawn by generator ``seeds[s]``. All learning rates share the batches
    of a seed. A run that blows up is marked ``inf`` from then on (tuning
    grids are meant to contain rates that are too large).
    """
    x, y = _checked_xy(x, y)
    b, w = real_number("b", b), real_number("w", w)
    if sampling not in ("reshuffle", "replacement"):
        raise ValueError(f"sampling must be 'reshuffle' or 'replacement', "
                         f"got {sampling!r}")
    seeds = [whole_number("seed", s, low=0) for s in np.atleast_1d(seeds)]
    lrs = as_float_array("lrs", np.atleast_1d(lrs), ndim=(1,))
    if np.any(lrs <= 0):
        raise ValueError("learning rates must be positive")
    if sampling == "replacement":                  # any size can be drawn
        m = whole_number("batch_size", batch_size, low=1)
    else:
        m = _checked_batch_size(batch_size, len(x))
    n_updates = whole_number("n_updates", n_updates, low=1)
    rows = _batches(len(x), m, n_updates, seeds, sampling)  # (S, K, m)
    return _run(x, y, (b, w), lrs, rows)


def _batches(n, m, n_updates, seeds, sampling):
    out = np.empty((len(seeds), n_updates, m), dtype=np.intp)
    per_epoch = -(-n // m)
    for s, seed in enumerate(seeds):
        rng = np.random.default_rng(seed)
        if sampling == "replacement":
            out[s] = rng.integers(0, n, size=(n_updates, m))
            continue
        for k in range(n_updates):
            start = k % per_epoch * m
            if start == 0:                         # a new epoch: reshuffle
                order = np.arange(n) if m == n else rng.permutation(n)
            rows = order[start:start + m]
            out[s, k, :len(rows)] = rows
            out[s, k, len(rows):] = -1             # short last batch
    return out


def _run(x, y, start, lrs, rows):
    b_ls, w_ls = closed_form(x, y)
    X = np.hstack([np.ones_like(x), x])            # (N, 2) design matrix
    A = X.T @ X / len(x)                           # loss - min = d^T A d
    x1, y1 = np.append(x[:, 0], 0.0), np.append(y[:, 0], 0.0)  # pad row -1
    shape = (len(lrs), rows.shape[0])
    b, w = np.full(shape, start[0]), np.full(shape, start[1])   # (L, S)
    lr = lrs[:, None]
    out = np.empty(shape + (rows.shape[1] + 1,))
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(rows.shape[1] + 1):
            d = np.stack([b - b_ls, w - w_ls], axis=-1)          # (L, S, 2)
            out[..., k] = np.einsum("lsi,ij,lsj->ls", d, A, d)
            if k == rows.shape[1]:
                break
            idx = rows[:, k]                                     # (S, m)
            xb, yb, used = x1[idx], y1[idx], (idx >= 0).sum(axis=1)
            err = (b[..., None] + w[..., None] * xb - yb) * (idx >= 0)
            b = b - lr * 2 * err.sum(axis=-1) / used             # 1. step b
            w = w - lr * 2 * (err * xb).sum(axis=-1) / used      # 2. step w
    blown = np.cumsum(~np.isfinite(out) | (out > 1e12), axis=-1) > 0
    return np.where(blown, np.inf, out)            # inf once a run blew up


def steps_to_target(excess, target: float) -> np.ndarray:
    """Updates until ``excess`` falls to ``target`` and stays there.

    Works along the last axis: the first index from which every later
    value is at most ``target`` (a lucky dip that the run leaves again
    does not count). ``inf`` where the run ends above the target, so
    medians and minima over runs still make sense.
    """
    excess = np.asarray(excess, dtype=float)
    target = real_number("target", target, low=0, low_open=True)
    above = np.flip(np.cumsum(np.flip(excess > target, -1), -1), -1) > 0
    first = above.sum(axis=-1).astype(float)       # updates spent above
    first[excess[..., -1] > target] = np.inf
    return first


def stationary_excess(x, y, lr: float, batch_size: int) -> float:
    """Long-run mean of the loss above its minimum under constant-rate SGD.

    Batches of ``m = batch_size`` samples are drawn with replacement. With
    ``d`` the distance from the least-squares solution, ``H_i = 2 x_i
    x_i^T`` (``x_i = (1, x_i)``), ``H`` their mean and ``g*_i`` the
    per-sample gradients at the minimum, the second moments ``P = E[d
    d^T]`` obey, exactly for this quadratic loss::

        P' = P - lr (H P + P H) + lr^2 [(1 - 1/m) H P H
             + (mean_i H_i P H_i + mean_i g*_i g*_i^T) / m].

    Returns ``tr(H P) / 2`` at the fixed point ``P' = P``. For small
    ``lr`` it is ``lr tr(Sigma_*) / (4 m)``.
    """
    x, y = _checked_xy(x, y)
    lr = real_number("lr", lr, low=0, low_open=True)
    m = whole_number("batch_size", batch_size, low=1)
    X = np.hstack([np.ones_like(x), x])            # (N, 2)
    H_i = 2 * X[:, :, None] * X[:, None, :]        # (N, 2, 2)
    H = H_i.mean(axis=0)
    g = per_sample_gradients(x, y, *closed_form(x, y))       # (N, 2)

    def step(P):                                   # the map without noise
        spread = np.einsum("nij,jk,nlk->il", H_i, P, H_i) / len(x)
        return (P - lr * (H @ P + P @ H)
                + lr ** 2 * ((1 - 1 / m) * H @ P @ H + spread / m))

    M = np.column_stack([step(E.reshape(2, 2)).ravel()
                         for E in np.eye(4)])      # (4, 4): vec P -> vec P'
    if np.abs(np.linalg.eigvals(M)).max() >= 1:
        raise ValueError(f"lr={lr} is too large for a stationary state "
                         f"with batch_size={m}: the jitter grows without "
                         f"bound; try a smaller learning rate")
    noise = lr ** 2 / m * (g.T @ g / len(x))       # (2, 2)
    P = np.linalg.solve(np.eye(4) - M, noise.ravel()).reshape(2, 2)
    return float(np.trace(H @ P) / 2)
