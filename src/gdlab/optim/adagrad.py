"""Adagrad: divide each gradient by the root of its summed squares.

Reference: Duchi, Hazan & Singer, *Adaptive Subgradient Methods for Online
Learning and Stochastic Optimization* (JMLR 2011), the diagonal version;
``torch.optim.Adagrad`` for the conventions (eps added outside the square
root, the learning-rate decay, the accumulator's starting value). The sum
only grows, so the step only shrinks: the decay RMSprop repairs by
replacing the sum with a running average.
"""

from __future__ import annotations

import torch

from .base import SingleTensorOptimizer, check_hyper, next_step


class Adagrad(SingleTensorOptimizer):
    r"""Adagrad with optional weight decay and learning-rate decay.

    With gradient :math:`g_t`, weight decay :math:`\lambda`, learning-rate
    decay :math:`\gamma` and accumulator start :math:`G_0`:

    .. math::

        g_t &\leftarrow g_t + \lambda \theta_{t-1} \\
        \eta_t &= \frac{\eta}{1 + (t - 1)\gamma} \\
        G_t &= G_{t-1} + g_t^2 \\
        \theta_t &= \theta_{t-1} - \eta_t \frac{g_t}{\sqrt{G_t} + \epsilon}

    with :math:`G_0` = ``initial_accumulator_value`` (0 by default), all
    operations per coordinate. Arguments, defaults and errors match
    ``torch.optim.Adagrad``.
    """

    MISSING_GROUP_KEYS = {"maximize": False}

    def __init__(self, params, lr: float = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0,
                 initial_accumulator_value: float = 0, eps: float = 1e-10,
                 *, maximize: bool = False):
        defaults = dict(
            lr=check_hyper("learning rate", lr),
            lr_decay=check_hyper("lr_decay", lr_decay),
            eps=check_hyper("epsilon", eps),
            weight_decay=check_hyper("weight_decay", weight_decay),
            initial_accumulator_value=check_hyper(
                "initial_accumulator_value", initial_accumulator_value),
            maximize=bool(maximize))
        super().__init__(params, defaults)
        # like torch, the state exists from the start (a state_dict taken
        # before the first step matches torch's); G_0 fills the sum
        for group in self.param_groups:
            for param in group["params"]:
                self.state[param] = self._start(param, group)

    @staticmethod
    def _start(param, group) -> dict:
        return {"step": 0, "sum": torch.full_like(                  # G_0
            param, float(group["initial_accumulator_value"]))}

    def update(self, param, grad, state, group):
        if not state:              # a group added later, or a bare state
            state.update(self._start(param, group))
        t = next_step(state)
        if group["weight_decay"] != 0:                      # g + lambda theta
            grad = grad.add(param, alpha=group["weight_decay"])
        lr_t = group["lr"] / (1 + (t - 1) * group["lr_decay"])  # eta_t
        state["sum"].addcmul_(grad, grad, value=1)          # G_t
        std = state["sum"].sqrt().add_(group["eps"])        # sqrt(G_t) + eps
        param.addcdiv_(grad, std, value=-lr_t)              # theta_t
