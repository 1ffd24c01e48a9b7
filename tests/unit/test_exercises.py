"""Every exercise checker accepts a right answer and rejects a wrong one."""

import math

import numpy as np
import pytest
import torch
from torch import nn

import gdlab
from gdlab import exercises

data = gdlab.linear_data()
x, y = data.x_train, data.y_train


def test_close_and_less():
    exercises.check_close("v", torch.tensor([1.0, 2.0]), [1, 2])
    exercises.check_less("a", 1, 2)
    with pytest.raises(AssertionError, match="expected shape"):
        exercises.check_close("v", [1, 2], [1, 2, 3])
    with pytest.raises(AssertionError, match="expected less than 1"):
        exercises.check_less("a", 2, 1)
    with pytest.raises(ValueError, match="rtol must be >= 0"):
        exercises.check_close("v", 1, 1, rtol=-1)
    with pytest.raises(ValueError, match="NaN"):
        exercises.check_close("v", [np.nan], [1.0])
    with pytest.raises(ValueError, match="threshold must be a single number"):
        exercises.check_best_f1_threshold([0.5, 0.6], [0, 1], [0.2, 0.8])


def test_chapter_1_checkers():
    b, w = gdlab.closed_form(x, y)
    exercises.check_least_squares_line(b, w, x, y)
    exercises.check_least_squares_line(torch.tensor([b]), w, x, y)
    exercises.check_stable_lr(0.81, x)      # 2/lambda ~ 0.806
    mse = float(np.mean((b + w * data.x_val - data.y_val) ** 2))
    exercises.check_mse(mse, data.x_val, data.y_val, b, w)
    with pytest.raises(AssertionError, match=r"\(b, w\): expected"):
        exercises.check_least_squares_line(1.0, 2.0, x, y)
    with pytest.raises(AssertionError, match="largest stable"):
        exercises.check_stable_lr(0.5, x)
    with pytest.raises(ValueError, match="answer must be > 0"):
        exercises.check_stable_lr(-1.0, x)
    with pytest.raises(ValueError, match="single number"):
        exercises.check_mse([1.0, 2.0], x, y, b, w)


def test_largest_stable_lr_matches_divergence_by_experiment():
    lr = exercises.largest_stable_lr(x)
    gdlab.gradient_descent(x, y, 0, 0, lr=0.98 * lr, n_epochs=300)
    exercises.check_divergence(False, 0.9 * lr, x)
    with pytest.raises(gdlab.DivergenceError):
        gdlab.gradient_descent(x, y, 0, 0, lr=1.05 * lr, n_epochs=300)
    exercises.check_divergence(True, 1.1 * lr, x)
    with pytest.raises(AssertionError, match="predicts the opposite"):
        exercises.check_divergence(True, 0.5 * lr, x)
    with pytest.raises(ValueError, match="too close|within 2%"):
        exercises.check_divergence(True, lr, x)
    with pytest.raises(TypeError, match="True or False"):
        exercises.check_divergence("yes", lr, x)


def test_derivative_against_extrapolated_difference():
    f = lambda t: math.sin(t) * math.exp(t)                  # noqa: E731
    exact = (math.cos(0.5) + math.sin(0.5)) * math.exp(0.5)
    exercises.check_derivative(exact, f, 0.5, rtol=1e-10)
    exercises.check_derivative(torch.tensor(exact), f, 0.5)
    with pytest.raises(AssertionError, match="derivative at x=0.5"):
        exercises.check_derivative(exact * (1 + 1e-5), f, 0.5)
    with pytest.raises(TypeError, match="function of one number"):
        exercises.check_derivative(exact, 3.0, 0.5)


class _Relu(torch.autograd.Function):
    @staticmethod
    def forward(ctx, z):
        ctx.save_for_backward(z)
        return z.clamp(min=0)

    @staticmethod
    def backward(ctx, grad):
        (z,) = ctx.saved_tensors
        return grad * (z > 0)


class _LeakyWrong(_Relu):
    @staticmethod
    def backward(ctx, grad):
        (z,) = ctx.saved_tensors
        return grad * ((z > 0) + 0.01 * (z <= 0))


def test_autograd_function_checker():
    z = torch.linspace(-2, 2, 40, dtype=torch.float64)
    exercises.check_autograd_function(_Relu.apply, torch.relu, z)
    with pytest.raises(AssertionError, match="gradients"):
        exercises.check_autograd_function(_LeakyWrong.apply, torch.relu, z)
    with pytest.raises(TypeError, match="float64"):
        exercises.check_autograd_function(_Relu.apply, torch.relu, z.float())


def test_layer_grad_norms():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    X, Y = torch.randn(10, 3), torch.randn(10, 1)
    nn.MSELoss()(net(X), Y).backward()
    norms = [net[0].weight.grad.norm(), net[2].weight.grad.norm()]
    exercises.check_layer_grad_norms(norms, net, nn.MSELoss(), X, Y,
                                     [net[0], net[2]])
    with pytest.raises(AssertionError, match="gradient norms"):
        exercises.check_layer_grad_norms(norms[::-1], net, nn.MSELoss(), X,
                                         Y, [net[0], net[2]])
    with pytest.raises(TypeError, match="modules with a weight"):
        exercises.check_layer_grad_norms(norms, net, nn.MSELoss(), X, Y,
                                         [nn.Tanh()])


