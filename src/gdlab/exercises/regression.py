"""Checkers for least squares and gradient descent on it."""

from __future__ import annotations

import numpy as np

from ..linear import closed_form, gradient_descent
from ..validation import as_column, real_number, same_length, whole_number
from .compare import as_answer, as_scalar, check_close


def largest_stable_lr(x) -> float:
    """``2 / lambda_max`` of the Hessian of the MSE of ``b + w x``."""
    x = as_column("x", x)
    H = 2 * np.array([[1.0, x.mean()], [x.mean(), (x ** 2).mean()]])
    return float(2 / np.linalg.eigvalsh(H)[-1])


def check_stable_lr(answer, x, rtol: float = 0.02) -> None:
    """A learning-rate limit found by experiment, against ``2/lambda_max``."""
    real_number("answer", as_scalar("answer", answer), low=0, low_open=True)
    check_close("largest stable learning rate", answer,
                largest_stable_lr(x), rtol=rtol)


def check_divergence(diverged: bool, lr, x, margin: float = 0.02) -> None:
    """Whether full-batch descent diverged, against ``lr > 2/lambda_max``.

    Rates within ``margin`` (relative) of the limit are too close to call
    and are refused with ``ValueError``.
    """
    if not isinstance(diverged, (bool, np.bool_)):
        raise TypeError(f"diverged must be True or False, got "
                        f"{type(diverged).__name__}")
    lr = real_number("lr", lr, low=0, low_open=True)
    limit = largest_stable_lr(x)
    if abs(lr / limit - 1) <= margin:
        raise ValueError(f"lr={lr:g} is within {margin:.0%} of the limit "
                         f"{limit:.4g}; pick a rate clearly on one side")
    if bool(diverged) != (lr > limit):
        state = "diverged" if diverged else "converged"
        raise AssertionError(f"lr={lr:g} {state}, but the limit 2/lambda_max"
                             f" = {limit:.4g} predicts the opposite")


def check_least_squares_line(b, w, x, y, rtol: float = 1e-6) -> None:
    """An intercept and slope against the normal equations."""
    b, w = as_scalar("b", b), as_scalar("w", w)
    check_close("(b, w)", (b, w), closed_form(x, y), rtol=rtol)


def check_polynomial_fit(coefficients, x, y, atol: float = 1e-6) -> None:
    """Coefficients ``(c0, c1, ..., cd)`` of ``sum_k c_k x**k`` fitted to y.

    The degree is ``len(coefficients) - 1``; the reference solves the
    least-squares problem by a QR factorisation of the Vandermonde matrix.
    """
    coefficients = as_answer("coefficients", coefficients, ndim=(1,))
    x, y = as_column("x", x), as_column("y", y)
    same_length(x, y)
    V = x ** np.arange(len(coefficients))
    if len(x) < V.shape[1]:
        raise ValueError(f"{V.shape[1]} coefficients need at least as many "
                         f"points, got {len(x)}")
    Q, R = np.linalg.qr(V)
    expected = np.linalg.solve(R, Q.T @ y).ravel()
    check_close("polynomial coefficients", coefficients, expected, rtol=0,
                atol=atol)


def check_gradient_descent_run(b, w, x, y, b0, w0, lr, n_epochs,
                               atol: float = 1e-5) -> None:
    """A full-batch run's final ``(b, w)`` against NumPy gradient descent."""
    b, w = as_scalar("b", b), as_scalar("w", w)
    run = gradient_descent(x, y, b0, w0, lr=lr, n_epochs=n_epochs)
    check_close("(b, w) after gradient descent", (b, w), (run.b, run.w),
                rtol=0, atol=atol)


def check_mse(answer, x, y, b, w, rtol: float = 1e-9) -> None:
    """A mean squared error of ``b + w x`` against ``y``."""
    b, w = as_scalar("b", b), as_scalar("w", w)
    x, y = as_column("x", x), as_column("y", y)
    check_close("MSE", as_scalar("answer", answer), float(np.mean((b + w * x - y) ** 2)),
                rtol=rtol)


def check_excess_loss(loss, x, y, less_than) -> None:
    """An MSE that is at least the least-squares minimum and below a bound."""
    loss = real_number("loss", as_scalar("loss", loss), low=0)
    less_than = real_number("less_than", less_than)
    b, w = closed_form(x, y)
    x, y = as_column("x", x), as_column("y", y)
    best = float(np.mean((b + w * x - y) ** 2))
    if loss < best * (1 - 1e-12):
        raise AssertionError(f"loss {loss:.6g} is below the least-squares "
                             f"minimum {best:.6g}: it cannot be an MSE on "
                             "this data")
    if not loss < less_than:
        raise AssertionError(f"loss {loss:.6g} ({loss - best:.2e} above the "
                             f"minimum) is not below {less_than:.6g}")


def check_mse_gradient(grad, X, y, w, rtol: float = 1e-9) -> None:
    """The gradient of ``mean((X w - y)**2)`` in ``w``: ``2/N X^T (X w - y)``.
    """
    X = as_answer("X", X, ndim=(2,))
    y = as_answer("y", y, ndim=(1, 2)).reshape(-1, 1)
    w = as_answer("w", w, ndim=(1, 2)).reshape(-1, 1)
    same_length(X, y, ("X", "y"))
    if X.shape[1] != len(w):
        raise ValueError(f"X has {X.shape[1]} columns but w has {len(w)} "
                         "entries")
    grad = as_answer("grad", grad, ndim=(1, 2)).reshape(-1, 1)
    expected = 2 / len(X) * X.T @ (X @ w - y)
    check_close("gradient", grad, expected, rtol=rtol, atol=1e-12)


def check_minibatch_variance(measured, x, y, b, w, batch_size,
                             rtol: float = 0.1) -> None:
    """A measured mini-batch gradient variance against its formula.

    For batches of ``m`` drawn without replacement from ``N`` per-sample
    gradients with mean squared deviation ``s2``, the expected squared
    distance of the batch mean from the full mean is
    ``s2 / m * (N - m) / (N - 1)``.
    """
    x, y = as_column("x", x), as_column("y", y)
    same_length(x, y)
    b, w = real_number("b", b), real_number("w", w)
    m = whole_number("batch_size", batch_size)
    if len(x) < 2:
        raise ValueError("need at least 2 samples to measure a variance")
    if m > len(x):
        raise ValueError(f"batch_size must be at most N = {len(x)}, got {m}")
    err = b + w * x - y
    g = 2 * np.hstack([err, err * x])               # one row per sample
    s2 = ((g - g.mean(axis=0)) ** 2).sum(axis=1).mean()
    n = len(x)
    check_close(f"gradient variance for batches of {m}", measured,
                s2 / m * (n - m) / (n - 1), rtol=rtol)
