import matplotlib.pyplot as plt
import numpy as np
import pytest

import gdlab


@pytest.fixture
def grid():
    data = gdlab.linear_data()
    bs, ws = gdlab.param_grid((-1, 3), (0, 4), n=31)
    return bs, ws, gdlab.mse_surface(data.x, data.y, bs, ws)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_contour_and_path_share_the_given_axes(grid):
    fig, ax = plt.subplots()
    assert gdlab.plot_contour(*grid, ax=ax) is fig
    params = np.array([[0.0, 0.0], [0.5, 1.0], [1.0, 2.0]])
    assert gdlab.plot_path(params, ax=ax, label="gd") is fig
    path = [line for line in ax.lines if line.get_label() == "gd"][0]
    np.testing.assert_array_equal(path.get_xdata(), params[:, 0])
    assert len(ax.collections) > 0          # contour lines were drawn


def test_surface_needs_3d_axes(grid):
    fig, ax = plt.subplots()
    with pytest.raises(TypeError, match="3-D axes"):
        gdlab.plot_surface(*grid, ax=ax)
    fig = gdlab.plot_surface(*grid)
    assert fig.axes[0].name == "3d"


def test_losses_and_tangent(grid):
    fig = gdlab.plot_losses({"a": [3.0, 2.0, 1.0], "b": [1.0, 0.5, 0.2]})
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and len(ax.lines) == 2
    gdlab.plot_tangent(1.0, 2.0, 3.0, ax=ax, half_width=1.0)
    np.testing.assert_allclose(ax.lines[-2].get_ydata(), [-1.0, 5.0])


def test_mismatched_grid_is_refused(grid):
    bs, ws, losses = grid
    with pytest.raises(ValueError, match="share one 2-D shape"):
        gdlab.plot_contour(bs, ws[:-1], losses)
    with pytest.raises(ValueError, match="two columns"):
        gdlab.plot_path(np.zeros((4, 3)))
    with pytest.raises(TypeError, match="non-empty dict"):
        gdlab.plot_losses([1, 2, 3])
    with pytest.raises(ValueError, match="NaN or infinite"):
        gdlab.plot_losses({"diverged": [1.0, np.inf]})


def test_importing_changes_no_global_style():
    import importlib

    before = dict(plt.rcParams)
    importlib.reload(gdlab.plotting)
    assert dict(plt.rcParams) == before


def test_geometric_levels_rise_by_a_constant_factor(grid):
    losses = grid[2]
    n, depth = 8, 1e-3
    levels = gdlab.plotting.geometric_levels(losses, n=n, depth=depth)
    low, high = float(losses.min()), float(losses.max())
    # reference: the defining formula, one level at a time
    expected = [low + (high - low) * depth ** (1 - k / n) for k in range(n)]
    np.testing.assert_allclose(levels, expected, rtol=1e-12)
    heights = levels - low
    np.testing.assert_allclose(heights[1:] / heights[:-1],
                               depth ** (-1 / n), rtol=1e-12)
    assert levels[-1] < high


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(n=1), ValueError, "n must be >= 2"),
    (dict(n=2.5), TypeError, "n must be an integer"),
    (dict(depth=1.0), ValueError, "depth must be < 1"),
    (dict(depth=0.0), ValueError, "depth must be > 0"),
])
def test_geometric_levels_bad_arguments(grid, kwargs, error, words):
    with pytest.raises(error, match=words):
        gdlab.plotting.geometric_levels(grid[2], **kwargs)
    with pytest.raises(ValueError, match="constant"):
        gdlab.plotting.geometric_levels(np.ones((3, 3)))


def test_contour_geometric_levels_are_coloured_by_rank(grid):
    import matplotlib

    fig, ax = plt.subplots()
    gdlab.plot_contour(*grid, ax=ax, levels="geometric", labels=False)
    contours = [c for c in ax.collections
                if isinstance(c, matplotlib.contour.ContourSet)][0]
    expected = gdlab.plotting.geometric_levels(grid[2])
    np.testing.assert_allclose(contours.levels, expected)
    colors = plt.get_cmap("viridis")(np.linspace(0, 0.9, len(expected)))
    np.testing.assert_allclose(contours.get_edgecolor(), colors)
    assert not ax.texts                         # labels=False: no numbers


