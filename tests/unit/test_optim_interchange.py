"""gdlab.optim and torch.optim can swap state mid-run, step for step.

The reference is torch's single-tensor path (``foreach=False``), which does
the same arithmetic in the same order, so the parameters must be equal bit
for bit, in float32 and in float64.
"""
import copy

import pytest
import torch

from gdlab import optim
from optim_problem import problem, steps

CASES = [
    ("SGD", dict(lr=0.05)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.1)),
    ("SGD", dict(lr=0.002, momentum=0.5, maximize=True)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.1)),
    ("Adagrad", dict(lr=0.1, initial_accumulator_value=0.2,
                     maximize=True)),
    ("RMSprop", dict(lr=1e-2)),
    ("RMSprop", dict(lr=1e-2, centered=True)),
    ("RMSprop", dict(lr=1e-2, momentum=0.9, weight_decay=0.1)),
    ("RMSprop", dict(lr=1e-2, centered=True, momentum=0.5, alpha=0.9)),
    ("Adam", dict(lr=1e-2)),
    ("Adam", dict(lr=1e-2, amsgrad=True, weight_decay=0.1)),
    ("Adam", dict(lr=1e-2, betas=(0.8, 0.99), maximize=True)),
    ("Adam", dict(lr=1e-2, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict(lr=1e-2)),
    ("AdamW", dict(lr=1e-2, weight_decay=0.3, amsgrad=True)),
]
IDS = [f"{name}-{sorted(kw.items())}" for name, kw in CASES]
DTYPES = [torch.float32, torch.float64]


def torch_opt(name, params, kwargs):
    return getattr(torch.optim, name)(params, foreach=False, **kwargs)


def gdlab_opt(name, params, kwargs):
    return getattr(optim, name)(params, **kwargs)


def swap_mid_run(first, second, name, kwargs, dtype):
    """Run ``first`` 20 steps, hand its state to ``second`` (a saved copy,
    as ``torch.save``/``torch.load`` would give) and continue both."""
    params_a, loss_a = problem(dtype)
    params_b, loss_b = problem(dtype)
    opt_a = first(name, params_a, kwargs)
    steps(opt_a, params_a, loss_a, 20)
    with torch.no_grad():
        for a, b in zip(params_a, params_b):
            b.copy_(a)
    opt_b = second(name, params_b, kwargs)
    opt_b.load_state_dict(copy.deepcopy(opt_a.state_dict()))
    start = torch.cat([p.detach().flatten() for p in params_a])
    end_a = steps(opt_a, params_a, loss_a, 25)     # a state read wrongly
    end_b = steps(opt_b, params_b, loss_b, 25)     # shows at once
    assert torch.isfinite(end_a).all(), "the run diverged"
    assert (end_a - start).abs().max() > 1e-4, "a weak test: no motion"
    return end_a, end_b


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name, kwargs", CASES, ids=IDS)
def test_torch_state_dict_continues_in_gdlab(name, kwargs, dtype):
    ref, mine = swap_mid_run(torch_opt, gdlab_opt, name, kwargs, dtype)
    assert torch.equal(mine, ref), (mine - ref).abs().max()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name, kwargs", CASES, ids=IDS)
def test_gdlab_state_dict_continues_in_torch(name, kwargs, dtype):
    mine, ref = swap_mid_run(gdlab_opt, torch_opt, name, kwargs, dtype)
    assert torch.equal(mine, ref), (mine - ref).abs().max()


IMPL = ["foreach", "differentiable", "fused", "capturable"]
NEWER_KEYS = {                  # the group keys torch's __setstate__ fills
    "SGD": ["nesterov", "maximize"] + IMPL,
    "Adagrad": ["maximize"] + IMPL,
    "RMSprop": ["momentum", "centered", "maximize"] + IMPL,
    "Adam": ["amsgrad", "maximize", "decoupled_weight_decay"] + IMPL,
}
NEWER_KEYS["AdamW"] = NEWER_KEYS["Adam"]


