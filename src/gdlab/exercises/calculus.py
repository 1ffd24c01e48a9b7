"""Checkers for derivatives, autograd and rates of convergence."""

from __future__ import annotations

import math

import numpy as np
import torch

from ..validation import real_number
from .compare import as_answer, check_close


def _call_real(f, x: float) -> float:
    value = f(x)
    if isinstance(value, torch.Tensor):
        value = value.item()
    return real_number("f(x)", value)


def check_derivative(answer, f, x, rtol: float = 1e-7) -> None:
    """A derivative ``f'(x)`` against an extrapolated central difference.

    ``f`` maps a float to a float. Richardson extrapolation of two central
    differences has an error of order ``h**4``, far below ``rtol``.
    """
    if not callable(f):
        raise TypeError(f"f must be a function of one number, got "
                        f"{type(f).__name__}")
    x = real_number("x", x)
    answer = as_answer("answer", answer, ndim=(0,))

    def central(h):
        return (_call_real(f, x + h) - _call_real(f, x - h)) / (2 * h)

    h = 1e-3 * max(1.0, abs(x))
    expected = (4 * central(h / 2) - central(h)) / 3
    check_close(f"derivative at x={x:g}", answer, expected, rtol=rtol,
                atol=1e-10)


def check_autograd_function(apply, reference, x) -> None:
    """A custom autograd function against a reference torch function.

    Checks the values, the gradients for a random upstream gradient, and
    runs ``torch.autograd.gradcheck`` (finite differences) on ``x``, which
    must be a float64 tensor away from any kink.
    """
    for name, fn in (("apply", apply), ("reference", reference)):
        if not callable(fn):
            raise TypeError(f"{name} must be callable, got "
                            f"{type(fn).__name__}")
    if not isinstance(x, torch.Tensor) or x.dtype != torch.float64:
        raise TypeError("x must be a float64 tensor (gradcheck needs double "
                        "precision); use torch.tensor(..., "
                        "dtype=torch.float64)")
    if x.numel() == 0 or not torch.isfinite(x).all():
        raise ValueError("x must be a non-empty tensor of finite values")
    ours = x.detach().clone().requires_grad_()
    ref = x.detach().clone().requires_grad_()
    out, out_ref = apply(ours), reference(ref)
    check_close("forward values", out, out_ref, rtol=1e-12, atol=1e-12)
    upstream = torch.randn(out_ref.shape, dtype=torch.float64,
                           generator=torch.Generator().manual_seed(0))
    (out * upstream).sum().backward()
    (out_ref * upstream).sum().backward()
    check_close("gradients", ours.grad, ref.grad, rtol=1e-12, atol=1e-12)
    probe = x.detach().clone().requires_grad_()
    if not torch.autograd.gradcheck(apply, (probe,), raise_exception=False):
        raise AssertionError("gradcheck failed: the backward pass disagrees "
                             "with finite differences of the forward pass")


def check_layer_grad_norms(norms, model, loss_fn, inputs, targets,
                           layers) -> None:
    """Per-layer weight-gradient norms against ``torch.autograd.grad``.

    Recomputes the loss of ``model`` on ``(inputs, targets)`` and takes the
    gradient of each ``layer.weight`` directly, without ``.grad`` fields or
    hooks.
    """
    layers = list(layers)
    if not layers or not all(isinstance(getattr(m, "weight", None),
                                        torch.Tensor) for m in layers):
        raise TypeError("layers must be a non-empty list of modules with a "
                        "weight, e.g. the model's nn.Linear layers")
    norms = as_answer("norms", norms, ndim=(1,))
    loss = loss_fn(model(inputs), targets)
    grads = torch.autograd.grad(loss, [m.weight for m in layers])
    expected = [torch.linalg.vector_norm(g).item() for g in grads]
    check_close("gradient norms per layer", norms, expected, rtol=1e-5)


def check_logistic_gradient(grad, logits, labels,
                            reduction: str = "sum") -> None:
    """The gradient of the logistic loss in the logits: ``sigmoid(z) - y``."""
    if reduction not in ("sum", "mean"):
        raise ValueError(f"reduction must be 'sum' or 'mean', got "
                         f"{reduction!r}")
    z = as_answer("logits", logits, ndim=(1,))
    y = as_answer("labels", labels, ndim=(1,))
    if z.shape != y.shape or not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("labels must hold 0s and 1s, one per logit")
    expected = 0.5 * (1 + np.tanh(z / 2)) - y      # a stable sigmoid
    if reduction == "mean":
        expected /= len(z)
    check_close("d loss / d logits", grad, expected, rtol=1e-9, atol=1e-12)


def check_convergence_order(errors, order: float, tol: float = 0.1,
                            floor: float = 1e-13) -> None:
    """The order ``q`` of convergence, ``e[k+1] ~ C e[k]**q``, from errors.

    Errors at or below ``floor`` (rounding level) are ignored; ``q`` is
    estimated from the last three that remain.
    """
    order = real_number("order", order, low=0, low_open=True)
    errors = np.abs(as_answer("errors", errors, ndim=(1,)))
    kept = errors[errors > floor]
    if len(kept) < 3:
        raise ValueError(f"need at least 3 errors above {floor:g} to "
                         f"estimate an order, got {len(kept)}; start "
                         "further from the solution or take fewer steps")
    e0, e1, e2 = kept[-3:]
    if e1 == e0:
        raise AssertionError(f"the errors stopped shrinking at {e1:g}, so "
                             "they show no order of convergence")
    q = math.log(e2 / e1) / math.log(e1 / e0)
    check_close("order of convergence", q, order, rtol=0, atol=tol)


def check_condition_number(answer, A, rtol: float = 1e-6) -> None:
    """A condition number against the extreme eigenvalues of ``A``.

    ``A`` must be symmetric positive definite; the reference is
    ``lambda_max / lambda_min`` from ``numpy.linalg.eigvalsh``.
    """
    A = as_answer("A", A, ndim=(2,))
    if A.shape[0] != A.shape[1] or not np.allclose(A, A.T):
        raise ValueError(f"A must be a symmetric square matrix, got shape "
                         f"{A.shape}; symmetrise it with (A + A.T) / 2")
    eig = np.linalg.eigvalsh(A)
    if eig[0] <= 0:
        raise ValueError("A must be positive definite; its smallest "
                         f"eigenvalue is {eig[0]:g}")
    check_close("condition number", answer, eig[-1] / eig[0], rtol=rtol)
