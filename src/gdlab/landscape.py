"""Loss landscapes of simple linear regression, by broadcasting.

For a line ``y_hat = b + w x`` the mean squared error is a function of the
two parameters, ``L(b, w) = mean((b + w x_i - y_i)^2)``. Evaluating it on a
grid of ``(b, w)`` values needs no Python loop: the parameters get a
trailing axis of length 1 and the data a leading one, and NumPy broadcasts
them into a ``(..., N)`` array of errors that is averaged over its last
axis.

For any objective of two variables (see :mod:`gdlab.functions`),
:func:`objective_grid` evaluates it on a grid and :func:`optimizer_path`
records where an optimizer goes on it.
"""

from __future__ import annotations

import numpy as np
import torch

from .validation import (DivergenceError, as_column, as_float_array,
                         finite_result, interval, same_length, whole_number)

#: Largest number of (grid point, sample) pairs evaluated in one go.
MAX_ELEMENTS = 50_000_000


def param_grid(b_range, w_range, n: int = 101):
    """Return ``(bs, ws)``, each ``(n, n)``, spanning the two ranges.

    Rows vary ``w`` and columns vary ``b`` (``np.meshgrid`` order), the
    layout that ``plt.contour(bs, ws, losses)`` expects.
    """
    b_low, b_high = interval("b_range", b_range)
    w_low, w_high = interval("w_range", w_range)
    n = whole_number("n", n, low=2)
    return np.meshgrid(np.linspace(b_low, b_high, n),
                       np.linspace(w_low, w_high, n))


def mse_surface(x, y, b, w):
    """Mean squared error of ``y_hat = b + w x`` for every ``(b, w)`` pair.

    Parameters
    ----------
    x, y : array of shape ``(N,)`` or ``(N, 1)``
        Feature and target.
    b, w : float or array
        Intercepts and slopes; any shapes that broadcast together, e.g.
        the two ``(n, n)`` arrays of :func:`param_grid`, or a scalar ``b``
        and a 1-D ``w`` for a cross-section.

    Returns
    -------
    ndarray
        Losses with the broadcast shape of ``b`` and ``w``.
    """
    x = as_column("x", x).ravel()               # (N,)
    y = as_column("y", y).ravel()               # (N,)
    same_length(x, y)
    b = as_float_array("b", b, ndim=range(0, 8))
    w = as_float_array("w", w, ndim=range(0, 8))
    try:
        b, w = np.broadcast_arrays(b, w)        # (...), (...)
    except ValueError:
        raise ValueError(f"b and w must broadcast together, got shapes "
                         f"{b.shape} and {w.shape}") from None
    if b.size * x.size > MAX_ELEMENTS:
        raise ValueError(f"a grid of {b.size} points over {x.size} samples "
                         f"needs {b.size * x.size:,} evaluations (limit "
                         f"{MAX_ELEMENTS:,}); use a coarser grid")
    with np.errstate(over="ignore", invalid="ignore"):
        residual = w[..., None] * x                 # (..., N), one array
        residual += b[..., None]                    # updated in place
        residual -= y
        # sum of squares over the last axis without a squared copy
        losses = np.einsum("...i,...i->...", residual, residual) / len(x)
    return finite_result("the loss", losses,
                         "use smaller parameter values or rescale the data")


def objective_grid(f, x_range, y_range, n: int = 101):
    """Return ``(xs, ys, values)``, each ``(n, n)``, of objective ``f``.

    ``f`` takes a tensor with a last axis of length 2, like the objectives
    in :mod:`gdlab.functions`.
    """
    xs, ys = param_grid(x_range, y_range, n)
    points = torch.as_tensor(np.stack([xs, ys], axis=-1))   # (n, n, 2)
    with torch.no_grad():
        values = f(points).numpy()
    return xs, ys, finite_result("the objective", values,
                                 "use a smaller range")


def optimizer_path(f, optimizer_cls, start, n_steps: int, **opt_kwargs):
    """Points visited by ``optimizer_cls(**opt_kwargs)`` minimising ``f``.

    Starts at ``start`` (a pair), runs ``n_steps`` steps in float64 and
    returns an ``(n_steps + 1, 2)`` array. Raises :class:`DivergenceError`
    if the iterate or the objective stops being finite.
    """
    start = as_float_array("start", start, ndim=(1,))
    if start.shape != (2,):
        raise ValueError(f"start must be a pair (x, y), got shape "
                         f"{start.shape}")
    n_steps = whole_number("n_steps", n_steps)
    point = torch.tensor(start, requires_grad=True)
    optimizer = optimizer_cls([point], **opt_kwargs)
    path = [point.detach().clone()]
    for k in range(1, n_steps + 1):
        optimizer.zero_grad()
        value = f(point)
        value.backward()
        optimizer.step()
        path.append(point.detach().clone())
        if not (torch.isfinite(value) and torch.isfinite(point).all()):
            raise DivergenceError(
                f"{optimizer_cls.__name__} diverged at step {k} from "
                f"{tuple(start)}; try a smaller learning rate")
    return torch.stack(path).numpy()