def test_logistic_gradient():
    z = torch.linspace(-30, 30, 25, dtype=torch.float64)
    t = (torch.arange(25) % 2).double()
    exercises.check_logistic_gradient(torch.sigmoid(z) - t, z, t)
    exercises.check_logistic_gradient((torch.sigmoid(z) - t) / 25, z, t,
                                      reduction="mean")
    with pytest.raises(AssertionError):
        exercises.check_logistic_gradient(t - torch.sigmoid(z), z, t)
    with pytest.raises(ValueError, match="0s and 1s"):
        exercises.check_logistic_gradient(z, z, z)
    with pytest.raises(ValueError, match="reduction"):
        exercises.check_logistic_gradient(z, z, t, reduction="none")


def test_convergence_order_and_condition_number():
    quadratic = [10.0 ** -(2 ** k) for k in range(5)]     # 1e-1, 1e-2, 1e-4
    exercises.check_convergence_order(quadratic, order=2)
    with pytest.raises(AssertionError, match="order of convergence"):
        exercises.check_convergence_order([0.5 ** k for k in range(8)], 2)
    with pytest.raises(AssertionError, match="stopped shrinking"):
        exercises.check_convergence_order([1e-2, 1e-3, 1e-3, 1e-3], 2)
    with pytest.raises(ValueError, match="at least 3 errors"):
        exercises.check_convergence_order([1e-3, 1e-15, 0.0], 2)
    A = np.diag([1.0, 4.0, 10.0])
    exercises.check_condition_number(np.linalg.cond(A), A)
    with pytest.raises(AssertionError, match="condition number"):
        exercises.check_condition_number(4.0, A)
    with pytest.raises(ValueError, match="symmetric"):
        exercises.check_condition_number(1.0, np.ones((2, 3)))
    with pytest.raises(ValueError, match="positive definite"):
        exercises.check_condition_number(1.0, -A)


def test_polynomial_fit_and_gradient_descent_run():
    coef = np.polynomial.polynomial.polyfit(x.ravel(), y.ravel(), 2)
    exercises.check_polynomial_fit(coef, x, y)
    with pytest.raises(AssertionError, match="polynomial coefficients"):
        exercises.check_polynomial_fit(coef + [0, 0, 0.01], x, y)
    with pytest.raises(ValueError, match="need at least"):
        exercises.check_polynomial_fit(np.ones(5), x[:3], y[:3])
    run = gdlab.gradient_descent(x, y, 0.5, -0.5, lr=0.1, n_epochs=50)
    exercises.check_gradient_descent_run(run.b, run.w, x, y, 0.5, -0.5,
                                         lr=0.1, n_epochs=50)
    with pytest.raises(AssertionError, match="after gradient descent"):
        exercises.check_gradient_descent_run(run.b, run.w, x, y, 0.5, -0.5,
                                             lr=0.1, n_epochs=60)


def test_excess_loss_gradient_and_variance():
    b, w = gdlab.closed_form(x, y)
    best = float(np.mean((b + w * x - y) ** 2))
    exercises.check_excess_loss(best + 1e-4, x, y, less_than=best + 1e-3)
    with pytest.raises(AssertionError, match="not below"):
        exercises.check_excess_loss(best + 1e-2, x, y, less_than=best + 1e-3)
    with pytest.raises(AssertionError, match="below the least-squares"):
        exercises.check_excess_loss(best / 2, x, y, less_than=best)
    X = np.hstack([np.ones_like(x), x])
    wv = np.array([[0.3], [1.2]])
    grad = 2 / len(X) * X.T @ (X @ wv - y)
    exercises.check_mse_gradient(grad, X, y, wv)
    with pytest.raises(AssertionError, match="gradient"):
        exercises.check_mse_gradient(grad / 2, X, y, wv)
    with pytest.raises(ValueError, match="columns"):
        exercises.check_mse_gradient(grad, X, y, np.ones(3))
    err = 0.1 + 1.5 * x - y
    g = 2 * np.hstack([err, err * x])
    rng = np.random.default_rng(0)
    draws = np.array([g[rng.choice(len(x), 8, replace=False)].mean(0)
                      for _ in range(3000)])
    measured = ((draws - g.mean(0)) ** 2).sum(1).mean()
    exercises.check_minibatch_variance(measured, x, y, 0.1, 1.5, 8)
    with pytest.raises(AssertionError, match="batches of 8"):
        exercises.check_minibatch_variance(measured * 8, x, y, 0.1, 1.5, 8)
    with pytest.raises(ValueError, match="at least 2 samples"):
        exercises.check_minibatch_variance(1.0, x[:1], y[:1], 0.1, 1.5, 1)
    with pytest.raises(ValueError, match="at most N"):
        exercises.check_minibatch_variance(1.0, x, y, 0.1, 1.5, 1000)