def test_contour_labels_and_bad_levels(grid):
    fig, ax = plt.subplots()
    gdlab.plot_contour(*grid, ax=ax, levels=[1.0, 2.0, 4.0])
    assert ax.texts                             # numbers on the lines
    with pytest.raises(ValueError, match="'geometric'"):
        gdlab.plot_contour(*grid, levels="log")
    with pytest.raises(ValueError, match="increasing"):
        gdlab.plot_contour(*grid, levels=[2.0, 1.0])


# Colour-vision deficiency, simulated with the severity-1 matrices of
# Machado, Oliveira and Fernandes (2009), applied to linear sRGB; colours
# are compared by their CIE 1976 distance (Delta E) in CIELAB.
CVD = {
    "protanopia": [[0.152286, 1.052583, -0.204868],
                   [0.114503, 0.786281, 0.099216],
                   [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968],
                     [0.280085, 0.672501, 0.047413],
                     [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779],
                   [-0.078411, 0.930809, 0.147602],
                   [0.004733, 0.691367, 0.303900]],
}


def _lab(colour, simulate=None):
    from matplotlib.colors import to_rgb
    c = np.asarray(to_rgb(colour))
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    if simulate:
        linear = np.clip(np.array(CVD[simulate]) @ linear, 0, 1)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                    [0.0193, 0.1192, 0.9505]]) @ linear
    xyz /= np.array([0.95047, 1.0, 1.08883])           # D65 white
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz),
                 xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]),
                     200 * (f[1] - f[2])])


def _closest_pair(colours, simulate):
    labs = [_lab(c, simulate) for c in colours]
    return min(np.linalg.norm(a - b) for i, a in enumerate(labs)
               for b in labs[i + 1:])


@pytest.mark.parametrize("simulate", [None, *CVD])
def test_palette_stays_distinct_under_colour_blindness(simulate):
    # 15 Delta E is far above the ~2.3 of a just-noticeable difference.
    assert _closest_pair(gdlab.plotting.PALETTE, simulate) > 15
    if simulate == "protanopia":
        # Matplotlib's default colours merge: the check can fail
        default = [f"C{i}" for i in range(10)]
        assert _closest_pair(default, simulate) < 10


def test_subplots_style_each_axes_and_nothing_global():
    before = dict(plt.rcParams)
    fig, axes = gdlab.plotting.subplots(1, 2, figsize=(6, 3))
    assert plt.rcParams == before
    for ax in axes:
        first, second = ax.plot([0, 1]), ax.plot([1, 0])
        assert first[0].get_color() == gdlab.plotting.PALETTE[0]
        assert second[0].get_color() == gdlab.plotting.PALETTE[1]
        assert first[0].get_linestyle() != second[0].get_linestyle()
    plain = plt.subplots()[1].plot([0, 1])[0]
    assert plain.get_color() != gdlab.plotting.PALETTE[0]   # C0 untouched
    fig = gdlab.plot_losses({"a": [3, 2, 1], "b": [3, 1, 0.5]})
    a, b = fig.axes[0].lines
    assert (a.get_color(), b.get_color()) == gdlab.plotting.PALETTE[:2]


def test_style_axes_and_subplots_refuse_bad_input():
    with pytest.raises(TypeError, match="Matplotlib Axes"):
        gdlab.plotting.style_axes("ax")
    with pytest.raises((TypeError, ValueError)):
        gdlab.plotting.subplots(0)


def test_successive_paths_take_successive_palette_colours():
    fig, ax = gdlab.plotting.subplots()
    path = np.array([[0.0, 0.0], [1.0, 1.0]])
    for label in "abc":
        gdlab.plot_path(path, ax=ax, label=label)
    colours = [line.get_color() for line in ax.lines
               if line.get_label() in {"a", "b", "c"}]
    assert colours == list(gdlab.plotting.PALETTE[:3])
