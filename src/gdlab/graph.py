"""Draw the autograd graph behind a tensor, with Matplotlib only.

Walking ``tensor.grad_fn`` and its ``next_functions`` visits every
operation autograd recorded on the way to ``tensor``. Leaves that require
gradients appear as ``AccumulateGrad`` nodes (labelled with their names
when given); tensors that do not require gradients leave no node at all.

The drawing is a small layered layout in the manner of Sugiyama, Tagawa
and Toda (1981): one row per step from the leaves, edges that skip rows
routed through empty slots of the rows in between, and rows ordered by
the barycentre of their neighbours, so that no edge crosses a node's box.
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import torch
from matplotlib.patches import FancyBboxPatch

# Pale tints of the book's Okabe-Ito sky blue and orange (gdlab.plotting),
# with grey for operations: the three kinds of box stay apart with
# red-green colour blindness; the output also has a thicker edge.
COLOURS = {"leaf": "#cce9f8", "op": "#eeeeee", "output": "#fbe2b2"}
EDGE_WIDTHS = {"leaf": 1.0, "op": 1.0, "output": 2.0}
BOX_WIDTH = 0.84       # box width; neighbouring slots are 1 apart
PAD = 0.02             # rounding of the box corners, inside its size
GAP = 0.04             # space left between an arrow's end and its box


def _check_names(names):
    if names is None:
        return {}
    if not isinstance(names, dict):
        raise TypeError("names must be a dict mapping a name to a tensor")
    for name, tensor in names.items():
        if not isinstance(name, str) or not isinstance(tensor, torch.Tensor):
            raise TypeError("names must map strings to tensors, got "
                            f"{name!r}: {type(tensor).__name__}")
    return names


def autograd_graph(output: torch.Tensor, names: dict | None = None):
    """Return ``(nodes, edges)`` of the graph that produced ``output``.

    ``names`` maps a name to a tensor: a leaf (its node is labelled with
    the name) or an intermediate result (the name is added on a second
    line under the operation that produced it). ``nodes`` maps a node id
    to ``(label, kind)`` with kind ``"leaf"``, ``"op"`` or ``"output"``;
    ``edges`` lists ``(src, dst)`` pairs in the direction of the forward
    computation.
    """
    if not isinstance(output, torch.Tensor):
        raise TypeError("output must be a torch.Tensor")
    if output.grad_fn is None:
        raise ValueError("output has no autograd history: it does not "
                         "depend on any tensor with requires_grad=True")
    names = _check_names(names)
    by_tensor = {id(t): n for n, t in names.items()}
    by_fn = {id(t.grad_fn): n for n, t in names.items()
             if t.grad_fn is not None}
    nodes, edges, todo = {}, [], [output.grad_fn]
    while todo:
        fn = todo.pop()
        if id(fn) in nodes:
            continue
        if hasattr(fn, "variable"):
            var = fn.variable
            label = by_tensor.get(id(var), f"leaf {tuple(var.shape)}")
            nodes[id(fn)] = (label, "leaf")
        else:
            label = type(fn).__name__
            if id(fn) in by_fn:
                label += "\n" + by_fn[id(fn)]
            nodes[id(fn)] = (label, "op")
        for parent, _ in fn.next_functions:
            if parent is not None:
                edges.append((id(parent), id(fn)))
                todo.append(parent)
    label, _ = nodes[id(output.grad_fn)]
    nodes[id(output.grad_fn)] = (label, "output")
    return nodes, sorted(set(edges))


@dataclass
class GraphLayout:
    """Where :func:`draw_graph` puts things, in data coordinates.

    ``nodes`` is as from :func:`autograd_graph`; ``boxes`` maps a node id
    to ``(x_centre, y_centre, width, height)``; ``paths`` maps each edge
    ``(src, dst)`` to the ``(x, y)`` points of its arrow, which ends at
    the last point.
    """

    nodes: dict     # node id -> (label, kind)
    boxes: dict     # node id -> (x_centre, y_centre, width, height)
    paths: dict     # (src, dst) -> [(x, y), ...], the arrow's points


def _rows(nodes, edges):
    """Row of each node: the longest path from a source, then each source
    moved down to sit just above the first operation that uses it."""
    row = {n: 0 for n in nodes}
    for _ in nodes:                      # relax until stable (a DAG)
        for src, dst in edges:
            row[dst] = max(row[dst], row[src] + 1)
    has_input = {dst for _, dst in edges}
    for n in nodes:
        users = [row[dst] for src, dst in edges if src == n]
        if users and n not in has_input:
            row[n] = min(users) - 1
    return row


def _order(rows, links, rank, sweeps=4):
    """x of every node: rows sorted by the mean x of their neighbours
    (above on the way down, below on the way up), slots 1 apart."""
    x = {}
    for r in sorted(rows):
        rows[r].sort(key=rank.get)
        x.update({n: i - (len(rows[r]) - 1) / 2
                  for i, n in enumerate(rows[r])})
    for sweep in range(sweeps):
        down = sweep % 2 == 0
        for r in sorted(rows, reverse=not down):
            def want(n):
                nbrs = [a if down else b for a, b in links
                        if (b if down else a) == n]
                return sum(x[m] for m in nbrs) / len(nbrs) if nbrs else x[n]
            wanted = {n: round(want(n), 9) for n in rows[r]}
            rows[r].sort(key=lambda n: (wanted[n], x[n], rank[n]))
            placed = []
            for n in rows[r]:
                placed.append(wanted[n] if not placed
                              else max(wanted[n], placed[-1] + 1))
            shift = sum(wanted[n] - p for n, p in zip(rows[r], placed))
            shift /= len(placed)
            x.update({n: p + shift for n, p in zip(rows[r], placed)})
    return x


def _clip(centre, towards, width, height):
    """The point where the segment from ``centre`` to ``towards`` leaves
    a box of the given size around ``centre`` (plus GAP)."""
    dx, dy = towards[0] - centre[0], towards[1] - centre[1]
    ts = [(width / 2 + GAP) / abs(dx) if dx else float("inf"),
          (height / 2 + GAP) / abs(dy) if dy else float("inf")]
    t = min(ts + [1.0])
    return (centre[0] + t * dx, centre[1] + t * dy)


def graph_layout(output: torch.Tensor, names: dict | None = None):
    """Lay out the autograd graph of ``output`` (see :func:`draw_graph`).

    Returns a :class:`GraphLayout`: a box for each node, one row per
    step, leaves just above their first use; and for each edge the points
    of its arrow, from the edge of one box to the edge of the next,
    passing through empty slots of the rows it skips.
    """
    nodes, edges = autograd_graph(output, names)
    row = _rows(nodes, edges)
    rank = {n: i for i, n in enumerate(
        sorted(nodes, key=lambda n: nodes[n][0]))}
    rows, links, chains = {}, [], []
    for n in nodes:
        rows.setdefault(row[n], []).append(n)
    for src, dst in sorted(edges, key=lambda e: (rank[e[0]], rank[e[1]])):
        chain = [src] + [("via", src, dst, r)
                         for r in range(row[src] + 1, row[dst])] + [dst]
        for via in chain[1:-1]:
            rows[via[3]].append(via)
            rank[via] = len(rank)
        links += list(zip(chain[:-1], chain[1:]))
        chains.append(chain)
    x = _order(rows, links, rank)
    height = 0.56 if any("\n" in label for label, _ in nodes.values()) \
        else 0.4
    boxes = {n: (x[n], -row[n], BOX_WIDTH, height) for n in nodes}
    paths = {}
    for chain in sorted(chains, key=lambda c: (rank[c[0]], rank[c[-1]])):
        points = [(x[n], -(n[3] if isinstance(n, tuple) else row[n]))
                  for n in chain]
        points[0] = _clip(points[0], points[1], BOX_WIDTH, height)
        points[-1] = _clip(points[-1], points[-2], BOX_WIDTH, height)
        paths[chain[0], chain[-1]] = points
    return GraphLayout(nodes, boxes, paths)


def draw_graph(output: torch.Tensor, names: dict | None = None, ax=None):
    """Draw the autograd graph of ``output``; return the figure.

    ``names`` maps names to leaves or to intermediate results, as in
    :func:`autograd_graph`. Leaves are blue, operations grey and the
    operation that produced ``output`` green.
    """
    layout = graph_layout(output, names)
    xs = [x for x, _, _, _ in layout.boxes.values()]
    xs += [x for points in layout.paths.values() for x, _ in points]
    ys = [y for _, y, _, _ in layout.boxes.values()]
    if ax is None:
        width, n_rows = max(xs) - min(xs) + 1, max(ys) - min(ys) + 1
        _, ax = plt.subplots(figsize=(2.2 * width + 1, 1.1 * n_rows + 1))
    arrow = dict(arrowstyle="-|>", color="0.4", shrinkA=0, shrinkB=0)
    for points in layout.paths.values():
        if len(points) > 2:
            ax.plot(*zip(*points[:-1]), color="0.4", lw=1)
        ax.annotate("", xy=points[-1], xytext=points[-2], arrowprops=arrow)
    for node, (x, y, w, h) in layout.boxes.items():
        label, kind = layout.nodes[node]
        ax.add_patch(FancyBboxPatch((x - w / 2 + PAD, y - h / 2 + PAD),
                                    w - 2 * PAD, h - 2 * PAD,
                                    boxstyle=f"round,pad={PAD}",
                                    fc=COLOURS[kind], ec="0.3",
                                    lw=EDGE_WIDTHS[kind]))
        ax.text(x, y, label, ha="center", va="center", fontsize=8)
    ax.set(xlim=(min(xs) - 0.6, max(xs) + 0.6),
           ylim=(min(ys) - 0.5, max(ys) + 0.5))
    ax.axis("off")
    return ax.figure
