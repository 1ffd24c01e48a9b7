"""Plot helpers for loss landscapes, descent paths and loss curves.

Every helper takes an optional Matplotlib ``ax`` (a new figure is made
when it is omitted) and returns the figure, so a chapter can compose
panels freely. Importing this module changes no global Matplotlib state.

Colours. The whole book draws its series in the Okabe-Ito palette
(Okabe and Ito, *Color Universal Design*, 2008; Wong, "Points of view:
Color blindness", *Nature Methods* 8, 441, 2011), chosen so that readers
with the common red-green colour-vision deficiencies can still tell its
eight colours apart. Because colour alone may still fail (in print, on a
projector, for rarer deficiencies), every series also gets its own line
style. :func:`subplots` and :func:`style_axes` set this pairing on the
axes they touch, not in Matplotlib's global ``rcParams``, so importing
gdlab never changes how a reader's other plots look.
"""

from __future__ import annotations

import numbers

import matplotlib.pyplot as plt
import numpy as np
from cycler import cycler

from .validation import as_float_array, real_number, whole_number


#: The Okabe-Ito colours by name (hex RGB).
OKABE_ITO = {
    "blue": "#0072B2", "vermillion": "#D55E00", "bluish green": "#009E73",
    "reddish purple": "#CC79A7", "orange": "#E69F00", "sky blue": "#56B4E9",
    "black": "#000000", "yellow": "#F0E442",
}
#: The order in which series take colours: the darker, most distinct
#: colours first; yellow, faint on white, last.
PALETTE = tuple(OKABE_ITO.values())
#: The line style paired with each colour of :data:`PALETTE`.
LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)),
              (0, (1, 3)), (0, (8, 2, 2, 2)))


def style_axes(ax):
    """Give ``ax`` the book's series styles and return it.

    The ``k``-th line (or marker series) drawn on ``ax`` without an
    explicit colour gets ``PALETTE[k]`` and ``LINESTYLES[k]``, repeating
    after eight. Only ``ax`` changes; Matplotlib's defaults do not.
    """
    if not hasattr(ax, "set_prop_cycle"):
        raise TypeError(f"ax must be a Matplotlib Axes, got "
                        f"{type(ax).__name__}; make one with "
                        "gdlab.plotting.subplots()")
    ax.set_prop_cycle(cycler(color=PALETTE) + cycler(linestyle=LINESTYLES))
    return ax


def subplots(nrows: int = 1, ncols: int = 1, **kwargs):
    """``plt.subplots`` whose axes use the book's colours and line styles.

    Takes the same arguments as :func:`matplotlib.pyplot.subplots` and
    returns the same ``(fig, axes)`` pair; each of the axes is passed
    through :func:`style_axes`.
    """
    nrows = whole_number("nrows", nrows, low=1)
    ncols = whole_number("ncols", ncols, low=1)
    fig, axes = plt.subplots(nrows, ncols, **kwargs)
    for ax in np.atleast_1d(axes).flat:
        style_axes(ax)
    return fig, axes


def _axes(ax, projection=None, figsize=(5, 4)):
    if ax is not None:
        if projection == "3d" and getattr(ax, "name", "") != "3d":
            raise TypeError("this plot needs 3-D axes; create them with "
                            "fig.add_subplot(projection='3d')")
        return ax
    fig = plt.figure(figsize=figsize)
    return style_axes(fig.add_subplot(projection=projection))


def _grid(bs, ws, losses):
    bs = as_float_array("bs", bs, ndim=(2,))
    ws = as_float_array("ws", ws, ndim=(2,))
    losses = as_float_array("losses", losses, ndim=(2,))
    if not bs.shape == ws.shape == losses.shape:
        raise ValueError(f"bs, ws and losses must share one 2-D shape, got "
                         f"{bs.shape}, {ws.shape} and {losses.shape}; build "
                         "them with gdlab.param_grid and gdlab.mse_surface")
    return bs, ws, losses


def plot_surface(bs, ws, losses, ax=None):
    """Draw the loss surface ``losses`` over the ``(b, w)`` grid in 3-D."""
    bs, ws, losses = _grid(bs, ws, losses)
    ax = _axes(ax, projection="3d")
    ax.plot_surface(bs, ws, losses, cmap="viridis", linewidth=0,
                    antialiased=True, alpha=0.9)
    ax.set(xlabel="b", ylabel="w", zlabel="MSE")
    return ax.figure


