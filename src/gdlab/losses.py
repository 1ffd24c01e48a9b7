r"""Loss functions written from their formulas.

Each equals the ``torch.nn.functional`` function of the same name (checked
in the tests) but refuses bad input instead of broadcasting or returning
NaN. With :math:`z` a logit and :math:`\sigma(z) = 1/(1 + e^{-z})`:

* MSE: :math:`\frac1n\sum (\hat y - y)^2`;
* BCE on probabilities: :math:`-[y \log p + (1 - y)\log(1 - p)]`, logs
  clamped at :math:`-100` like torch;
* BCE on logits, computed as
  :math:`\max(z, 0) - z y + \operatorname{log1p}(e^{-|z|})`: the exponent
  is never positive, so nothing overflows for any finite :math:`z`
  (for labels 0/1 this is the softplus form
  :math:`\zeta((1 - 2y) z)` of Goodfellow et al., *Deep Learning*,
  6.2.2.2). The textbook rewriting
  :math:`(1 - y) z + \log(1 + e^{-z})` is equal on paper but overflows
  for very negative :math:`z`. ``torch`` computes
  :math:`(1 - y) z - \log\sigma(z)` with a stable log-sigmoid, the same
  function, which never overflows either but loses the relative
  accuracy of tiny losses at very negative :math:`z` (it subtracts two
  numbers close to :math:`z`). With ``pos_weight``
  :math:`w_+` the loss is
  :math:`(1 - y)\,\mathrm{softplus}(z) + w_+ y\,\mathrm{softplus}(-z)`,
  each softplus computed the same stable way;
* cross-entropy: :math:`-z_{y} + \log\sum_k e^{z_k}`, with the
  log-sum-exp shifted by the largest logit.
"""

from __future__ import annotations

import torch

from .tensors import as_tensor, check_reduction, reduce, same_shape


def mse_loss(y_hat, y, reduction: str = "mean") -> torch.Tensor:
    """Mean squared error (or its sum, or the per-element squares)."""
    y_hat, y = as_tensor("y_hat", y_hat), as_tensor("y", y)
    same_shape(y_hat, y, ("y_hat", "y"))
    return reduce((y_hat - y) ** 2, check_reduction(reduction))


def _targets01(y: torch.Tensor) -> torch.Tensor:
    y = as_tensor("y", y)
    if ((y < 0) | (y > 1)).any():
        raise ValueError("targets y must lie in [0, 1] (class labels 0/1 "
                         "or probabilities)")
    return y


def binary_cross_entropy(p, y, reduction: str = "mean") -> torch.Tensor:
    """BCE of predicted probabilities ``p`` against targets ``y``."""
    p, y = as_tensor("p", p), _targets01(y)
    same_shape(p, y, ("p", "y"))
    if ((p < 0) | (p > 1)).any():
        raise ValueError("p must hold probabilities in [0, 1]; for raw "
                         "scores use binary_cross_entropy_with_logits")
    log_p = torch.log(p).clamp(min=-100)
    log_1mp = torch.log1p(-p).clamp(min=-100)
    loss = -(y * log_p + (1 - y) * log_1mp)
    return reduce(loss, check_reduction(reduction))


def binary_cross_entropy_with_logits(z, y, reduction: str = "mean",
                                     pos_weight=None) -> torch.Tensor:
    r"""Numerically stable BCE of logits ``z``; ``pos_weight`` scales the
    positive term, :math:`-[w_+ y\log\sigma(z) + (1-y)\log(1-\sigma(z))]`.
    """
    z, y = as_tensor("z", z), _targets01(y)
    same_shape(z, y, ("z", "y"))
    tail = torch.log1p(torch.exp(-z.abs()))       # never overflows
    if pos_weight is None:
        loss = torch.clamp(z, min=0) - z * y + tail
    else:
        pos_weight = as_tensor("pos_weight", pos_weight)
        if (pos_weight < 0).any():
            raise ValueError("pos_weight must be non-negative")
        softplus_pos = torch.clamp(z, min=0) + tail     # -log(1 - sigma(z))
        softplus_neg = torch.clamp(-z, min=0) + tail    # -log sigma(z)
        loss = (1 - y) * softplus_pos + pos_weight * y * softplus_neg
    return reduce(loss, check_reduction(reduction))


def cross_entropy(z, target, reduction: str = "mean") -> torch.Tensor:
    """Cross-entropy of logits ``z`` (N, C) against class indices (N,)."""
    z = as_tensor("z", z)
    target = as_tensor("target", target, floating=False)
    if z.dim() != 2 or target.dim() != 1 or len(z) != len(target):
        raise ValueError(f"expected logits of shape (N, C) and targets of "
                         f"shape (N,), got {tuple(z.shape)} and "
                         f"{tuple(target.shape)}")
    if target.dtype != torch.long:
        raise TypeError(f"target must hold class indices of dtype "
                        f"torch.long, got {target.dtype}")
    if ((target < 0) | (target >= z.shape[1])).any():
        raise ValueError(f"target indices must lie in [0, {z.shape[1]})")
    top = z.max(dim=1, keepdim=True).values               # (N, 1)
    log_sum_exp = top.squeeze(1) + torch.log(torch.exp(z - top).sum(dim=1))
    loss = log_sum_exp - z.gather(1, target[:, None]).squeeze(1)
    return reduce(loss, check_reduction(reduction))
