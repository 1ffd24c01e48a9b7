import numpy as np
import pytest
import torch
from scipy.sparse.linalg import cg as scipy_cg

import gdlab
from gdlab import functions
from gdlab.second_order import conjugate_gradient, newton


def test_cg_iterates_match_scipy():
    system = gdlab.data.linear_system(n=12, condition=30.0, seed=0)
    path = conjugate_gradient(system.A, system.b, n_steps=6)
    seen = []
    scipy_cg(system.A, system.b, x0=np.zeros(12), maxiter=6, rtol=1e-30,
             callback=lambda xk: seen.append(xk.copy()))
    np.testing.assert_allclose(path[1:], np.array(seen), rtol=1e-9,
                               atol=1e-12)


def test_cg_finishes_in_n_steps():
    system = gdlab.data.linear_system(n=15, condition=20.0, seed=1)
    path = conjugate_gradient(system.A, system.b)
    np.testing.assert_allclose(path[-1], np.linalg.solve(system.A,
                                                         system.b),
                               atol=1e-9)


def test_cg_needs_one_step_per_distinct_eigenvalue():
    rng = np.random.default_rng(2)
    V, _ = np.linalg.qr(rng.standard_normal((10, 10)))
    A = V @ np.diag([1.0] * 4 + [5.0] * 3 + [9.0] * 3) @ V.T
    b = rng.standard_normal(10)
    path = conjugate_gradient(A, b, n_steps=3)
    np.testing.assert_allclose(path[-1], np.linalg.solve(A, b), atol=1e-10)
    assert np.linalg.norm(path[2] - path[-1]) > 1e-3


def test_cg_rejects_bad_input():
    with pytest.raises(ValueError, match="symmetric"):
        conjugate_gradient([[1.0, 2.0], [0.0, 1.0]], [1.0, 1.0])
    with pytest.raises(ValueError, match="square"):
        conjugate_gradient(np.eye(3), [1.0, 1.0])
    with pytest.raises(ValueError, match="positive definite"):
        conjugate_gradient(np.diag([1.0, -1.0]), [1.0, 1.0])
    with pytest.raises(TypeError):
        conjugate_gradient("A", [1.0])


def test_newton_one_step_on_quadratic():
    q = functions.Quadratic()
    path, sizes = newton(q, q.grad, q.hessian, [2.0, -1.0], n_steps=1)
    np.testing.assert_allclose(path[-1], [0.0, 0.0], atol=1e-12)
    assert sizes.tolist() == [1.0]


def test_pure_newton_matches_hand_loop():
    rosen = functions.Rosenbrock()
    path, _ = newton(rosen, rosen.grad, rosen.hessian, [-1.5, 2.0], 4,
                     line_search=False)
    x = torch.tensor([-1.5, 2.0], dtype=torch.float64)
    for k in range(4):
        x = x - torch.linalg.solve(rosen.hessian(x), rosen.grad(x))
        np.testing.assert_allclose(path[k + 1], x.numpy(), rtol=1e-12)


def test_damped_newton_decreases_and_satisfies_armijo():
    rosen = functions.Rosenbrock()
    path, sizes = newton(rosen, rosen.grad, rosen.hessian, [-1.5, 2.0], 40)
    values = rosen(torch.as_tensor(path)).numpy()
    assert np.all(np.diff(values) <= 0)
    np.testing.assert_allclose(path[-1], [1.0, 1.0], atol=1e-8)
    for k, t in enumerate(sizes):
        x = torch.as_tensor(path[k])
        p = -torch.linalg.solve(rosen.hessian(x), rosen.grad(x))
        assert values[k + 1] <= values[k] + 1e-4 * t * float(
            rosen.grad(x) @ p) + 1e-12
        if t < 1:   # the doubled step failed the test
            assert rosen(x + 2 * t * p) > values[k] + 2e-4 * t * float(
                rosen.grad(x) @ p)


def test_newton_refuses_indefinite_hessian_with_line_search():
    saddle = functions.Saddle()
    with pytest.raises(ValueError, match="not a descent direction"):
        newton(saddle, saddle.grad, saddle.hessian, [0.5, 1.0], 3)
    path, _ = newton(saddle, saddle.grad, saddle.hessian, [1.0, 0.5], 3,
                     line_search=False)
    np.testing.assert_allclose(path[-1], [0.0, 0.0], atol=1e-12)


def test_newton_rejects_bad_arguments():
    q = functions.Quadratic()
    with pytest.raises(ValueError):
        newton(q, q.grad, q.hessian, [1.0, 1.0], 3, c=1.5)
    with pytest.raises(TypeError):
        newton(q, q.grad, q.hessian, [1.0, 1.0], 2.5)
