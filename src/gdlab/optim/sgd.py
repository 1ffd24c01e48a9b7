"""Stochastic gradient descent with momentum, written out in full.

Reference: Sutskever et al. (2013) for the momentum and Nesterov forms used
by PyTorch; ``torch.optim.SGD`` for every convention (buffer initialised
with the first gradient, dampening applied from the second step on).
"""

from __future__ import annotations

from .base import SingleTensorOptimizer, check_hyper


class SGD(SingleTensorOptimizer):
    r"""Gradient descent with optional momentum, Nesterov and weight decay.

    With gradient :math:`g_t`, weight decay :math:`\lambda`, momentum
    :math:`\mu` and dampening :math:`\tau`:

    .. math::

        g_t &\leftarrow g_t + \lambda \theta_{t-1} \\
        b_t &= g_t \text{ if } t = 1 \text{ else }
               \mu b_{t-1} + (1 - \tau) g_t \\
        d_t &= g_t + \mu b_t \text{ (Nesterov) or } b_t \\
        \theta_t &= \theta_{t-1} - \eta\, d_t

    Without momentum (:math:`\mu = 0`) :math:`d_t = g_t`. Arguments,
    defaults and errors match ``torch.optim.SGD``.
    """

    MISSING_GROUP_KEYS = {"nesterov": False, "maximize": False}

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0,
                 dampening: float = 0, weight_decay: float = 0,
                 nesterov: bool = False, *, maximize: bool = False):
        defaults = dict(lr=check_hyper("learning rate", lr),
                        momentum=check_hyper("momentum", momentum),
                        dampening=check_hyper("dampening", dampening,
                                              low=-float("inf")),
                        weight_decay=check_hyper("weight_decay",
                                                 weight_decay),
                        nesterov=bool(nesterov), maximize=bool(maximize))
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero "
                             "dampening")
        super().__init__(params, defaults)

    def update(self, param, grad, state, group):
        if group["weight_decay"] != 0:                      # g + lambda theta
            grad = grad.add(param, alpha=group["weight_decay"])
        momentum = group["momentum"]
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:                                 # b_1 = g_1
                buf = state["momentum_buffer"] = grad.detach().clone()
            else:                                           # b_t
                buf.mul_(momentum).add_(grad, alpha=1 - group["dampening"])
            grad = grad.add(buf, alpha=momentum) if group["nesterov"] \
                else buf                                    # d_t
        param.add_(grad, alpha=-group["lr"])                # theta - eta d_t
