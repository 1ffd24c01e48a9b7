"""Argument checks for tensors, the torch-side twin of ``validation``."""

from __future__ import annotations

import torch


def as_tensor(name: str, value, *, floating: bool = True) -> torch.Tensor:
    """Return ``value`` as a finite tensor; refuse anything else clearly.

    With ``floating`` the dtype must be a floating-point one (float32,
    float64, ...); integer, boolean and complex tensors are ``TypeError``.
    """
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got "
                        f"{type(value).__name__}; convert with "
                        "torch.as_tensor(...)")
    if floating and not value.is_floating_point():
        raise TypeError(f"{name} must have a floating dtype, got "
                        f"{value.dtype}; use {name}.float()")
    if value.numel() == 0:
        raise ValueError(f"{name} is empty")
    if value.is_floating_point() and not torch.isfinite(value).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return value


def same_shape(a: torch.Tensor, b: torch.Tensor, names=("input", "target")):
    """Check two tensors have one shape (no silent broadcasting)."""
    for name, value in zip(names, (a, b)):
        if not isinstance(value, torch.Tensor):
            raise TypeError(f"{name} must be a torch.Tensor, got "
                            f"{type(value).__name__}; convert it with "
                            f"torch.as_tensor")
    if a.shape != b.shape:
        raise ValueError(f"{names[0]} and {names[1]} must have the same "
                         f"shape, got {tuple(a.shape)} and "
                         f"{tuple(b.shape)}; reshape one, e.g. "
                         f"{names[1]}.view(-1, 1)")


def check_reduction(reduction: str) -> str:
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got "
                         f"{reduction!r}")
    return reduction


def reduce(values: torch.Tensor, reduction: str) -> torch.Tensor:
    if reduction == "mean":
        return values.mean()
    if reduction == "sum":
        return values.sum()
    return values
