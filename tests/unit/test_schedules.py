"""Closed-form schedules equal torch's recursive lr_scheduler step by step."""
import pytest
import torch
from torch.optim import lr_scheduler as torch_sched

import gdlab.optim
from gdlab import one_cycle, schedules

CASES = [
    ("StepLR", dict(step_size=7, gamma=0.5)),
    ("StepLR", dict(step_size=1, gamma=0.9)),
    ("ExponentialLR", dict(gamma=0.95)),
    ("CosineAnnealingLR", dict(T_max=25)),
    ("CosineAnnealingLR", dict(T_max=10, eta_min=0.01)),
    ("CosineAnnealingWarmRestarts", dict(T_0=10)),
    ("CosineAnnealingWarmRestarts", dict(T_0=5, T_mult=2, eta_min=1e-3)),
    ("CosineAnnealingWarmRestarts", dict(T_0=3, T_mult=3)),
    ("LinearLR", dict(start_factor=0.01, total_iters=10)),
    ("LinearLR", dict(start_factor=0.25, end_factor=0.5, total_iters=8)),
    ("OneCycleLR", dict(max_lr=1.0, total_steps=100)),
    ("OneCycleLR", dict(max_lr=0.5, total_steps=57, pct_start=0.25,
                        anneal_strategy="linear")),
    ("OneCycleLR", dict(max_lr=0.5, total_steps=80, three_phase=True)),
    ("OneCycleLR", dict(max_lr=0.5, total_steps=40, cycle_momentum=False,
                        div_factor=10.0, final_div_factor=100.0)),
]


def ours(name):
    return getattr(one_cycle if name == "OneCycleLR" else schedules, name)


def trace(make_sched, optimizer_cls, n_steps):
    params = [torch.nn.Parameter(torch.zeros(2))]
    opt = optimizer_cls(params, lr=0.1, momentum=0.9)
    sched = make_sched(opt)
    rows = []
    for _ in range(n_steps):
        group = opt.param_groups[0]
        rows.append((group["lr"], group["momentum"]))
        opt.step()
        sched.step()
    return rows


@pytest.mark.parametrize("name, kwargs", CASES)
def test_schedule_equals_torch(name, kwargs):
    n = kwargs.get("total_steps", 120)
    mine = trace(lambda o: ours(name)(o, **kwargs), gdlab.optim.SGD, n)
    ref = trace(lambda o: getattr(torch_sched, name)(o, **kwargs),
                torch.optim.SGD, n)
    assert len({round(lr, 12) for lr, _ in ref}) > 3, "a flat schedule"
    for t, ((lr, mom), (lr_ref, mom_ref)) in enumerate(zip(mine, ref)):
        assert lr == pytest.approx(lr_ref, rel=1e-9, abs=1e-15), f"step {t}"
        assert mom == pytest.approx(mom_ref, rel=1e-12), f"step {t}"


def test_one_cycle_drives_adam_beta1_and_refuses_overrun():
    params = [torch.nn.Parameter(torch.zeros(2))]
    opt = gdlab.optim.Adam(params, lr=0.1)
    sched = one_cycle.OneCycleLR(opt, max_lr=1.0, total_steps=10)
    assert opt.param_groups[0]["betas"][0] == pytest.approx(0.95)
    for _ in range(10):
        sched.step()
    with pytest.raises(ValueError, match="total_steps is 10"):
        sched.step()


def test_state_dict_round_trip_resumes_the_schedule():
    def fresh():
        opt = gdlab.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
        return opt, schedules.CosineAnnealingWarmRestarts(opt, T_0=4,
                                                          T_mult=2)
    opt, sched = fresh()
    for _ in range(9):
        sched.step()
    saved = sched.state_dict()
    opt2, sched2 = fresh()
    sched2.load_state_dict(saved)
    sched.step()
    sched2.step()
    assert sched2.get_last_lr() == sched.get_last_lr()


@pytest.mark.parametrize("make, error, words", [
    (lambda o: schedules.StepLR(o, step_size=0), ValueError, "step_size"),
    (lambda o: schedules.StepLR(o, step_size=2.5), TypeError, "step_size"),
    (lambda o: schedules.ExponentialLR(o, gamma=float("nan")), ValueError,
     "gamma must be finite"),
    (lambda o: schedules.CosineAnnealingLR(o, T_max=10, eta_min=-1),
     ValueError, "eta_min"),
    (lambda o: one_cycle.OneCycleLR(o, max_lr=1, total_steps=10,
                                    pct_start=1.5), ValueError, "pct_start"),
    (lambda o: one_cycle.OneCycleLR(o, max_lr=1, total_steps=10,
                                    anneal_strategy="cosine"), ValueError,
     "anneal_strategy"),
    (lambda o: schedules.StepLR("sgd", step_size=1), TypeError,
     "torch.optim.Optimizer"),
])
def test_bad_arguments(make, error, words):
    opt = gdlab.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    with pytest.raises(error, match=words):
        make(opt)


def test_cycle_momentum_needs_momentum():
    opt = torch.optim.Adagrad([torch.nn.Parameter(torch.zeros(1))])
    with pytest.raises(ValueError, match="cycle_momentum"):
        one_cycle.OneCycleLR(opt, max_lr=1.0, total_steps=5)


SEQUENCES = [
    ([("LinearLR", dict(start_factor=0.01, total_iters=10)),
      ("CosineAnnealingLR", dict(T_max=90))], [10]),
    ([("LinearLR", dict(start_factor=0.1, total_iters=5)),
      ("StepLR", dict(step_size=7, gamma=0.5)),
      ("ExponentialLR", dict(gamma=0.9))], [8, 30]),
]


@pytest.mark.parametrize("parts, milestones", SEQUENCES)
def test_warm_up_then_decay_equals_torch_sequential(parts, milestones):
    def make(module, cls):
        return lambda o: cls(o, [getattr(module, name)(o, **kw)
                                 for name, kw in parts], milestones)
    mine = trace(make(schedules, schedules.SequentialLR), gdlab.optim.SGD,
                 120)
    ref = trace(make(torch_sched, torch_sched.SequentialLR),
                torch.optim.SGD, 120)
    for t, ((lr, _), (lr_ref, _)) in enumerate(zip(mine, ref)):
        assert lr == pytest.approx(lr_ref, rel=1e-9, abs=1e-15), f"step {t}"


def test_sequential_refuses_bad_milestones():
    opt = gdlab.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    parts = [schedules.LinearLR(opt), schedules.ExponentialLR(opt, 0.9)]
    with pytest.raises(ValueError, match="one milestone fewer"):
        schedules.SequentialLR(opt, parts, [3, 5])
    with pytest.raises(TypeError, match="Schedule"):
        schedules.SequentialLR(opt, [parts[0], object()], [3])
    with pytest.raises(ValueError, match="start_factor"):
        schedules.LinearLR(opt, start_factor=0.0)
