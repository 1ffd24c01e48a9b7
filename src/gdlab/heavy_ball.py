r"""Heavy-ball momentum on a quadratic: the 2x2 iteration matrix.

On :math:`f(x) = \tfrac12 \lambda x^2` (one eigen-direction of a quadratic
with Hessian eigenvalue :math:`\lambda`), heavy-ball momentum with step
size :math:`\alpha` and momentum :math:`\beta`,

.. math::

    x_{t+1} = x_t - \alpha \lambda x_t + \beta (x_t - x_{t-1}),

is linear in the state :math:`(x_t, x_{t-1})`:

.. math::

    \begin{pmatrix} x_{t+1} \\ x_t \end{pmatrix} =
    \underbrace{\begin{pmatrix} 1 + \beta - \alpha\lambda & -\beta \\
    1 & 0 \end{pmatrix}}_{T}
    \begin{pmatrix} x_t \\ x_{t-1} \end{pmatrix}.

The error shrinks like :math:`\rho(T)^t`, the spectral radius of
:math:`T`. It is below one exactly when
:math:`0 < \alpha\lambda < 2(1 + \beta)` and :math:`0 \le \beta < 1`.
Polyak's choice for eigenvalues in :math:`[m, L]`,
:math:`\alpha = 4 / (\sqrt L + \sqrt m)^2` and
:math:`\beta = ((\sqrt\kappa - 1)/(\sqrt\kappa + 1))^2` with
:math:`\kappa = L/m`, gives the rate
:math:`(\sqrt\kappa - 1)/(\sqrt\kappa + 1)`, against
:math:`(\kappa - 1)/(\kappa + 1)` for gradient descent with its best step
:math:`2/(L + m)`.

References: B. T. Polyak, "Some methods of speeding up the convergence of
iteration methods", USSR Comput. Math. Math. Phys. 4(5), 1964;
G. Goh, "Why Momentum Really Works", Distill, 2017.
"""

from __future__ import annotations

import numpy as np

from .validation import real_number

__all__ = ["iteration_matrix", "spectral_radius", "polyak_parameters",
           "critical_momentum", "gd_rate", "momentum_rate"]


def _array(name: str, value, low=None) -> np.ndarray:
    """``value`` as a finite float array (scalars allowed)."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number or an array of numbers, "
                        f"got {type(value).__name__}") from None
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite; remove NaN/inf values")
    if low is not None and np.any(arr < low):
        raise ValueError(f"{name} must be >= {low}, got min {arr.min()}")
    return arr


def iteration_matrix(lr: float, momentum: float,
                     curvature: float) -> np.ndarray:
    """The ``(2, 2)`` matrix ``T`` mapping ``(x_t, x_{t-1})`` forward."""
    a = real_number("lr", lr, low=0)
    b = real_number("momentum", momentum, low=0)
    lam = real_number("curvature", curvature, low=0)
    return np.array([[1 + b - a * lam, -b], [1.0, 0.0]])


def spectral_radius(lr, momentum, curvature):
    """Largest ``|z|`` over the eigenvalues of ``T`` (broadcasts arrays).

    The eigenvalues solve ``z**2 - (1 + momentum - lr*curvature) z +
    momentum = 0``; a result below 1 means the iteration converges.
    """
    a = _array("lr", lr, low=0)
    b = _array("momentum", momentum, low=0)
    lam = _array("curvature", curvature, low=0)
    trace = 1 + b - a * lam
    root = np.sqrt((trace ** 2 - 4 * b).astype(complex))
    return np.maximum(np.abs(trace + root), np.abs(trace - root)) / 2


def polyak_parameters(smallest: float, largest: float):
    """Polyak's optimal ``(lr, momentum)`` for eigenvalues in a range."""
    m = real_number("smallest", smallest, low=0, low_open=True)
    L = real_number("largest", largest, low=m)
    lr = 4 / (np.sqrt(L) + np.sqrt(m)) ** 2
    return float(lr), float(momentum_rate(L / m) ** 2)


def critical_momentum(lr, curvature):
    """Momentum ``(1 - sqrt(lr*curvature))**2`` giving a double root.

    Needs ``0 <= lr*curvature < 4``. At this momentum the direction is
    critically damped and converges at rate ``sqrt(momentum)``, the
    fastest for its ``lr*curvature``: without oscillating for
    ``lr*curvature <= 1``, with a sign flip at every step (a negative
    double root) for ``1 < lr*curvature < 4``.
    """
    h = _array("lr", lr, low=0) * _array("curvature", curvature, low=0)
    if np.any(h >= 4):
        raise ValueError("critical damping needs lr * curvature < 4 (no "
                         "momentum below 1 converges beyond); try a "
                         "smaller learning rate")
    return (1 - np.sqrt(h)) ** 2


def gd_rate(condition):
    """Best rate ``(k - 1)/(k + 1)`` of gradient descent, ``k`` = L/m."""
    k = _array("condition", condition, low=1)
    return (k - 1) / (k + 1)


def momentum_rate(condition):
    """Rate ``(sqrt(k) - 1)/(sqrt(k) + 1)`` of heavy ball at Polyak's
    parameters, ``k`` = L/m."""
    s = np.sqrt(_array("condition", condition, low=1))
    return (s - 1) / (s + 1)
