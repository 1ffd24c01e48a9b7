import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

import gdlab
from gdlab import graph, lr_finder


def setup():
    torch.manual_seed(0)
    data = gdlab.linear_data()
    X = torch.as_tensor(data.x_train, dtype=torch.float32)
    y = torch.as_tensor(data.y_train, dtype=torch.float32)
    loader = DataLoader(TensorDataset(X, y), batch_size=16, shuffle=True,
                        generator=torch.Generator().manual_seed(0))
    model = torch.nn.Linear(1, 1)
    opt = gdlab.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    return model, opt, loader


def test_range_test_restores_model_and_optimizer():
    model, opt, loader = setup()
    model.eval()
    (model(torch.ones(1, 1)) ** 2).sum().backward()
    opt.step()                                 # some optimizer state
    before = ({k: v.clone() for k, v in model.state_dict().items()},
              str(opt.state_dict()))
    result = lr_finder.lr_range_test(model, torch.nn.MSELoss(), opt,
                                     loader, start_lr=1e-4, end_lr=10,
                                     n_iter=60)
    for k, v in model.state_dict().items():
        assert torch.equal(v, before[0][k])
    assert str(opt.state_dict()) == before[1]
    assert opt.param_groups[0]["lr"] == 0.05 and not model.training
    ratios = result.lrs[1:] / result.lrs[:-1]
    np.testing.assert_allclose(ratios, ratios[0])   # geometric sweep
    assert len(result.lrs) < 60                # stopped once it blew up
    assert result.losses[-1] > 4 * result.losses.min() - 1e-12 or \
        not np.isfinite(result.raw_losses[-1])


def test_suggestion_lies_where_the_loss_falls():
    model, opt, loader = setup()
    result = lr_finder.lr_range_test(model, torch.nn.MSELoss(), opt,
                                     loader, start_lr=1e-4, end_lr=10,
                                     n_iter=80)
    lr = result.suggestion
    assert 1e-4 < lr < result.lrs[np.argmin(result.losses)]
    i = int(np.where(result.lrs == lr)[0][0])
    assert result.losses[i + 1] < result.losses[i - 1]


def test_smoothed_loss_is_a_weighted_mean_of_past_losses():
    model, opt, loader = setup()
    result = lr_finder.lr_range_test(model, torch.nn.MSELoss(), opt,
                                     loader, start_lr=1e-4, end_lr=10,
                                     n_iter=60, smoothing=0.1)
    # bias-corrected EWMA = mean of past losses, weights 0.9 ** age
    raw = result.raw_losses
    for k in range(len(raw)):
        weights = 0.9 ** np.arange(k, -1, -1)          # oldest first
        expected = (weights * raw[:k + 1]).sum() / weights.sum()
        assert np.isclose(result.losses[k], expected, rtol=1e-10)


@pytest.mark.parametrize("kwargs, words", [
    (dict(start_lr=1.0, end_lr=0.1), "must exceed"),
    (dict(n_iter=1), "n_iter"),
    (dict(smoothing=0.0), "smoothing"),
    (dict(diverge_factor=1.0), "diverge_factor"),
])
def test_range_test_bad_arguments(kwargs, words):
    model, opt, loader = setup()
    with pytest.raises(ValueError, match=words):
        lr_finder.lr_range_test(model, torch.nn.MSELoss(), opt, loader,
                                **kwargs)


def test_graph_of_e_equals_a_plus_b_times_b_plus_1():
    a = torch.tensor(2.0, requires_grad=True)
    b = torch.tensor(1.0, requires_grad=True)
    c = torch.tensor(5.0)                      # no grad: leaves no node
    e = (a + b) * (b + 1) + 0 * c
    nodes, edges = graph.autograd_graph(e, {"a": a, "b": b, "c": c})
    labels = sorted(label for label, _ in nodes.values())
    assert labels == ["AddBackward0"] * 3 + ["MulBackward0", "a", "b"]
    assert sum(kind == "output" for _, kind in nodes.values()) == 1
    b_node = [n for n, (label, _) in nodes.items() if label == "b"][0]
    assert sum(src == b_node for src, _ in edges) == 2   # b used twice
    fig = graph.draw_graph(e, {"a": a, "b": b})
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert {"a", "b", "MulBackward0"} <= texts
    plt.close(fig)


