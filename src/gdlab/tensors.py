"""Argument checks for tensors, the torch-side twin of ``validation``."""

from __future__ import annotations

import torch

from .validation import rank_in_group


def as_tensor(name: str, value, *, floating: bool = True,
              ndim: tuple[int, ...] | None = None) -> torch.Tensor:
    """Return ``value`` as a finite tensor; refuse anything else clearly.

    With ``floating`` the dtype must be a floating-point one (float32,
    float64, ...); integer, boolean and complex tensors are ``TypeError``.
    ``ndim``, if given, lists the numbers of dimensions allowed.
    """
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got "
                        f"{type(value).__name__}; convert with "
                        "torch.as_tensor(...)")
    if floating and not value.is_floating_point():
        raise TypeError(f"{name} must have a floating dtype, got "
                        f"{value.dtype}; use {name}.float()")
    if ndim is not None and value.dim() not in ndim:
        raise ValueError(f"{name} must have "
                         f"{' or '.join(map(str, sorted(ndim)))} "
                         f"dimensions, got shape {tuple(value.shape)}")
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


def rank_shards(rank, world_size, *, dtype=None,
                **tensors) -> tuple[torch.Tensor, ...]:
    """Check a worker's arguments; return this rank's rows of each tensor.

    ``rank`` and ``world_size`` are checked as by
    :func:`gdlab.validation.rank_in_group`; each keyword names a finite
    floating ``(N, d)`` tensor (of ``dtype``, if given), all with the same
    ``N``. The rows are cut into ``world_size`` shards with
    ``tensor.chunk(world_size)``, and shard number ``rank`` of each
    tensor is returned, in keyword order.
    """
    rank, world_size = rank_in_group(rank, world_size)
    checked = {name: as_tensor(name, value, ndim=(2,))
               for name, value in tensors.items()}
    for name, tensor in checked.items():
        if dtype is not None and tensor.dtype != dtype:
            raise TypeError(f"{name} must have dtype {dtype}, got "
                            f"{tensor.dtype}; use {name}.to({dtype})")
    rows = {name: len(t) for name, t in checked.items()}
    if len(set(rows.values())) > 1:
        raise ValueError(f"{' and '.join(rows)} must have the same number "
                         f"of rows, got {', '.join(map(str, rows.values()))}")
    shards = []
    for name, tensor in checked.items():
        parts = tensor.chunk(world_size)
        if len(parts) < world_size:
            raise ValueError(f"{name} has {len(tensor)} rows, which "
                             f"chunk() cuts into {len(parts)} shards, too "
                             f"few for {world_size} ranks; give it a "
                             f"multiple of {world_size} rows")
        shards.append(parts[rank])
    return tuple(shards)
