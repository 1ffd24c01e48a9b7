r"""Test objectives in two variables, with analytic gradients and Hessians.

Each objective is called on a tensor whose last axis has length 2 (a point
``(2,)``, a path ``(n, 2)`` or a grid ``(h, w, 2)``) and returns the values
with that last axis removed, so it works with autograd, with optimizers
and for drawing contours alike.

* :class:`Quadratic`: :math:`\tfrac12 x^\top A x` with eigenvalues
  :math:`1` and :math:`\kappa`, rotated by ``angle``;
* :class:`Rosenbrock`: :math:`(a - x)^2 + b (y - x^2)^2`
  (Rosenbrock, *The Computer Journal* 3, 1960), minimum at
  :math:`(a, a^2)`;
* :class:`Saddle`: :math:`x^2 - y^2`, a saddle point at the origin;
* :class:`Absolute`: :math:`|x| + |y|`, not differentiable at 0, with the
  subgradient :math:`\operatorname{sign}(x)` (0 at the kink, as in torch).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from .tensors import as_tensor
from .validation import real_number


def _points(x) -> torch.Tensor:
    x = as_tensor("x", x)
    if x.shape[-1:] != (2,):
        raise ValueError(f"x must have a last axis of length 2 (a point "
                         f"(x, y)), got shape {tuple(x.shape)}")
    return x


@dataclass(frozen=True)
class Quadratic:
    """Convex quadratic bowl with condition number ``condition``."""

    condition: float = 10.0   # ratio of the largest to smallest eigenvalue
    angle: float = 0.0        # rotation of the axes, in radians

    def __post_init__(self):
        real_number("condition", self.condition, low=1)
        real_number("angle", self.angle)

    @property
    def matrix(self) -> torch.Tensor:
        c, s = math.cos(self.angle), math.sin(self.angle)
        rot = torch.tensor([[c, -s], [s, c]], dtype=torch.float64)
        eig = torch.diag(torch.tensor([1.0, self.condition],
                                      dtype=torch.float64))
        return rot @ eig @ rot.T                             # (2, 2)

    minimum = (0.0, 0.0)

    def __call__(self, x):
        x = _points(x)
        A = self.matrix.to(x.dtype)
        return 0.5 * ((x @ A) * x).sum(-1)

    def grad(self, x):
        x = _points(x)
        return x @ self.matrix.to(x.dtype)

    def hessian(self, x):
        x = _points(x)
        return self.matrix.to(x.dtype).expand(*x.shape[:-1], 2, 2)


@dataclass(frozen=True)
class Rosenbrock:
    """The banana-shaped valley; minimum ``(a, a**2)`` with value 0."""

    a: float = 1.0     # position of the minimum along x
    b: float = 100.0   # steepness of the valley walls

    def __post_init__(self):
        real_number("a", self.a)
        real_number("b", self.b, low=0, low_open=True)

    @property
    def minimum(self):
        return (self.a, self.a ** 2)

    def __call__(self, x):
        x, y = _points(x).unbind(-1)
        return (self.a - x) ** 2 + self.b * (y - x ** 2) ** 2

    def grad(self, x):
        x, y = _points(x).unbind(-1)
        dx = -2 * (self.a - x) - 4 * self.b * x * (y - x ** 2)
        dy = 2 * self.b * (y - x ** 2)
        return torch.stack([dx, dy], -1)

    def hessian(self, x):
        x, y = _points(x).unbind(-1)
        dxx = 2 - 4 * self.b * (y - 3 * x ** 2)
        dxy = -4 * self.b * x
        dyy = torch.full_like(x, 2 * self.b)
        return torch.stack([torch.stack([dxx, dxy], -1),
                            torch.stack([dxy, dyy], -1)], -2)


@dataclass(frozen=True)
class Saddle:
    """``x**2 - y**2``: a stationary point that is not a minimum."""

    stationary = (0.0, 0.0)

    def __call__(self, x):
        x, y = _points(x).unbind(-1)
        return x ** 2 - y ** 2

    def grad(self, x):
        x, y = _points(x).unbind(-1)
        return torch.stack([2 * x, -2 * y], -1)

    def hessian(self, x):
        x = _points(x)
        H = torch.tensor([[2.0, 0.0], [0.0, -2.0]], dtype=x.dtype)
        return H.expand(*x.shape[:-1], 2, 2)


@dataclass(frozen=True)
class Absolute:
    """``|x| + |y|``: convex, with a kink where a coordinate is 0."""

    minimum = (0.0, 0.0)

    def __call__(self, x):
        return _points(x).abs().sum(-1)

    def grad(self, x):
        """A subgradient: ``sign(x)``, choosing 0 at the kink."""
        return torch.sign(_points(x))

    def hessian(self, x):
        """Zero wherever the function is twice differentiable."""
        x = _points(x)
        if (x == 0).any():
            raise ValueError("|x| has no Hessian where a coordinate is 0")
        return torch.zeros(*x.shape[:-1], 2, 2, dtype=x.dtype)
