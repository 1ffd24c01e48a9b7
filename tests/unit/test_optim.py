"""gdlab's optimizers follow torch.optim step for step, in float64."""
import copy

import pytest
import torch

from gdlab import optim



@pytest.fixture(autouse=True)
def float64():
    """Every test here runs in float64, and leaves the default as it was."""
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)


def least_squares():
    gen = torch.Generator().manual_seed(0)
    A, b = torch.randn(30, 5, generator=gen), torch.randn(30, generator=gen)
    x = torch.nn.Parameter(torch.randn(5, generator=gen))
    return [x], lambda: ((A @ x - b) ** 2).mean()


def rosenbrock():
    xy = torch.nn.Parameter(torch.tensor([-1.5, 2.0]))
    return [xy], lambda: (1 - xy[0]) ** 2 + 100 * (xy[1] - xy[0] ** 2) ** 2


def mlp():
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(),
                              torch.nn.Linear(8, 1)).double()
    gen = torch.Generator().manual_seed(1)
    X, y = torch.randn(40, 3, generator=gen), torch.randn(40, 1,
                                                          generator=gen)
    return list(net.parameters()), \
        lambda: torch.nn.functional.mse_loss(net(X), y)


PROBLEMS = {"least_squares": least_squares, "rosenbrock": rosenbrock,
            "mlp": mlp}


def run(make_opt, problem, n_steps):
    """Parameters after every step of ``n_steps`` with a fresh problem."""
    params, loss_fn = PROBLEMS[problem]()
    opt = make_opt(params)
    path = []
    for _ in range(n_steps):
        opt.zero_grad()
        loss_fn().backward()
        opt.step()
        path.append(torch.cat([p.detach().flatten() for p in params]))
    return torch.stack(path), opt


def assert_same_trajectory(ours, theirs, kwargs, problem, n_steps=100):
    """Every step of ``n_steps`` agrees. A wrong rule shows within the
    first few steps; AMSGrad's maximum first acts after 5 to 10, and a
    misplaced ``eps`` grows as the second moment shrinks."""
    mine, _ = run(lambda p: ours(p, **kwargs), problem, n_steps)
    ref, _ = run(lambda p: theirs(p, **kwargs), problem, n_steps)
    assert torch.isfinite(ref).all(), "the reference run diverged"
    moved = (ref[-1] - ref[0]).abs().max()
    assert moved > 1e-3, "the reference hardly moved; a weak test"
    torch.testing.assert_close(mine, ref, rtol=1e-10, atol=1e-10)


SGD_OPTIONS = [
    dict(lr=0.01), dict(lr=0.01, momentum=0.9),
    dict(lr=0.01, momentum=0.9, dampening=0.5),
    dict(lr=0.01, momentum=0.9, nesterov=True),
    dict(lr=0.01, momentum=0.5, weight_decay=0.1),
    dict(lr=0.01, weight_decay=0.1, maximize=False),
]
RMSPROP_OPTIONS = [
    dict(lr=1e-3), dict(lr=1e-3, alpha=0.9, eps=1e-6),
    dict(lr=1e-3, momentum=0.9), dict(lr=1e-3, centered=True),
    dict(lr=1e-3, centered=True, momentum=0.5, weight_decay=0.1),
]
ADAM_OPTIONS = [
    dict(lr=1e-2), dict(lr=1e-2, betas=(0.8, 0.99), eps=1e-6),
    dict(lr=1e-2, amsgrad=True), dict(lr=1e-2, weight_decay=0.1),
    dict(lr=1e-2, weight_decay=0.1, amsgrad=True),
    dict(lr=1e-2, weight_decay=0.1, decoupled_weight_decay=True),
]
ADAMW_OPTIONS = [dict(lr=1e-2), dict(lr=1e-2, weight_decay=0.3),
                 dict(lr=1e-2, amsgrad=True)]
