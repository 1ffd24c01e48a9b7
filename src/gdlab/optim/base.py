"""The loop every gdlab optimizer shares.

Subclasses implement :meth:`update` for one parameter tensor; this base
class walks the parameter groups, applies ``maximize`` and handles the
optional closure, exactly as ``torch.optim`` optimizers do. Hyper-parameters
live in ``param_groups`` (so any ``torch.optim.lr_scheduler`` can drive
``group["lr"]``) and per-parameter state is created lazily in
``self.state[p]`` on the first step (Adagrad's at construction, as in
torch). A ``state_dict`` from the matching ``torch.optim`` optimizer
loads and continues bit for bit, and the other way round.
"""

from __future__ import annotations

import math
import numbers

import torch


def check_hyper(name: str, value, *, low: float = 0.0,
                high: float | None = None):
    """Validate a scalar hyper-parameter the way torch does, plus finiteness.

    Accepts a Python real number (returned as ``float``) or, as torch does,
    a one-element floating-point tensor (returned unchanged, so the update
    does its arithmetic in the tensor's dtype exactly as torch does).
    Raises ``ValueError`` for values below ``low`` or at/above ``high``
    (torch's own rule) and, stricter than torch, for NaN and infinity.
    """
    if isinstance(value, torch.Tensor):
        if value.numel() != 1 or not value.is_floating_point():
            raise ValueError(f"Tensor {name} must be a 1-element "
                             f"floating-point tensor, got shape "
                             f"{tuple(value.shape)} and {value.dtype}")
        number = value.item()
    elif isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got "
                        f"{type(value).__name__}; pass a Python float")
    else:
        number = value
    if not math.isfinite(number):
        raise ValueError(f"Invalid {name} value: {number} (must be finite)")
    if number < low or (high is not None and number >= high):
        bounds = f"in [{low}, {high})" if high is not None else f">= {low}"
        raise ValueError(f"Invalid {name} value: {number} "
                         f"(must be {bounds})")
    if isinstance(value, torch.Tensor):
        return value.squeeze() if value.dim() else value
    return float(value)


def next_step(state: dict):
    """Add one to ``state["step"]`` and return its Python value.

    gdlab stores the count as an ``int``; a ``state_dict`` loaded from
    ``torch.optim`` holds it as a float32 tensor, which is incremented in
    place as torch does. Either way the bias corrections are computed from
    the Python number (``beta ** 3.0``, not a float32 tensor power), as in
    torch's single-tensor path.
    """
    state["step"] += 1
    step = state["step"]
    return step.item() if isinstance(step, torch.Tensor) else step


class SingleTensorOptimizer(torch.optim.Optimizer):
    """Base class: one plain update per parameter tensor, no fusing."""

    #: Values torch fills in for group keys missing from an older
    #: ``state_dict`` (its ``__setstate__``); each subclass lists its own.
    MISSING_GROUP_KEYS: dict = {"maximize": False}

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            for key, value in self.MISSING_GROUP_KEYS.items():
                group.setdefault(key, value)

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
                state = self.state.get(param, {})
                self.update(param, grad, state, group)
                if state:           # keep no empty entries, as torch does
                    self.state[param] = state
        return loss