def test_training_loop_checkers():
    exercises.check_batch_sizes([30, 30, 20], 80, 30)
    exercises.check_batch_sizes([16] * 5, 80, 16)
    with pytest.raises(AssertionError, match=r"expected sizes \[30, 30, 20\]"):
        exercises.check_batch_sizes([30, 30, 30], 80, 30)
    exercises.check_updates(100, n_epochs=20, n_samples=80, batch_size=16)
    with pytest.raises(AssertionError, match="make 60 updates"):
        exercises.check_updates(40, n_epochs=20, n_samples=80, batch_size=30)
    with pytest.raises(TypeError, match="integer"):
        exercises.check_updates(1.5, 1, 1, 1)


def test_schedule_and_optimizer_checkers():
    exercises.check_steps_to_tolerance(691, condition=100, factor=1e6)
    with pytest.raises(AssertionError, match="expected 691"):
        exercises.check_steps_to_tolerance(600, condition=100, factor=1e6)
    exercises.check_warm_restarts([5, 15, 35, 75], 5, 2, 100)
    with pytest.raises(AssertionError, match=r"\[5, 15, 35, 75\]"):
        exercises.check_warm_restarts([5, 10, 15], 5, 2, 100)
    g = torch.tensor([1e-3, -2.0, 50.0], dtype=torch.float64)
    p = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    p.grad = g.clone()
    gdlab.optim.Adam([p], lr=0.1).step()
    exercises.check_adam_first_step(p, g, lr=0.1)
    with pytest.raises(AssertionError, match="first Adam step"):
        exercises.check_adam_first_step(-p.detach(), g, lr=0.1)
    gs = np.random.default_rng(1).standard_normal(30)
    v, ewma = gs[0], [gs[0]]
    for gk in gs[1:]:
        v = 0.9 * v + 0.1 * gk
        ewma.append(v)
    exercises.check_ewma(ewma, gs, 0.9)
    with pytest.raises(AssertionError, match="EWMA"):
        exercises.check_ewma(ewma, gs, 0.8)
    with pytest.raises(ValueError, match="beta must be < 1"):
        exercises.check_ewma(ewma, gs, 1.0)


def _l1_trace(targets, lr, steps=400):
    c, out = 0.0, []
    for _ in range(steps):
        c -= lr * np.sign(c - targets).mean()
        out.append(c)
    return out


def test_l1_oscillation():
    targets = np.array([0.1, 0.35, 0.4137, 0.9, 1.7])
    exercises.check_l1_oscillation(_l1_trace(targets, 0.1), targets, 0.1)
    with pytest.raises(AssertionError, match="subgradient steps"):
        exercises.check_l1_oscillation(_l1_trace(targets, 0.1), targets,
                                       0.05)
    with pytest.raises(AssertionError, match="straddle"):
        exercises.check_l1_oscillation(_l1_trace(targets, 0.1, 3), targets,
                                       0.1, last=3)
    with pytest.raises(ValueError, match="odd number"):
        exercises.check_l1_oscillation([0.0, 1.0], targets[:4], 0.1)


def test_classification_checkers():
    truth = np.array([1, 0, 1, 1, 0, 0, 1, 0])
    scores = np.array([0.9, 0.8, 0.7, 0.4, 0.35, 0.3, 0.2, 0.1])
    exercises.check_f1(2 * 2 / (2 * 2 + 1 + 2), truth, scores >= 0.7)
    with pytest.raises(AssertionError, match="F1"):
        exercises.check_f1(0.9, truth, scores >= 0.7)
    exercises.check_best_f1_threshold(0.4, truth, scores)    # F1 = 0.75
    exercises.check_best_f1_threshold(0.38, truth, scores)   # same F1
    with pytest.raises(AssertionError, match="threshold 0.2"):
        exercises.check_best_f1_threshold(0.2, truth, scores)
    with pytest.raises(ValueError, match="0s and 1s"):
        exercises.check_f1(0.5, scores, truth)


def test_reproducibility_checkers():
    t64 = torch.rand(100, dtype=torch.float64,
                     generator=torch.Generator().manual_seed(0))
    lost = (t64.float().double() - t64).abs().max().item()
    exercises.check_float32_rounding(lost, t64)
    with pytest.raises(AssertionError, match="float32 rounding"):
        exercises.check_float32_rounding(lost * 2, t64)

    def seeded(seed):
        return torch.randperm(10, generator=torch.Generator().manual_seed(seed))

    exercises.check_seeded(seeded)
    with pytest.raises(AssertionError, match="global random state"):
        exercises.check_seeded(lambda s: torch.randperm(10) * 0 + s)
    with pytest.raises(AssertionError, match="not seeded"):
        exercises.check_seeded(lambda s: np.random.default_rng().random(3))
    with pytest.raises(AssertionError, match="no effect"):
        exercises.check_seeded(lambda s: torch.zeros(3))