@pytest.mark.parametrize("name", sorted(NEWER_KEYS))
def test_old_state_dict_gets_torch_defaults(name):
    """Keys missing from an older state_dict get torch's fill-in values."""
    params, loss_fn = problem(torch.float64)
    source = torch_opt(name, params, dict(lr=1e-2))
    steps(source, params, loss_fn, 3)
    old = copy.deepcopy(source.state_dict())
    for group in old["param_groups"]:
        for key in NEWER_KEYS[name]:
            group.pop(key, None)
    mine = gdlab_opt(name, params, dict(lr=1e-2))
    ref = torch_opt(name, [torch.nn.Parameter(p.detach().clone())
                           for p in params], dict(lr=1e-2))
    mine.load_state_dict(copy.deepcopy(old))
    ref.load_state_dict(copy.deepcopy(old))
    assert set(mine.MISSING_GROUP_KEYS) <= set(mine.param_groups[0])
    for key in mine.MISSING_GROUP_KEYS:
        assert mine.param_groups[0][key] == ref.param_groups[0][key], key
    assert set(mine.MISSING_GROUP_KEYS) == \
        set(NEWER_KEYS[name]) - set(IMPL)
    ours = steps(mine, params, loss_fn, 5)          # no KeyError
    assert torch.isfinite(ours).all()


def test_sgd_without_momentum_keeps_no_state():
    for make in (gdlab_opt, torch_opt):
        params, loss_fn = problem(torch.float64)
        opt = make("SGD", params, dict(lr=0.1, weight_decay=0.1))
        steps(opt, params, loss_fn, 3)
        assert len(opt.state) == 0 and opt.state_dict()["state"] == {}


TENSOR_CASES = [
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("Adagrad", dict(lr=0.1)),
    ("RMSprop", dict(lr=1e-2, momentum=0.5)),
    ("Adam", dict(lr=1e-2, betas=(0.8, 0.99))),
    ("AdamW", dict(lr=1e-2, betas=(0.8, 0.99), weight_decay=0.1)),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name, kwargs", TENSOR_CASES,
                         ids=[n for n, _ in TENSOR_CASES])
def test_tensor_lr_and_betas_as_torch(name, kwargs, dtype):
    def tensorise(kw):
        kw = dict(kw, lr=torch.tensor(kw["lr"]))
        if "betas" in kw:
            kw["betas"] = tuple(map(torch.tensor, kw["betas"]))
        return kw
    ends = []
    for make in (gdlab_opt, torch_opt):
        params, loss_fn = problem(dtype)
        opt = make(name, params, tensorise(kwargs))
        ends.append(steps(opt, params, loss_fn, 50))
    assert torch.equal(*ends)


@pytest.mark.parametrize("name", ["SGD", "Adagrad", "RMSprop", "Adam"])
@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -0.1])
def test_tensor_lr_still_validated(name, bad):
    p = [torch.nn.Parameter(torch.zeros(2))]
    with pytest.raises(ValueError, match="learning rate"):
        gdlab_opt(name, p, dict(lr=torch.tensor(bad)))
    with pytest.raises(ValueError, match="1-element"):
        gdlab_opt(name, p, dict(lr=torch.tensor([0.1, 0.2])))


def test_tensor_betas_validated():
    p = [torch.nn.Parameter(torch.zeros(2))]
    with pytest.raises(ValueError, match="beta parameter at index 1"):
        optim.Adam(p, betas=(torch.tensor(0.9), torch.tensor(1.0)))
    with pytest.raises(ValueError, match="both floats or both Tensors"):
        optim.Adam(p, betas=(torch.tensor(0.9), 0.999))


def test_adagrad_state_exists_before_the_first_step_as_in_torch():
    """torch creates Adagrad's accumulator at construction; so does
    gdlab, and torch's state_dict from before any step continues in
    gdlab bit for bit."""
    for dtype in DTYPES:
        params_a, _ = problem(dtype)
        params_b, _ = problem(dtype)
        kwargs = dict(lr=0.1, initial_accumulator_value=0.3)
        ours = optim.Adagrad(params_a, **kwargs)
        theirs = torch.optim.Adagrad(params_b, foreach=False, **kwargs)
        mine, ref = ours.state_dict()["state"], theirs.state_dict()["state"]
        assert mine.keys() == ref.keys() == set(range(len(params_a)))
        for key in ref:
            assert float(mine[key]["step"]) == float(ref[key]["step"]) == 0
            assert torch.equal(mine[key]["sum"], ref[key]["sum"])
        # torch's untouched state loaded into gdlab: both then run alike
        params_a, loss_a = problem(dtype)
        params_b, loss_b = problem(dtype)
        ours = optim.Adagrad(params_a, **kwargs)
        theirs = torch.optim.Adagrad(params_b, foreach=False, **kwargs)
        ours.load_state_dict(copy.deepcopy(theirs.state_dict()))
        assert torch.equal(steps(ours, params_a, loss_a, 20),
                           steps(theirs, params_b, loss_b, 20))
