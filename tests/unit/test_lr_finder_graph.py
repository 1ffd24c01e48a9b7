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
