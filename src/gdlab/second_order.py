"""Curvature-aware solvers: conjugate gradient and (damped) Newton.

* :func:`conjugate_gradient` solves ``A x = b`` for a symmetric positive
  definite ``A``, i.e. minimises ``(1/2) x'Ax - b'x``. Each step moves
  along a direction that is ``A``-conjugate to all earlier ones, so in
  exact arithmetic it reaches the solution in at most ``n`` steps, and its
  error falls at least like ``((sqrt(k) - 1) / (sqrt(k) + 1))**t`` for a
  condition number ``k`` (Nocedal & Wright 2006, ch. 5).
* :func:`newton` iterates ``x <- x - t H(x)^{-1} grad f(x)``. With
  ``line_search=False`` the step is ``t = 1`` (pure Newton); otherwise
  ``t`` is found by Armijo backtracking: halve ``t`` from 1 until
  ``f(x + t p) <= f(x) + c t grad f(x)'p`` (Nocedal & Wright, ch. 3).

References: J. Nocedal and S. J. Wright, *Numerical Optimization*, 2nd ed.,
Springer, 2006. Tests compare against ``np.linalg.solve`` and
``scipy.sparse.linalg.cg``.
"""

from __future__ import annotations

import numpy as np
import torch

from .validation import as_float_array, real_number, whole_number


def conjugate_gradient(A, b, n_steps: int | None = None, x0=None):
    """Iterates of conjugate gradient on ``A x = b``, starting at ``x0``.

    ``A`` must be symmetric positive definite; ``n_steps`` defaults to
    ``len(b)``. Stops early once the residual is exactly zero. Returns an
    ``(n_steps + 1, n)`` array whose first row is ``x0`` (zeros by default).
    """
    A = as_float_array("A", A, ndim=(2,))
    b = as_float_array("b", b, ndim=(1,))
    n = len(b)
    if A.shape != (n, n):
        raise ValueError(f"A must be square with b's length {n}, got shape "
                         f"{A.shape}")
    if not np.allclose(A, A.T):
        raise ValueError("A must be symmetric; for least squares pass "
                         "A'A and A'b instead")
    n_steps = n if n_steps is None else whole_number("n_steps", n_steps)
    x = np.zeros(n) if x0 is None else as_float_array("x0", x0, ndim=(1,))
    r = b - A @ x                       # 1. residual = minus the gradient
    p = r.copy()                        # 2. first direction: steepest
    path = [x]
    for _ in range(n_steps):
        rr = r @ r
        if rr == 0:
            break
        Ap = A @ p
        curvature = p @ Ap
        if curvature <= 0:
            raise ValueError("A is not positive definite (p'Ap <= 0); "
                             "conjugate gradient needs an SPD matrix")
        alpha = rr / curvature          # 3. exact line search along p
        x = x + alpha * p
        r = r - alpha * Ap
        p = r + (r @ r / rr) * p        # 4. next direction, A-conjugate
        path.append(x)
    return np.array(path)


def _armijo(f, x, value, slope, p, c, shrink, k):
    """Largest ``t = shrink**j`` with sufficient decrease along ``p``."""
    t = 1.0
    for _ in range(60):
        if f(x + t * p) <= value + c * t * slope:
            return t
        t *= shrink
    raise ValueError(f"no sufficient decrease along the Newton direction "
                     f"at step {k}; check the gradient and Hessian")


def newton(f, grad, hessian, x0, n_steps: int, line_search: bool = True,
           c: float = 1e-4, shrink: float = 0.5):
    """Newton's method from ``x0``; returns ``(path, step_sizes)``.

    ``f``, ``grad`` and ``hessian`` take a float64 tensor of shape ``(d,)``
    (the functions of :mod:`gdlab.functions` qualify). ``path`` is an
    ``(n_steps + 1, d)`` array of iterates (fewer if the gradient becomes
    exactly zero), ``step_sizes`` the ``t`` used at each step (all 1
    without ``line_search``).
    """
    x = torch.as_tensor(as_float_array("x0", x0, ndim=(1,))).clone()
    n_steps = whole_number("n_steps", n_steps)
    c = real_number("c", c, low=0, high=1, low_open=True, high_open=True)
    shrink = real_number("shrink", shrink, low=0, high=1, low_open=True,
                         high_open=True)
    path, sizes = [x.numpy().copy()], []
    for k in range(1, n_steps + 1):
        g = grad(x)
        p = -torch.linalg.solve(hessian(x), g)    # 1. Newton direction
        if not g.any():                            # exact stationary point
            break
        t = 1.0
        if line_search:
            slope = float(g @ p)
            if slope >= 0:
                raise ValueError(
                    f"the Newton direction at step {k} is not a descent "
                    f"direction (the Hessian is not positive definite); "
                    f"use gradient descent there or modify the Hessian")
            t = _armijo(f, x, float(f(x)), slope, p, c, shrink, k)
        x = x + t * p                              # 2. (damped) step
        if not torch.isfinite(x).all():
            raise ValueError(f"Newton's method diverged at step {k}; "
                             f"try line_search=True")
        path.append(x.numpy().copy())
        sizes.append(t)
    return np.array(path), np.array(sizes)
