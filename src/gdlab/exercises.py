"""Checks for the book's exercises: answers against independent references.

Each checker recomputes the expected answer its own way (a closed form, a
direct formula) and raises ``AssertionError`` with a message that says what
was expected, so a reader's solution gets the same verification as the
book's. The solutions printed in the book call these checkers, so they are
verified at every build.
"""

from __future__ import annotations

import numpy as np

from .linear import closed_form
from .validation import as_column, real_number


def check_close(what: str, answer, expected, rtol: float = 1e-6,
                atol: float = 0.0) -> None:
    """Raise ``AssertionError`` unless ``answer`` is close to ``expected``."""
    answer, expected = np.asarray(answer, float), np.asarray(expected, float)
    if answer.shape != expected.shape:
        raise AssertionError(f"{what}: expected shape {expected.shape}, "
                             f"got {answer.shape}")
    if not np.allclose(answer, expected, rtol=rtol, atol=atol):
        raise AssertionError(f"{what}: expected {expected.tolist()}, got "
                             f"{answer.tolist()} (rtol={rtol}, atol={atol})")


def largest_stable_lr(x) -> float:
    """``2 / lambda_max`` of the Hessian of the MSE of ``b + w x``."""
    x = as_column("x", x)
    H = 2 * np.array([[1.0, x.mean()], [x.mean(), (x ** 2).mean()]])
    return float(2 / np.linalg.eigvalsh(H)[-1])


def check_stable_lr(answer, x, rtol: float = 0.02) -> None:
    """A learning-rate limit found by experiment, against ``2/lambda_max``."""
    real_number("answer", answer, low=0, low_open=True)
    check_close("largest stable learning rate", answer,
                largest_stable_lr(x), rtol=rtol)


def check_least_squares_line(b, w, x, y, rtol: float = 1e-6) -> None:
    """An intercept and slope against the normal equations."""
    check_close("(b, w)", (b, w), closed_form(x, y), rtol=rtol)


def check_mse(answer, x, y, b, w, rtol: float = 1e-9) -> None:
    """A mean squared error of ``b + w x`` against ``y``."""
    x, y = as_column("x", x), as_column("y", y)
    check_close("MSE", answer, float(np.mean((b + w * x - y) ** 2)),
                rtol=rtol)