def test_graph_errors():
    with pytest.raises(ValueError, match="no autograd history"):
        graph.autograd_graph(torch.ones(2) * 3)
    with pytest.raises(TypeError, match="torch.Tensor"):
        graph.autograd_graph(3.0)


def graph_cases():
    """Three graphs: e = (a + b)(b + 1), the regression loss with named
    steps, and a small network whose leaves are used rows apart."""
    a = torch.tensor(2.0, requires_grad=True)
    b = torch.tensor(1.0, requires_grad=True)
    yield (a + b) * (b + 1), {"a": a, "b": b}
    x, y = torch.linspace(0, 1, 5), torch.linspace(1, 3, 5)
    w = torch.tensor(0.5, requires_grad=True)
    wx = w * x
    y_hat = b + wx
    yield ((y_hat - y) ** 2).mean(), {"b": b, "w": w, "w x": wx,
                                      "y_hat": y_hat}
    gen = torch.Generator().manual_seed(0)
    W1 = torch.randn(3, 2, generator=gen, requires_grad=True)
    W2 = torch.randn(1, 3, generator=gen, requires_grad=True)
    c = torch.randn(1, generator=gen, requires_grad=True)
    X = torch.randn(5, 2, generator=gen)
    h = torch.tanh(X @ W1.T)
    out = ((h @ W2.T + c) ** 2).mean() + c.exp() * W1.sum()
    yield out.sum(), {"W1": W1, "W2": W2, "c": c}


@pytest.mark.parametrize("case", range(3))
def test_no_edge_passes_through_a_box(case):
    from matplotlib.path import Path
    from matplotlib.transforms import Bbox
    output, names = list(graph_cases())[case]
    nodes, edges = graph.autograd_graph(output, names)
    layout = graph.graph_layout(output, names)
    assert layout.nodes == nodes and sorted(layout.paths) == edges
    boxes = [Bbox.from_bounds(x - w / 2, y - h / 2, w, h)
             for x, y, w, h in layout.boxes.values()]
    for (src, dst), points in layout.paths.items():
        ys = [y for _, y in points]
        assert all(y1 > y2 for y1, y2 in zip(ys, ys[1:]))   # downwards
        for p, q in zip(points, points[1:]):
            hit = [box for box in boxes if Path([p, q]).intersects_bbox(box)]
            assert not hit, f"segment {p} -> {q} crosses {hit}"
        for node, point in ((src, points[0]), (dst, points[-1])):
            x, y, w, h = layout.boxes[node]     # the arrow ends just off
            off = max(abs(point[0] - x) - w / 2, abs(point[1] - y) - h / 2)
            assert off == pytest.approx(graph.GAP)      # the box's edge
    plt.close(graph.draw_graph(output, names))


def test_named_intermediate_results_label_their_operations():
    output, names = list(graph_cases())[1]
    nodes, _ = graph.autograd_graph(output, names)
    labels = {label for label, _ in nodes.values()}
    assert {"MulBackward0\nw x", "AddBackward0\ny_hat", "b", "w",
            "MeanBackward0"} <= labels
    layout = graph.graph_layout(output, names)
    rows = {label: layout.boxes[n][1] for n, (label, _) in nodes.items()}
    # b sits beside w * x, just above the addition that uses it
    assert rows["b"] == rows["MulBackward0\nw x"] == \
        rows["AddBackward0\ny_hat"] + 1 == rows["w"] - 1


def test_graph_names_are_checked():
    a = torch.tensor(2.0, requires_grad=True)
    with pytest.raises(TypeError, match="names must be a dict"):
        graph.autograd_graph(a * 2, ["a"])
    with pytest.raises(TypeError, match="strings to tensors"):
        graph.autograd_graph(a * 2, {"a": 2.0})