def geometric_levels(losses, n: int = 10, depth: float = 2e-3):
    """Return ``n`` contour levels spaced geometrically above the minimum.

    Level ``k`` lies ``(max - min) * depth ** (1 - k / n)`` above the
    smallest loss, for ``k = 0, ..., n - 1``: each level is a constant
    factor higher above the minimum than the one before. On a quadratic
    bowl the contours are then rings whose sizes shrink by a constant
    factor towards the minimum, so the flat basin gets lines as well as
    the steep walls.
    """
    losses = as_float_array("losses", losses, ndim=range(1, 8))
    n = whole_number("n", n, low=2)
    depth = real_number("depth", depth, low=0, high=1, low_open=True,
                        high_open=True)
    low, span = losses.min(), np.ptp(losses)
    if span == 0:
        raise ValueError("losses are constant, so there are no contours "
                         "to draw; use a grid where the loss varies")
    return low + span * np.geomspace(depth, 1, n + 1)[:-1]


def plot_contour(bs, ws, losses, ax=None, levels: int | str = 20,
                 mark_min: bool = True, labels: bool = True):
    """Draw loss contours over the ``(b, w)`` grid, marking the minimum.

    ``levels`` is a number of evenly spaced levels, an increasing sequence
    of level values, or ``"geometric"`` for :func:`geometric_levels`. The
    colours of a sequence (or of ``"geometric"``) are spread evenly by
    rank over viridis, short of its palest yellow, so unevenly spaced
    levels stay distinct.
    ``labels=False`` leaves out the numbers written on the lines.
    """
    bs, ws, losses = _grid(bs, ws, losses)
    ax = _axes(ax)
    style = _level_style(levels, losses)
    lines = ax.contour(bs, ws, losses, **style)
    if labels:
        ax.clabel(lines, inline=True, fontsize=7, fmt="%.2g")
    if mark_min:
        i, j = np.unravel_index(np.argmin(losses), losses.shape)
        ax.plot(bs[i, j], ws[i, j], "k*", markersize=10,
                label="grid minimum")
    ax.set(xlabel="b", ylabel="w")
    return ax.figure


def _level_style(levels, losses) -> dict:
    """Keyword arguments for ``ax.contour`` that draw ``levels``."""
    if isinstance(levels, str):
        if levels != "geometric":
            raise ValueError(f"levels must be a number, a sequence or "
                             f"'geometric', got {levels!r}")
        levels = geometric_levels(losses)
    if isinstance(levels, numbers.Integral) and not isinstance(levels,
                                                                bool):
        return {"levels": whole_number("levels", levels), "cmap": "viridis"}
    levels = as_float_array("levels", levels, ndim=(1,))
    if len(levels) < 2 or np.any(np.diff(levels) <= 0):
        raise ValueError("levels must be at least two increasing values")
    # stop short of the palest yellow, which is hard to see on white
    colors = plt.get_cmap("viridis")(np.linspace(0, 0.9, len(levels)))
    return {"levels": levels, "colors": colors}


def plot_path(params, ax=None, label: str | None = None, **line_kw):
    """Draw a descent path through parameter space.

    ``params`` is an ``(n, 2)`` array of points, e.g.
    :attr:`gdlab.Trajectory.params`; the start is a hollow circle and the
    end a filled one.
    """
    params = as_float_array("params", params, ndim=(2,))
    if params.shape[1] != 2:
        raise ValueError(f"params must have two columns (b, w), got shape "
                         f"{params.shape}")
    ax = _axes(ax)
    line, = ax.plot(params[:, 0], params[:, 1], label=label,
                    **{"lw": 1.2, **line_kw})
    # the markers give colour and line style, so they take no turn of the
    # axes' colour cycle: the next path gets the next colour
    color = line.get_color()
    ax.plot(*params[0], marker="o", color=color, mfc="none",
            markersize=7, linestyle="none")
    ax.plot(*params[-1], marker="o", color=color, markersize=5,
            linestyle="none")
    return ax.figure


def plot_losses(curves: dict, ax=None, log: bool = True,
                xlabel: str = "epoch"):
    """Draw one loss curve per entry of ``curves`` (label -> values)."""
    if not isinstance(curves, dict) or not curves:
        raise TypeError("curves must be a non-empty dict mapping a label "
                        "to a 1-D array of losses")
    ax = _axes(ax)
    for label, values in curves.items():
        values = as_float_array(f"curves[{label!r}]", values, ndim=(1,))
        ax.plot(np.arange(len(values)), values, label=str(label))
    if log:
        ax.set_yscale("log")
    ax.set(xlabel=xlabel, ylabel="loss")
    ax.legend()
    return ax.figure


def plot_tangent(x0: float, y0: float, slope: float, ax=None,
                 half_width: float = 0.5, **line_kw):
    """Draw the tangent line through ``(x0, y0)`` with the given slope."""
    x0, y0 = real_number("x0", x0), real_number("y0", y0)
    slope = real_number("slope", slope)
    half_width = real_number("half_width", half_width, low=0, low_open=True)
    ax = _axes(ax)
    xs = np.array([x0 - half_width, x0 + half_width])
    ax.plot(xs, y0 + slope * (xs - x0), **{"ls": "--", **line_kw})
    ax.plot(x0, y0, "o", color=ax.lines[-1].get_color())
    return ax.figure
