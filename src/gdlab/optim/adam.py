"""Adam and AdamW: momentum plus a per-coordinate step size.

References: Kingma & Ba, *Adam: A Method for Stochastic Optimization*
(ICLR 2015); Reddi, Kale & Kumar, *On the Convergence of Adam and Beyond*
(ICLR 2018) for AMSGrad; Loshchilov & Hutter, *Decoupled Weight Decay
Regularization* (ICLR 2019) for AdamW. Conventions follow
``torch.optim.Adam``/``AdamW`` (AMSGrad keeps the maximum of the
uncorrected second moment).
"""

from __future__ import annotations

import torch

from .base import SingleTensorOptimizer, check_hyper, next_step


class Adam(SingleTensorOptimizer):
    r"""Adam, optionally with AMSGrad and (coupled or decoupled) decay.

    .. math::

        \theta_{t-1} &\leftarrow (1 - \eta\lambda)\,\theta_{t-1}
            \text{ (decoupled)}, \quad
            g_t \leftarrow g_t + \lambda\theta_{t-1} \text{ (coupled)} \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t, \quad
        v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
        \hat v_t &= \max(\hat v_{t-1}, v_t) \text{ (AMSGrad) or } v_t \\
        \theta_t &= \theta_{t-1} - \frac{\eta}{1 - \beta_1^t}
            \frac{m_t}{\sqrt{\hat v_t / (1 - \beta_2^t)} + \epsilon}

    with :math:`m_0 = v_0 = \hat v_0 = 0`. Arguments, defaults and errors
    match ``torch.optim.Adam``.
    """

    MISSING_GROUP_KEYS = {"amsgrad": False, "maximize": False,
                          "decoupled_weight_decay": False}

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0,
                 amsgrad: bool = False, *, maximize: bool = False,
                 decoupled_weight_decay: bool = False):
        try:
            beta1, beta2 = betas
        except (TypeError, ValueError):
            raise TypeError(f"betas must be a pair of floats, got "
                            f"{betas!r}") from None
        if torch.is_tensor(beta1) != torch.is_tensor(beta2):
            raise ValueError("betas must be either both floats or both "
                             "Tensors")
        defaults = dict(
            lr=check_hyper("learning rate", lr),
            betas=(check_hyper("beta parameter at index 0", beta1, high=1),
                   check_hyper("beta parameter at index 1", beta2, high=1)),
            eps=check_hyper("epsilon", eps),
            weight_decay=check_hyper("weight_decay", weight_decay),
            amsgrad=bool(amsgrad), maximize=bool(maximize),
            decoupled_weight_decay=bool(decoupled_weight_decay))
        super().__init__(params, defaults)

    def update(self, param, grad, state, group):
        if not state:                                       # lazy state
            state["step"] = 0
            state["exp_avg"] = torch.zeros_like(param)
            state["exp_avg_sq"] = torch.zeros_like(param)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = torch.zeros_like(param)
        t = next_step(state)                                # t, a number
        lr, decay = group["lr"], group["weight_decay"]
        (beta1, beta2), m, v = group["betas"], state["exp_avg"], \
            state["exp_avg_sq"]
        if decay != 0 and group["decoupled_weight_decay"]:  # 1. decay
            param.mul_(1 - lr * decay)                      # (1 - eta lam) th
        elif decay != 0:
            grad = grad.add(param, alpha=decay)             # g + lambda theta
        # 2. moments. a.lerp_(b, w) is a + w (b - a), i.e. the EWMA
        # beta a + (1 - beta) b with w = 1 - beta. (A tensor beta1 is first
        # cast to the parameter's dtype, as torch does.)
        w1 = 1 - (beta1.to(param) if torch.is_tensor(beta1) else beta1)
        m.lerp_(grad, w1)                                   # m_t
        v.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)  # v_t
        if group["amsgrad"]:                                # v_hat_t = max
            torch.maximum(state["max_exp_avg_sq"], v,
                          out=state["max_exp_avg_sq"])
            v = state["max_exp_avg_sq"]
        step_size = lr / (1 - beta1 ** t)                   # 3. eta/(1-b1^t)
        correction2 = (1 - beta2 ** t) ** 0.5               # sqrt(1 - b2^t)
        denom = (v.sqrt() / correction2).add_(group["eps"])  # sqrt(v^)+eps
        param.addcdiv_(m, denom, value=-step_size)          # theta_t


class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov & Hutter).

    The same update as :class:`Adam` with ``decoupled_weight_decay=True``:
    the parameters shrink by the factor :math:`1 - \eta\lambda` before the
    Adam step, instead of :math:`\lambda\theta` being added to the gradient.
    Arguments, defaults (note ``weight_decay=1e-2``) and errors match
    ``torch.optim.AdamW``.
    """

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2,
                 amsgrad: bool = False, *, maximize: bool = False):
        super().__init__(params, lr=lr, betas=betas, eps=eps,
                         weight_decay=weight_decay, amsgrad=amsgrad,
                         maximize=maximize, decoupled_weight_decay=True)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:     # AdamW always decouples, as
            group["decoupled_weight_decay"] = True      # in torch