ADAGRAD_OPTIONS = [
    dict(lr=0.1), dict(lr=0.1, lr_decay=0.01),
    dict(lr=0.1, weight_decay=0.1),
    dict(lr=0.1, initial_accumulator_value=0.5, eps=1e-6),
    dict(lr=0.1, lr_decay=0.05, weight_decay=0.2,
         initial_accumulator_value=0.1, eps=1e-4),
]
NAMES = ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW"]
CASES = ([("SGD", o) for o in SGD_OPTIONS]
         + [("Adagrad", o) for o in ADAGRAD_OPTIONS]
         + [("RMSprop", o) for o in RMSPROP_OPTIONS]
         + [("Adam", o) for o in ADAM_OPTIONS]
         + [("AdamW", o) for o in ADAMW_OPTIONS])


@pytest.mark.parametrize("problem", sorted(PROBLEMS))
@pytest.mark.parametrize("name, kwargs", CASES,
                         ids=[f"{n}-{sorted(o.items())}" for n, o in CASES])
def test_trajectory_equals_torch(name, kwargs, problem):
    lr_scale = 0.1 if problem == "rosenbrock" and name == "SGD" else 1.0
    kwargs = {**kwargs, "lr": kwargs["lr"] * lr_scale}
    assert_same_trajectory(getattr(optim, name), getattr(torch.optim, name),
                           kwargs, problem)


@pytest.mark.parametrize("name", NAMES)
def test_maximize_climbs(name):
    def neg_bowl():
        x = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
        return [x], lambda: -(x ** 2).sum()
    PROBLEMS["neg_bowl"] = neg_bowl
    try:
        mine, _ = run(lambda p: getattr(optim, name)(p, lr=0.01,
                                                      maximize=True),
                      "neg_bowl", 50)
        ref, _ = run(lambda p: getattr(torch.optim, name)(p, lr=0.01,
                                                           maximize=True),
                     "neg_bowl", 50)
    finally:
        del PROBLEMS["neg_bowl"]
    torch.testing.assert_close(mine, ref, rtol=1e-10, atol=1e-10)
    assert mine[-1].abs().max() < 2.0          # climbing -|x|^2 shrinks x


@pytest.mark.parametrize("name", NAMES)
def test_defaults_match_torch(name):
    p = [torch.nn.Parameter(torch.zeros(2))]
    ours = getattr(optim, name)(p).defaults
    theirs = getattr(torch.optim, name)(p).defaults
    for key, value in ours.items():
        assert theirs[key] == value, f"{name}: default {key} differs"


INVALID = {
    "SGD": [dict(lr=-1.0), dict(momentum=-0.1), dict(weight_decay=-1.0),
            dict(nesterov=True), dict(nesterov=True, momentum=0.9,
                                      dampening=0.1)],
    "Adagrad": [dict(lr=-1.0), dict(lr_decay=-0.1), dict(weight_decay=-1.0),
                dict(initial_accumulator_value=-1.0), dict(eps=-1e-10)],
    "RMSprop": [dict(lr=-1.0), dict(alpha=-0.5), dict(eps=-1e-8),
                dict(momentum=-0.1), dict(weight_decay=-1.0)],
    "Adam": [dict(lr=-1.0), dict(eps=-1.0), dict(betas=(1.0, 0.999)),
             dict(betas=(0.9, 1.0)), dict(betas=(-0.1, 0.9)),
             dict(weight_decay=-1.0)],
}
INVALID["AdamW"] = INVALID["Adam"]
VALID = {
    "SGD": [dict(lr=0.0), dict(momentum=0.0, dampening=-1.0),
            dict(nesterov=True, momentum=0.1)],
    "Adagrad": [dict(lr=0.0), dict(eps=0.0), dict(lr_decay=10.0)],
    "RMSprop": [dict(alpha=0.0), dict(alpha=1.5), dict(eps=0.0)],
    "Adam": [dict(betas=(0.0, 0.0)), dict(eps=0.0), dict(lr=0.0)],
}
VALID["AdamW"] = VALID["Adam"]


