"""The one-cycle policy: warm up to a peak learning rate, then anneal.

Reference: Smith & Topin, *Super-Convergence: Very Fast Training of Neural
Networks Using Large Learning Rates* (2019). Conventions and defaults
follow ``torch.optim.lr_scheduler.OneCycleLR``.
"""

from __future__ import annotations

import math

from .schedules import Schedule
from .validation import real_number, whole_number


def _anneal(start: float, end: float, pct: float, strategy: str) -> float:
    if strategy == "cos":
        return end + (start - end) / 2 * (math.cos(math.pi * pct) + 1)
    return start + (end - start) * pct


class OneCycleLR(Schedule):
    r"""One cycle over ``total_steps`` steps (call :meth:`step` per batch).

    The rate rises from :math:`\eta_{\max}/d` to :math:`\eta_{\max}` over
    the first ``pct_start`` of the steps, then falls to
    :math:`\eta_{\max}/(d\,d_f)`; with ``three_phase`` it first returns to
    :math:`\eta_{\max}/d` and only then falls. Momentum (or Adam's
    :math:`\beta_1`) moves the opposite way when ``cycle_momentum``.
    """

    def __init__(self, optimizer, max_lr: float, total_steps: int,
                 pct_start: float = 0.3, anneal_strategy: str = "cos",
                 cycle_momentum: bool = True, base_momentum: float = 0.85,
                 max_momentum: float = 0.95, div_factor: float = 25.0,
                 final_div_factor: float = 1e4, three_phase: bool = False):
        self.max_lr = real_number("max_lr", max_lr, low=0, low_open=True)
        self.total_steps = whole_number("total_steps", total_steps)
        pct = real_number("pct_start", pct_start, low=0, high=1)
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"anneal_strategy must be 'cos' or 'linear', "
                             f"got {anneal_strategy!r}")
        self.strategy = anneal_strategy
        start = self.max_lr / real_number("div_factor", div_factor, low=0,
                                          low_open=True)
        end = start / real_number("final_div_factor", final_div_factor,
                                  low=0, low_open=True)
        lo, hi = base_momentum, max_momentum
        n = self.total_steps
        if three_phase:     # (end step, start/end lr, start/end momentum)
            self.phases = [(pct * n - 1, start, self.max_lr, hi, lo),
                           (2 * pct * n - 2, self.max_lr, start, lo, hi),
                           (n - 1, start, end, hi, hi)]
        else:
            self.phases = [(pct * n - 1, start, self.max_lr, hi, lo),
                           (n - 1, self.max_lr, end, lo, hi)]
        self.cycle_momentum = bool(cycle_momentum)
        if self.cycle_momentum and not ({"momentum", "betas"}
                                        & set(optimizer.defaults)):
            raise ValueError("cycle_momentum needs an optimizer with "
                             "momentum or betas; pass cycle_momentum=False")
        for group in optimizer.param_groups:
            group["initial_lr"] = start
        super().__init__(optimizer)

    def _phase(self, t: int):
        if t > self.total_steps:
            raise ValueError(f"stepped {t} times, but total_steps is "
                             f"{self.total_steps}; create the schedule with "
                             "more steps")
        begin = 0.0
        for i, (stop, *values) in enumerate(self.phases):
            if t <= stop or i == len(self.phases) - 1:
                return (t - begin) / (stop - begin), values
            begin = stop

    def lr_at(self, t, base_lr):
        pct, (lr0, lr1, _, _) = self._phase(t)
        return _anneal(lr0, lr1, pct, self.strategy)

    def step(self) -> None:
        super().step()
        if not self.cycle_momentum:
            return
        pct, (_, _, m0, m1) = self._phase(self.last_epoch)
        momentum = _anneal(m0, m1, pct, self.strategy)
        for group in self.optimizer.param_groups:
            if "betas" in group:
                group["betas"] = (momentum, *group["betas"][1:])
            else:
                group["momentum"] = momentum
