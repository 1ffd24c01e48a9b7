"""The loop every gdlab optimizer shares.

Subclasses implement :meth:`update` for one parameter tensor; this base
class walks the parameter groups, applies ``maximize`` and handles the
optional closure, exactly as ``torch.optim`` optimizers do. Hyper-parameters
live in ``param_groups`` (so any ``torch.optim.lr_scheduler`` can drive
``group["lr"]``) and per-parameter state is created lazily in
``self.state[p]`` on the first step.
"""

from __future__ import annotations

import math
import numbers

import torch


def check_hyper(name: str, value, *, low: float = 0.0,
                high: float | None = None) -> float:
    """Validate a scalar hyper-parameter the way torch does, plus finiteness.

    Raises ``ValueError`` for values below ``low`` or at/above ``high``
    (torch's own rule) and, stricter than torch, for NaN and infinity.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got "
                        f"{type(value).__name__}; pass a Python float")
    if not math.isfinite(value):
        raise ValueError(f"Invalid {name} value: {value} (must be finite)")
    if value < low or (high is not None and value >= high):
        bounds = f"in [{low}, {high})" if high is not None else f">= {low}"
        raise ValueError(f"Invalid {name} value: {value} (must be {bounds})")
    return float(value)


class SingleTensorOptimizer(torch.optim.Optimizer):
    """Base class: one plain update per parameter tensor, no fusing."""

    def update(self, param: torch.Tensor, grad: torch.Tensor, state: dict,
               group: dict) -> None:
        """Update ``param`` in place from ``grad``; implemented per method."""
        raise NotImplementedError

    @torch.no_grad()
    def step(self, closure=None):
        """Perform one optimisation step; ``closure`` re-evaluates the loss."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is None:
                    continue
                if param.grad.is_sparse or param.is_complex():
                    raise TypeError(f"{type(self).__name__} supports dense "
                                    "real tensors only")
                grad = -param.grad if group["maximize"] else param.grad
                self.update(param, grad, self.state[param], group)
        return loss
