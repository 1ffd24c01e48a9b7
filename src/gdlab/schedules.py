"""Learning-rate schedules in closed form.

Each schedule sets ``group["lr"]`` of every parameter group of an optimizer
(gdlab's or torch's) to ``lr_at(t, base_lr)``, where ``t`` counts calls to
:meth:`Schedule.step` and ``base_lr`` is the group's learning rate when the
schedule was created. They reproduce ``torch.optim.lr_scheduler`` value for
value, but from the closed-form formula rather than torch's recursive
updates, which makes the comparison an independent check.

References: Loshchilov & Hutter, *SGDR: Stochastic Gradient Descent with
Warm Restarts* (ICLR 2017) for cosine annealing and warm restarts; Goyal et
al., *Accurate, Large Minibatch SGD: Training ImageNet in 1 Hour* (2017)
for linear warm-up (:class:`LinearLR` chained by :class:`SequentialLR`).
"""

from __future__ import annotations

import math

import torch

from .validation import real_number, whole_number


class Schedule:
    """Base class: call :meth:`step` once per epoch or once per batch."""

    def __init__(self, optimizer: torch.optim.Optimizer):
        if not isinstance(optimizer, torch.optim.Optimizer):
            raise TypeError(f"optimizer must be a torch.optim.Optimizer, got "
                            f"{type(optimizer).__name__}")
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group.setdefault("initial_lr", group["lr"])
        self.base_lrs = [g["initial_lr"] for g in optimizer.param_groups]
        self.last_epoch = -1
        self.step()

    def lr_at(self, t: int, base_lr: float) -> float:
        """Learning rate after ``t`` steps for a group starting at base_lr."""
        raise NotImplementedError

    def step(self) -> None:
        """Advance one step and write the new rates into the optimizer."""
        self.last_epoch += 1
        for group, base in zip(self.optimizer.param_groups, self.base_lrs):
            group["lr"] = self.lr_at(self.last_epoch, base)

    def get_last_lr(self) -> list[float]:
        """The rates set by the latest :meth:`step`, one per group."""
        return [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> dict:
        """Everything but the optimizer, for checkpoints."""
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state: dict) -> None:
        self.__dict__.update(state)


