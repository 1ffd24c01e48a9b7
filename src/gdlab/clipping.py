r"""Gradient clipping, by value, by norm, and with tensor hooks.

* By value: every gradient entry is clamped to :math:`[-c, c]`.
* By norm: if the total norm :math:`\|g\|` of all gradients together
  exceeds :math:`c`, every gradient is scaled by :math:`c / (\|g\| +
  10^{-6})` (the convention of ``torch.nn.utils.clip_grad_norm_``).
* Hooks: :func:`clip_with_hooks` clamps each gradient as backpropagation
  produces it, before it is accumulated into ``.grad``. With gradient
  accumulation (several ``backward()`` calls before one step) the hooks
  clamp every micro-batch's gradient separately, whereas
  :func:`clip_grad_value` after the loop clamps their sum, which equals
  clamping the gradient of the whole batch.

Reference: Pascanu, Mikolov & Bengio, *On the difficulty of training
recurrent neural networks* (ICML 2013).
"""

from __future__ import annotations

import math

import torch

from .validation import real_number


def _grads(params):
    if isinstance(params, torch.Tensor):
        params = [params]
    params = list(params)
    if not all(isinstance(p, torch.Tensor) for p in params):
        raise TypeError("params must be tensors, e.g. model.parameters()")
    return [p.grad for p in params if p.grad is not None]


def clip_grad_value(params, clip_value: float) -> None:
    """Clamp every gradient entry to ``[-clip_value, clip_value]``."""
    clip_value = real_number("clip_value", clip_value, low=0, low_open=True)
    for grad in _grads(params):
        grad.clamp_(-clip_value, clip_value)


def clip_grad_norm(params, max_norm: float,
                   norm_type: float = 2.0) -> torch.Tensor:
    """Rescale gradients so their joint norm is at most ``max_norm``.

    Returns the total norm before clipping. Raises ``FloatingPointError``
    if it is not finite: the gradients exploded past recovery.
    """
    max_norm = real_number("max_norm", max_norm, low=0, low_open=True)
    norm_type = float(norm_type)
    if not (norm_type == math.inf or norm_type >= 1):
        raise ValueError(f"norm_type must be >= 1 or inf, got {norm_type}")
    grads = _grads(params)
    if not grads:
        return torch.tensor(0.0)
    norms = torch.stack([torch.linalg.vector_norm(g, norm_type)
                         for g in grads])
    total = torch.linalg.vector_norm(norms, norm_type)
    if not torch.isfinite(total):
        raise FloatingPointError(f"the gradient norm is {total.item()}; "
                                 "lower the learning rate or check the data")
    scale = torch.clamp(max_norm / (total + 1e-6), max=1.0)
    for grad in grads:
        grad.mul_(scale)
    return total


def clip_with_hooks(params, clip_value: float) -> list:
    """Clamp gradients during backpropagation, via ``register_hook``.

    The hooks fire on every backward pass, so under gradient
    accumulation each pass's contribution is clamped before it is added
    to ``.grad``; the accumulated entries can then reach ``k *
    clip_value`` after ``k`` passes.

    Returns the hook handles; call ``handle.remove()`` on each to stop.
    """
    clip_value = real_number("clip_value", clip_value, low=0, low_open=True)
    params = [params] if isinstance(params, torch.Tensor) else list(params)
    return [p.register_hook(lambda g: g.clamp(-clip_value, clip_value))
            for p in params if p.requires_grad]
