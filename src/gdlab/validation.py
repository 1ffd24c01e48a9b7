"""Argument checks shared by every public gdlab function.

Each check either returns a clean value or raises ``TypeError`` (wrong kind
of thing) or ``ValueError`` (right kind, wrong content) with a message that
names the argument, says what was wrong and suggests what to try.
"""

from __future__ import annotations

import math
import numbers

import numpy as np


class DivergenceError(ArithmeticError):
    """Raised when an iterative method's loss or parameters blow up.

    Diverged runs are reported instead of returning NaN or inf values that
    would silently spoil a plot or a table.
    """


def as_float_array(name: str, value, ndim: tuple[int, ...] = (1, 2)):
    """Return ``value`` as a finite float64 array with an allowed ``ndim``.

    Accepts NumPy arrays, lists and tuples of real numbers. Booleans,
    strings, objects and complex numbers are refused with ``TypeError``.
    """
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be an array of real numbers, "
                        f"got {type(value).__name__}")
    arr = np.asarray(value)
    if arr.dtype == bool or arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold real numbers, got dtype "
                        f"{arr.dtype}; convert it with np.asarray(..., "
                        "dtype=float)")
    if arr.ndim not in ndim:
        allowed = sorted(ndim)
        if allowed == list(range(allowed[0], allowed[-1] + 1)) and \
                len(allowed) > 2:
            allowed_text = f"{allowed[0]} to {allowed[-1]}"
        else:
            allowed_text = " or ".join(map(str, allowed))
        raise ValueError(f"{name} must have {allowed_text} dimensions, got "
                         f"shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty; pass at least one value")
    arr = arr.astype(np.float64, copy=False)
    if not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{name} contains {bad} NaN or infinite value(s); "
                         "remove or impute them first")
    return arr


def as_column(name: str, value):
    """Return ``value`` as a finite ``(N, 1)`` float64 column.

    A 1-D array of length N is reshaped to ``(N, 1)``; a 2-D array must
    already have exactly one column.
    """
    arr = as_float_array(name, value, ndim=(1, 2))
    if arr.ndim == 1:
        return arr.reshape(-1, 1)
    if arr.shape[1] != 1:
        raise ValueError(f"{name} must be a single column of shape (N, 1), "
                         f"got {arr.shape}; select one feature, e.g. "
                         f"{name}[:, [0]]")
    return arr


def same_length(x, y, names: tuple[str, str] = ("x", "y")) -> None:
    """Check that two arrays describe the same number of samples."""
    if len(x) != len(y):
        raise ValueError(f"{names[0]} and {names[1]} must have the same "
                         f"number of rows, got {len(x)} and {len(y)}")


def real_number(name: str, value, *, low=None, high=None,
                low_open: bool = False, high_open: bool = False) -> float:
    """Return ``value`` as a finite float inside the given bounds."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        if isinstance(value, np.ndarray) and value.size == 1 and \
                value.dtype.kind in "iuf":
            value = value.item()
        else:
            raise TypeError(f"{name} must be a real number, got "
                            f"{type(value).__name__}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if low is not None and (value < low or (low_open and value == low)):
        sign = ">" if low_open else ">="
        raise ValueError(f"{name} must be {sign} {low}, got {value}")
    if high is not None and (value > high or (high_open and value == high)):
        sign = "<" if high_open else "<="
        raise ValueError(f"{name} must be {sign} {high}, got {value}")
    return value


def whole_number(name: str, value, *, low: int = 1) -> int:
    """Return ``value`` as an int of at least ``low``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got "
                        f"{type(value).__name__}")
    if value < low:
        raise ValueError(f"{name} must be >= {low}, got {value}")
    return int(value)


def interval(name: str, value) -> tuple[float, float]:
    """Return a ``(low, high)`` pair of finite floats with ``low < high``."""
    try:
        low, high = value
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a pair (low, high), got "
                        f"{value!r}") from None
    low = real_number(f"{name}[0]", low)
    high = real_number(f"{name}[1]", high)
    if not low < high:
        raise ValueError(f"{name} must satisfy low < high, got "
                         f"({low}, {high}); the range is empty")
    return low, high


def finite_result(what: str, value, hint: str):
    """Return ``value`` if every entry is finite, else raise ``ValueError``.

    Used where valid but extreme inputs overflow float64 arithmetic, so the
    caller learns about it instead of receiving ``inf`` or ``nan``.
    """
    if not np.all(np.isfinite(value)):
        raise ValueError(f"{what} overflowed to inf or nan; {hint}")
    return value


def _instance(name: str, value, kind, kind_name: str, example: str):
    if not isinstance(value, kind):
        raise TypeError(f"{name} must be a {kind_name}, such as {example}; "
                        f"got {type(value).__name__}")
    return value


def torch_module(name: str, value):
    """A ``torch.nn.Module``, or a ``TypeError`` that shows one."""
    import torch
    return _instance(name, value, torch.nn.Module, "torch.nn.Module",
                     "torch.nn.Linear(1, 1)")


def loss_function(name: str, value):
    """A callable ``loss(prediction, target)``, such as an ``nn`` loss."""
    if not callable(value):
        raise TypeError(f"{name} must be callable as {name}(prediction, "
                        f"target), such as torch.nn.MSELoss(); got "
                        f"{type(value).__name__}")
    return value


def torch_optimizer(name: str, value):
    """A ``torch.optim.Optimizer`` (gdlab's optimizers are ones)."""
    import torch
    return _instance(name, value, torch.optim.Optimizer,
                     "torch.optim.Optimizer",
                     "torch.optim.SGD(model.parameters(), lr=0.1)")


def torch_device(name: str, value):
    """A ``torch.device`` from a device, its name (``"cpu"``, ``"cuda:0"``)
    or a CUDA index; a ``TypeError`` or ``ValueError`` naming ``name``."""
    import torch
    if isinstance(value, torch.device):
        return value
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise TypeError(f"{name} must be a device such as 'cpu', 'cuda' or "
                        f"torch.device('cuda:0'); got "
                        f"{type(value).__name__}")
    try:
        return torch.device(value)
    except RuntimeError as err:
        why = (f" ({str(err).splitlines()[0]})" if isinstance(value, int)
               else "")
        raise ValueError(f"{name}={value!r} is not a device{why}; use "
                         "'cpu', 'cuda' or 'cuda:N'") from None


def rank_in_group(rank, world_size,
                  names=("rank", "world_size")) -> tuple[int, int]:
    """``(rank, world_size)`` as ints with ``0 <= rank < world_size``, as
    every worker of a process group receives them."""
    world_size = whole_number(names[1], world_size, low=1)
    rank = whole_number(names[0], rank, low=0)
    if rank >= world_size:
        raise ValueError(f"{names[0]} must be < {names[1]}, got {rank} and "
                         f"{world_size}; ranks run from 0 to "
                         f"{names[1]} - 1")
    return rank, world_size
