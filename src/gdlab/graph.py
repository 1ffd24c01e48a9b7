"""Draw the autograd graph behind a tensor, with Matplotlib only.

Walking ``tensor.grad_fn`` and its ``next_functions`` visits every
operation autograd recorded on the way to ``tensor``. Leaves that require
gradients appear as ``AccumulateGrad`` nodes (labelled with their names
when given); tensors that do not require gradients leave no node at all.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import torch
from matplotlib.patches import FancyBboxPatch

COLOURS = {"leaf": "#cfe2f3", "op": "#eeeeee", "output": "#d9ead3"}


def autograd_graph(output: torch.Tensor, names: dict | None = None):
    """Return ``(nodes, edges)`` of the graph that produced ``output``.

    ``nodes`` maps a node id to ``(label, kind)`` with kind ``"leaf"``,
    ``"op"`` or ``"output"``; ``edges`` lists ``(src, dst)`` pairs in the
    direction of the forward computation.
    """
    if not isinstance(output, torch.Tensor):
        raise TypeError("output must be a torch.Tensor")
    if output.grad_fn is None:
        raise ValueError("output has no autograd history: it does not "
                         "depend on any tensor with requires_grad=True")
    by_tensor = {id(t): n for n, t in (names or {}).items()}
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
            nodes[id(fn)] = (type(fn).__name__, "op")
        for parent, _ in fn.next_functions:
            if parent is not None:
                edges.append((id(parent), id(fn)))
                todo.append(parent)
    label, _ = nodes[id(output.grad_fn)]
    nodes[id(output.grad_fn)] = (label, "output")
    return nodes, sorted(set(edges))


def _layers(nodes, edges):
    """Depth of each node: longest path from a source (leaves on top)."""
    depth = {n: 0 for n in nodes}
    for _ in nodes:                      # relax until stable (a DAG)
        for src, dst in edges:
            depth[dst] = max(depth[dst], depth[src] + 1)
    return depth


def _positions(nodes, edges, depth):
    """Place each layer's nodes in the mean order of their inputs, which
    keeps edges from crossing in small graphs."""
    rows, pos = {}, {}
    for node in sorted(nodes, key=lambda n: nodes[n][0]):
        rows.setdefault(depth[node], []).append(node)
    for d in sorted(rows):
        def key(n):
            xs = [pos[src][0] for src, dst in edges if dst == n
                  and src in pos]
            return sum(xs) / len(xs) if xs else 0.0
        row = sorted(rows[d], key=key) if d else rows[d]
        pos.update({n: (i - (len(row) - 1) / 2, -d)
                    for i, n in enumerate(row)})
    return pos


def draw_graph(output: torch.Tensor, names: dict | None = None, ax=None):
    """Draw the autograd graph of ``output``; return the figure."""
    nodes, edges = autograd_graph(output, names)
    depth = _layers(nodes, edges)
    pos = _positions(nodes, edges, depth)
    if ax is None:
        width = max(sum(y == -d for _, y in pos.values())
                    for d in set(depth.values()))
        n_rows = len(set(depth.values()))
        _, ax = plt.subplots(figsize=(2.2 * width + 1, 1.1 * n_rows + 1))
    for src, dst in edges:
        ax.annotate("", xy=pos[dst], xytext=pos[src],
                    arrowprops=dict(arrowstyle="-|>", color="0.4",
                                    shrinkA=14, shrinkB=14))
    for node, (x, y) in pos.items():
        label, kind = nodes[node]
        ax.add_patch(FancyBboxPatch((x - 0.42, y - 0.2), 0.84, 0.4,
                                    boxstyle="round,pad=0.02",
                                    fc=COLOURS[kind], ec="0.3"))
        ax.text(x, y, label, ha="center", va="center", fontsize=8)
    xs = [x for x, _ in pos.values()]
    ax.set(xlim=(min(xs) - 0.6, max(xs) + 0.6),
           ylim=(-max(depth.values()) - 0.5, 0.5))
    ax.axis("off")
    return ax.figure
