"""Heavy-ball analysis against eigvals, simulated runs and torch.optim."""

import numpy as np
import pytest
import torch

from gdlab import heavy_ball as hb


@pytest.mark.parametrize("a,b,lam", [(0.1, 0.5, 3.0), (0.5, 0.9, 7.0),
                                     (0.01, 0.0, 2.0), (0.3, 0.2, 1.0)])
def test_spectral_radius_matches_eigvals(a, b, lam):
    T = hb.iteration_matrix(a, b, lam)
    expected = np.abs(np.linalg.eigvals(T)).max()
    assert hb.spectral_radius(a, b, lam) == pytest.approx(expected,
                                                          rel=1e-10)


def test_matrix_reproduces_torch_heavy_ball():
    # torch's SGD momentum with a constant rate is the heavy ball
    a, b, lam = 0.05, 0.8, 4.0
    x = torch.tensor([1.0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([x], lr=a, momentum=b)
    state = np.array([1.0, 1.0])      # x_0 = x_{-1}: zero velocity
    T = hb.iteration_matrix(a, b, lam)
    for _ in range(30):
        opt.zero_grad()
        (0.5 * lam * x ** 2).sum().backward()
        opt.step()
        state = T @ state
        assert x.item() == pytest.approx(state[0], rel=1e-9, abs=1e-14)


def test_stability_boundary():
    lam, b = 2.0, 0.6
    edge = 2 * (1 + b) / lam
    assert hb.spectral_radius(0.999 * edge, b, lam) < 1
    assert hb.spectral_radius(1.001 * edge, b, lam) > 1


def test_polyak_parameters_reach_the_rate():
    m, L = 1.0, 100.0
    a, b = hb.polyak_parameters(m, L)
    rho = hb.momentum_rate(L / m)
    lams = np.linspace(m, L, 201)
    assert hb.spectral_radius(a, b, lams).max() == pytest.approx(rho,
                                                                 rel=1e-6)
    # no better pair on a grid around it
    grid_a = np.linspace(0.5 * a, 1.5 * a, 41)[:, None, None]
    grid_b = np.linspace(0.5 * b, min(0.999, 1.3 * b), 41)[None, :, None]
    worst = hb.spectral_radius(grid_a, grid_b, lams).max(-1)
    assert worst.min() >= rho - 1e-9


def test_critical_momentum_gives_double_root():
    a, lam = 0.2, 2.0
    b = float(hb.critical_momentum(a, lam))
    z = np.linalg.eigvals(hb.iteration_matrix(a, b, lam))
    np.testing.assert_allclose(z, [np.sqrt(b)] * 2, atol=1e-6)
    # beyond lr * curvature = 1 the double root is negative
    b = float(hb.critical_momentum(0.5, 4.5))        # h = 2.25
    z = np.linalg.eigvals(hb.iteration_matrix(0.5, b, 4.5))
    np.testing.assert_allclose(z, [-np.sqrt(b)] * 2, atol=1e-6)
    # and it is the fastest momentum for that h (brute force)
    grid = np.linspace(0, 0.99, 991)
    best = grid[np.argmin(hb.spectral_radius(0.5, grid, 4.5))]
    assert abs(best - b) < 2e-3


def test_rates():
    k = np.array([1.0, 4.0, 100.0])
    np.testing.assert_allclose(hb.gd_rate(k), [0, 0.6, 99 / 101])
    np.testing.assert_allclose(hb.momentum_rate(k), [0, 1 / 3, 9 / 11])


def test_errors():
    with pytest.raises(TypeError, match="lr"):
        hb.spectral_radius("fast", 0.5, 1.0)
    with pytest.raises(ValueError, match="momentum"):
        hb.spectral_radius(0.1, -0.5, 1.0)
    with pytest.raises(ValueError, match="smaller learning rate"):
        hb.critical_momentum(4.0, 1.0)
    with pytest.raises(ValueError, match="largest"):
        hb.polyak_parameters(2.0, 1.0)
    with pytest.raises(ValueError, match="condition"):
        hb.gd_rate(0.5)