class StepLR(Schedule):
    r""":math:`\eta_t = \eta_0 \gamma^{\lfloor t / s \rfloor}`."""

    def __init__(self, optimizer, step_size: int, gamma: float = 0.1):
        self.step_size = whole_number("step_size", step_size)
        self.gamma = real_number("gamma", gamma, low=0, low_open=True)
        super().__init__(optimizer)

    def lr_at(self, t, base_lr):
        return base_lr * self.gamma ** (t // self.step_size)


class ExponentialLR(Schedule):
    r""":math:`\eta_t = \eta_0 \gamma^t`."""

    def __init__(self, optimizer, gamma: float):
        self.gamma = real_number("gamma", gamma, low=0, low_open=True)
        super().__init__(optimizer)

    def lr_at(self, t, base_lr):
        return base_lr * self.gamma ** t


def _cosine(t: float, period: float, high: float, low: float) -> float:
    return low + (high - low) * (1 + math.cos(math.pi * t / period)) / 2


class CosineAnnealingLR(Schedule):
    r""":math:`\eta_t = \eta_{\min} + \tfrac12(\eta_0 - \eta_{\min})
    (1 + \cos(\pi t / T_{\max}))`, continuing as a cosine after
    :math:`T_{\max}`."""

    def __init__(self, optimizer, T_max: int, eta_min: float = 0.0):
        self.T_max = whole_number("T_max", T_max)
        self.eta_min = real_number("eta_min", eta_min, low=0)
        super().__init__(optimizer)

    def lr_at(self, t, base_lr):
        return _cosine(t, self.T_max, base_lr, self.eta_min)


class CosineAnnealingWarmRestarts(Schedule):
    r"""SGDR: cosine annealing restarted after :math:`T_0`, then after
    :math:`T_0 T_{\text{mult}}`, :math:`T_0 T_{\text{mult}}^2`, ... steps.

    Within restart :math:`i` of length :math:`T_i`, at position
    :math:`T_{\text{cur}}`: :math:`\eta = \eta_{\min} + \tfrac12(\eta_0 -
    \eta_{\min})(1 + \cos(\pi T_{\text{cur}} / T_i))`.
    """

    def __init__(self, optimizer, T_0: int, T_mult: int = 1,
                 eta_min: float = 0.0):
        self.T_0 = whole_number("T_0", T_0)
        self.T_mult = whole_number("T_mult", T_mult)
        self.eta_min = real_number("eta_min", eta_min, low=0)
        super().__init__(optimizer)

    def position(self, t: int) -> tuple[int, int]:
        """``(T_cur, T_i)``: steps into the current cycle and its length."""
        if self.T_mult == 1:
            return t % self.T_0, self.T_0
        n = int(math.log(t / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
        start = self.T_0 * (self.T_mult ** n - 1) // (self.T_mult - 1)
        if t < start:                     # guard against log round-off
            n -= 1
        elif t >= start + self.T_0 * self.T_mult ** n:
            n += 1
        start = self.T_0 * (self.T_mult ** n - 1) // (self.T_mult - 1)
        return t - start, self.T_0 * self.T_mult ** n

    def lr_at(self, t, base_lr):
        t_cur, t_i = self.position(t)
        return _cosine(t_cur, t_i, base_lr, self.eta_min)


class LinearLR(Schedule):
    r"""Linear warm-up (or ramp): the factor goes from ``start_factor`` to
    ``end_factor`` over ``total_iters`` steps, then stays,
    :math:`\eta_t = \eta_0 (s + (e - s)\min(t, T)/T)`."""

    def __init__(self, optimizer, start_factor: float = 1 / 3,
                 end_factor: float = 1.0, total_iters: int = 5):
        self.start_factor = real_number("start_factor", start_factor,
                                        low=0, high=1, low_open=True)
        self.end_factor = real_number("end_factor", end_factor, low=0,
                                      high=1)
        self.total_iters = whole_number("total_iters", total_iters)
        super().__init__(optimizer)

    def lr_at(self, t, base_lr):
        done = min(t, self.total_iters) / self.total_iters
        factor = self.start_factor + (self.end_factor
                                      - self.start_factor) * done
        return base_lr * factor


class SequentialLR(Schedule):
    """Run ``schedules[0]`` until step ``milestones[0]``, then
    ``schedules[1]`` restarted from its own step 0, and so on.

    Typical use: a :class:`LinearLR` warm-up followed by a decay such as
    :class:`CosineAnnealingLR` (Goyal et al., 2017, warm up for large
    batches). Create the parts on the same optimizer first.
    """

    def __init__(self, optimizer, schedules: list, milestones: list):
        schedules, milestones = list(schedules), list(milestones)
        if not all(isinstance(s, Schedule) for s in schedules):
            raise TypeError("schedules must be gdlab.schedules.Schedule "
                            "objects; wrap torch's with torch's SequentialLR")
        if len(milestones) != len(schedules) - 1:
            raise ValueError(f"need one milestone fewer than schedules: got "
                             f"{len(schedules)} schedules and "
                             f"{len(milestones)} milestones")
        ms = [whole_number("milestone", m) for m in milestones]
        if ms != sorted(set(ms)):
            raise ValueError(f"milestones must increase, got {ms}")
        self.schedules, self.milestones = schedules, ms
        super().__init__(optimizer)

    def lr_at(self, t, base_lr):
        start, part = 0, self.schedules[0]
        for milestone, after in zip(self.milestones, self.schedules[1:]):
            if t >= milestone:
                start, part = milestone, after
        return part.lr_at(t - start, base_lr)

    def state_dict(self) -> dict:
        state = super().state_dict()
        state["schedules"] = [s.state_dict() for s in self.schedules]
        return state

    def load_state_dict(self, state: dict) -> None:
        state = dict(state)
        for part, saved in zip(self.schedules, state.pop("schedules")):
            part.load_state_dict(saved)
        self.__dict__.update(state)