@pytest.mark.parametrize("name", sorted(INVALID))
def test_invalid_hyper_parameters_rejected_where_torch_rejects(name):
    p = [torch.nn.Parameter(torch.zeros(2))]
    for kwargs in INVALID[name]:
        with pytest.raises(ValueError):
            getattr(torch.optim, name)(p, **kwargs)
        with pytest.raises(ValueError, match="Invalid|Nesterov"):
            getattr(optim, name)(p, **kwargs)
    for kwargs in VALID[name]:
        getattr(torch.optim, name)(p, **kwargs)
        getattr(optim, name)(p, **kwargs)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "0.1", True])
def test_non_finite_or_non_numeric_lr(name, bad):
    p = [torch.nn.Parameter(torch.zeros(2))]
    error = ValueError if isinstance(bad, float) else TypeError
    with pytest.raises(error, match="learning rate"):
        getattr(optim, name)(p, lr=bad)


def test_state_is_lazy_and_torch_compatible():
    params, loss_fn = least_squares()
    opt = optim.Adam(params, lr=0.01, amsgrad=True)
    assert len(opt.state) == 0
    loss_fn().backward()
    opt.step()
    state = opt.state[params[0]]
    assert set(state) == {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}
    ref = torch.optim.Adam([torch.nn.Parameter(params[0].detach().clone())],
                           lr=0.01, amsgrad=True)
    ref.load_state_dict(opt.state_dict())       # same keys, loads cleanly
    assert ref.param_groups[0]["lr"] == 0.01


def test_closure_returns_loss_and_scheduler_drives_lr():
    params, loss_fn = least_squares()
    opt = optim.SGD(params, lr=0.1)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)

    def closure():
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        return loss

    first = opt.step(closure)
    sched.step()
    assert opt.param_groups[0]["lr"] == pytest.approx(0.05)
    assert opt.step(closure) < first


def test_sparse_and_complex_are_refused():
    z = torch.nn.Parameter(torch.zeros(2, dtype=torch.complex128))
    z.grad = torch.ones_like(z)
    with pytest.raises(TypeError, match="dense real"):
        optim.SGD([z], lr=0.1).step()


def test_parameters_without_grad_are_skipped():
    a, b = torch.nn.Parameter(torch.ones(2)), torch.nn.Parameter(torch.ones(2))
    (a ** 2).sum().backward()
    optim.Adam([a, b], lr=0.1).step()
    assert torch.equal(b, torch.ones(2)) and not torch.equal(a, torch.ones(2))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("kwargs", ADAGRAD_OPTIONS + [
    dict(lr=0.1, maximize=True, lr_decay=0.01, weight_decay=0.1)])
def test_adagrad_bitwise_equal_to_torch_single_tensor(kwargs, dtype):
    torch.set_default_dtype(dtype)
    mine, _ = run(lambda p: optim.Adagrad(p, **kwargs), "least_squares", 60)
    ref, opt = run(lambda p: torch.optim.Adagrad(p, foreach=False,
                                                 **kwargs),
                 "least_squares", 60)
    assert mine.dtype == dtype and (ref[-1] - ref[0]).abs().max() > 1e-3
    assert torch.equal(mine, ref)


def test_adagrad_step_shrinks_like_one_over_root_t():
    """A constant gradient g gives steps eta |g| / (sqrt(t) |g| + eps)."""
    x = torch.nn.Parameter(torch.zeros(1))
    opt = optim.Adagrad([x], lr=1.0, eps=0.0)
    previous = []
    for _ in range(16):
        x.grad = torch.full((1,), 3.0)
        before = x.item()
        opt.step()
        previous.append(before - x.item())
    t = torch.arange(1, 17, dtype=torch.float64)
    torch.testing.assert_close(torch.tensor(previous), 1 / t.sqrt())
