"""Generic comparisons shared by the exercise checkers."""

from __future__ import annotations

import numpy as np
import torch

from ..validation import as_float_array, real_number


def as_answer(name: str, value, ndim: tuple[int, ...] = (0, 1, 2)):
    """Return a reader's answer (number, list, array or tensor) as float64.

    Tensors are detached and moved to the CPU first, so an answer can come
    straight from a model on any device.
    """
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    if np.ndim(value) == 0 and 0 in ndim:
        return np.asarray(real_number(name, value))
    if not any(ndim):
        raise ValueError(f"{name} must be a single number, got shape "
                         f"{np.shape(value)}")
    return as_float_array(name, value, ndim=tuple(d for d in ndim if d))


def as_scalar(name: str, value) -> float:
    """Return a one-element answer (number, array or tensor) as a float."""
    arr = as_answer(name, value)
    if arr.size != 1:
        raise ValueError(f"{name} must be a single number, got shape "
                         f"{arr.shape}")
    return float(arr.reshape(()))


def check_close(what: str, answer, expected, rtol: float = 1e-6,
                atol: float = 0.0) -> None:
    """Raise ``AssertionError`` unless ``answer`` is close to ``expected``."""
    rtol = real_number("rtol", rtol, low=0)
    atol = real_number("atol", atol, low=0)
    answer, expected = as_answer(what, answer), as_answer("expected",
                                                          expected)
    if answer.shape != expected.shape:
        raise AssertionError(f"{what}: expected shape {expected.shape}, "
                             f"got {answer.shape}")
    if not np.allclose(answer, expected, rtol=rtol, atol=atol):
        raise AssertionError(f"{what}: expected {expected.tolist()}, got "
                             f"{answer.tolist()} (rtol={rtol}, atol={atol})")


def check_less(what: str, smaller, larger) -> None:
    """Raise ``AssertionError`` unless ``smaller < larger``."""
    smaller = real_number(what, smaller)
    larger = real_number("larger", larger)
    if not smaller < larger:
        raise AssertionError(f"{what}: expected less than {larger:g}, got "
                             f"{smaller:g}")
