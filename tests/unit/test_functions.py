import math

import pytest
import torch
from torch.autograd.functional import hessian

from gdlab import functions

OBJECTIVES = [functions.Quadratic(condition=25, angle=0.4),
              functions.Rosenbrock(), functions.Rosenbrock(a=-0.5, b=10),
              functions.Saddle(), functions.Absolute()]
gen = torch.Generator().manual_seed(0)
POINTS = torch.randn(20, 2, generator=gen, dtype=torch.float64) * 1.5


@pytest.mark.parametrize("f", OBJECTIVES, ids=repr)
def test_gradient_matches_autograd(f):
    x = POINTS.clone().requires_grad_()
    f(x).sum().backward()
    torch.testing.assert_close(f.grad(POINTS), x.grad)


@pytest.mark.parametrize("f", OBJECTIVES, ids=repr)
def test_gradient_matches_finite_differences(f):
    h = 1e-6
    for point in POINTS[:5]:
        fd = torch.stack([(f(point + h * e) - f(point - h * e)) / (2 * h)
                          for e in torch.eye(2, dtype=torch.float64)])
        torch.testing.assert_close(f.grad(point), fd, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("f", OBJECTIVES, ids=repr)
def test_hessian_matches_autograd(f):
    for point in POINTS[:5]:
        torch.testing.assert_close(f.hessian(point), hessian(f, point))


def test_batched_shapes_and_minima():
    grid = torch.zeros(4, 3, 2, dtype=torch.float64)
    for f in OBJECTIVES:
        assert f(grid).shape == (4, 3)
        assert f.grad(grid).shape == (4, 3, 2)
        if hasattr(f, "minimum"):
            at_min = torch.tensor(f.minimum, dtype=torch.float64)
            assert f(at_min) == 0
            assert torch.all(f.grad(at_min) == 0)


def test_quadratic_condition_number():
    f = functions.Quadratic(condition=50, angle=1.0)
    eig = torch.linalg.eigvalsh(f.matrix)
    assert eig.max() / eig.min() == pytest.approx(50)


def test_absolute_subgradient_at_the_kink():
    f = functions.Absolute()
    zero = torch.zeros(2, dtype=torch.float64)
    assert torch.equal(f.grad(zero), zero)
    with pytest.raises(ValueError, match="no Hessian"):
        f.hessian(zero)


@pytest.mark.parametrize("make, error, words", [
    (lambda: functions.Quadratic(condition=0.5), ValueError, "condition"),
    (lambda: functions.Rosenbrock(b=0), ValueError, "b must be > 0"),
    (lambda: functions.Quadratic(angle=math.inf), ValueError, "finite"),
    (lambda: functions.Saddle()(torch.zeros(3)), ValueError, "length 2"),
    (lambda: functions.Saddle()([1.0, 2.0]), TypeError, "torch.Tensor"),
])
def test_bad_input(make, error, words):
    with pytest.raises(error, match=words):
        make()
