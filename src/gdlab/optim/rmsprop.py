"""RMSprop: divide each gradient by a running root mean square.

Reference: Hinton, Srivastava & Swersky, *Neural Networks for Machine
Learning*, lecture 6e (2012); Graves (2013) for the centred variant;
``torch.optim.RMSprop`` for the conventions (eps added outside the square
root, momentum buffer starting at zero).
"""

from __future__ import annotations

import torch

from .base import SingleTensorOptimizer, check_hyper, next_step


class RMSprop(SingleTensorOptimizer):
    r"""RMSprop with optional weight decay, momentum and centring.

    .. math::

        g_t &\leftarrow g_t + \lambda \theta_{t-1} \\
        v_t &= \alpha v_{t-1} + (1 - \alpha) g_t^2 \\
        \bar g_t &= \alpha \bar g_{t-1} + (1 - \alpha) g_t,\quad
        s_t = \sqrt{v_t - \bar g_t^2} + \epsilon \text{ (centred)} \\
        s_t &= \sqrt{v_t} + \epsilon \text{ (otherwise)} \\
        b_t &= \mu b_{t-1} + g_t / s_t,\quad
        \theta_t = \theta_{t-1} - \eta\, b_t \text{ (momentum } \mu > 0) \\
        \theta_t &= \theta_{t-1} - \eta\, g_t / s_t \text{ (otherwise)}

    with :math:`v_0 = \bar g_0 = b_0 = 0`. Arguments, defaults and errors
    match ``torch.optim.RMSprop``.
    """

    MISSING_GROUP_KEYS = {"momentum": 0, "centered": False,
                          "maximize": False}

    def __init__(self, params, lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0,
                 momentum: float = 0, centered: bool = False, *,
                 maximize: bool = False):
        defaults = dict(lr=check_hyper("learning rate", lr),
                        alpha=check_hyper("alpha", alpha),
                        eps=check_hyper("epsilon", eps),
                        weight_decay=check_hyper("weight_decay",
                                                 weight_decay),
                        momentum=check_hyper("momentum", momentum),
                        centered=bool(centered), maximize=bool(maximize))
        super().__init__(params, defaults)

    def update(self, param, grad, state, group):
        if not state:                                       # lazy state
            state["step"] = 0
            state["square_avg"] = torch.zeros_like(param)
            if group["momentum"] > 0:
                state["momentum_buffer"] = torch.zeros_like(param)
            if group["centered"]:
                state["grad_avg"] = torch.zeros_like(param)
        next_step(state)                                    # count t
        if group["weight_decay"] != 0:                      # g + lambda theta
            grad = grad.add(param, alpha=group["weight_decay"])
        alpha, square_avg = group["alpha"], state["square_avg"]
        square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)  # v_t
        if group["centered"]:
            # a.lerp_(b, w) is a + w (b - a), i.e. the EWMA
            # alpha a + (1 - alpha) b with w = 1 - alpha.
            grad_avg = state["grad_avg"]
            grad_avg.lerp_(grad, 1 - alpha)                 # g_bar_t
            scale = square_avg.addcmul(grad_avg, grad_avg,  # sqrt(v - g_bar^2)
                                       value=-1).sqrt_()
        else:
            scale = square_avg.sqrt()                       # sqrt(v_t)
        scale.add_(group["eps"])                            # s_t
        if group["momentum"] > 0:
            buf = state["momentum_buffer"]
            buf.mul_(group["momentum"]).addcdiv_(grad, scale)  # b_t
            param.add_(buf, alpha=-group["lr"])             # theta - eta b_t
        else:
            param.addcdiv_(grad, scale, value=-group["lr"])  # theta - eta g/s
