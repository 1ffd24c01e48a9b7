"""Property-based checks on the torch-facing API: bad input gets a named
TypeError or ValueError, never a silent NaN."""
import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import gdlab
from gdlab import clipping, functions, losses, optim, schedules

SETTINGS = settings(max_examples=25, deadline=None)
negative = st.floats(max_value=-1e-12, allow_nan=False, allow_infinity=False)
non_finite = st.sampled_from([math.nan, math.inf, -math.inf])
shapes = st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple)


@given(shape_a=shapes, shape_b=shapes)
@SETTINGS
def test_losses_refuse_mismatched_shapes(shape_a, shape_b):
    a, b = torch.rand(shape_a), torch.rand(shape_b)
    if shape_a == shape_b:
        assert torch.isfinite(losses.mse_loss(a, b))
        return
    for fn in (losses.mse_loss, losses.binary_cross_entropy,
               losses.binary_cross_entropy_with_logits):
        with pytest.raises(ValueError, match="same shape"):
            fn(a, b)


@given(bad=non_finite, where=st.integers(0, 9))
@SETTINGS
def test_losses_refuse_non_finite_input(bad, where):
    z, y = torch.zeros(10), torch.ones(10)
    z[where] = bad
    for fn in (losses.mse_loss, losses.binary_cross_entropy_with_logits):
        with pytest.raises(ValueError, match="NaN or infinite"):
            fn(z, y)


@given(dtype=st.sampled_from([torch.int64, torch.int32, torch.bool,
                              torch.complex64]))
@SETTINGS
def test_losses_refuse_non_float_dtypes(dtype):
    with pytest.raises(TypeError, match="floating dtype"):
        losses.mse_loss(torch.zeros(3, dtype=dtype), torch.zeros(3))


@given(name=st.sampled_from(["SGD", "RMSprop", "Adam", "AdamW"]),
       key=st.sampled_from(["lr", "weight_decay", "eps", "momentum"]),
       value=st.one_of(negative, non_finite))
@SETTINGS
def test_optimizers_refuse_bad_hyper_parameters(name, key, value):
    cls = getattr(optim, name)
    if key not in cls.__init__.__code__.co_varnames:
        return
    with pytest.raises(ValueError, match="Invalid"):
        cls([torch.nn.Parameter(torch.zeros(2))], **{key: value})


@given(gamma=st.one_of(negative, non_finite, st.just(0.0)))
@SETTINGS
def test_schedules_refuse_bad_gamma(gamma):
    opt = optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    with pytest.raises(ValueError, match="gamma"):
        schedules.ExponentialLR(opt, gamma=gamma)


@given(last=st.integers(1, 5).filter(lambda d: d != 2), lead=shapes)
@SETTINGS
def test_objectives_refuse_points_of_the_wrong_size(last, lead):
    x = torch.zeros(*lead, last)
    for f in (functions.Quadratic(), functions.Rosenbrock(),
              functions.Saddle(), functions.Absolute()):
        with pytest.raises(ValueError, match="length 2"):
            f(x)


@given(value=st.one_of(negative, non_finite, st.just(0.0)))
@SETTINGS
def test_clipping_refuses_bad_thresholds(value):
    p = torch.zeros(2, requires_grad=True)
    p.grad = torch.ones(2)
    with pytest.raises(ValueError, match="clip_value"):
        clipping.clip_grad_value([p], value)
    with pytest.raises(ValueError, match="max_norm"):
        clipping.clip_grad_norm([p], value)


@given(bad=non_finite)
@SETTINGS
def test_optimizer_path_refuses_non_finite_start(bad):
    with pytest.raises(ValueError, match="NaN or infinite"):
        gdlab.landscape.optimizer_path(functions.Saddle(), torch.optim.SGD,
                                       (bad, 0.0), 3, lr=0.1)


BAD_PARTS = [None, "model", 3.0, math.nan, [1.0, 2.0], torch.zeros(2, 2),
             torch.zeros(0), torch.zeros(2, 2, 2),
             torch.zeros(2, 2, dtype=torch.int64)]


def _parts():
    model = torch.nn.Linear(1, 1)
    return model, torch.nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1)


@pytest.mark.parametrize("bad", BAD_PARTS, ids=repr)
@pytest.mark.parametrize("slot", ["model", "loss_fn", "optimizer"])
def test_training_entry_points_name_a_wrong_part(slot, bad):
    """Every function that takes a model, a loss or an optimizer says
    which one is wrong before any work starts, not deep inside a loop."""
    from gdlab import lr_finder, trainer
    if slot == "loss_fn" and callable(bad):
        return
    loader = [(torch.zeros(4, 1), torch.zeros(4, 1))]
    calls = {
        "make_train_step": (trainer.make_train_step, 3),
        "make_val_step": (trainer.make_val_step, 2),
        "Trainer": (trainer.Trainer, 3),
        "lr_range_test": (lambda *a: lr_finder.lr_range_test(*a, loader),
                          3),
    }
    index = ["model", "loss_fn", "optimizer"].index(slot)
    for name, (fn, n_parts) in calls.items():
        if index >= n_parts:
            continue
        args = list(_parts())[:n_parts]
        args[index] = bad
        with pytest.raises(TypeError, match=slot):
            fn(*args)


@pytest.mark.parametrize("bad", [None, "x", 1.0, [1.0], math.inf],
                         ids=repr)
def test_same_shape_refuses_non_tensors(bad):
    from gdlab import tensors
    with pytest.raises(TypeError, match="torch.Tensor"):
        tensors.same_shape(bad, torch.zeros(1))
    with pytest.raises(TypeError, match="torch.Tensor"):
        tensors.same_shape(torch.zeros(1), bad)
