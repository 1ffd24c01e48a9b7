"""CUDA-only checks: skipped cleanly without a GPU, run by the GPU workflow."""
import pytest
import torch

import gdlab

pytestmark = [pytest.mark.cuda,
              pytest.mark.skipif(not torch.cuda.is_available(),
                                 reason="needs CUDA")]


@pytest.mark.parametrize("name", ["SGD", "RMSprop", "Adam", "AdamW"])
def test_optimizers_follow_the_same_path_on_cuda(name):
    f = gdlab.functions.Rosenbrock()
    x = torch.tensor([-1.5, 2.0], dtype=torch.float64, device="cuda",
                     requires_grad=True)
    opt = getattr(gdlab.optim, name)([x], lr=1e-3)
    cpu = torch.tensor([-1.5, 2.0], dtype=torch.float64, requires_grad=True)
    ref = getattr(gdlab.optim, name)([cpu], lr=1e-3)
    for _ in range(200):
        for point, o in ((x, opt), (cpu, ref)):
            o.zero_grad()
            f(point).backward()
            o.step()
    torch.testing.assert_close(x.detach().cpu(), cpu.detach(), rtol=1e-9,
                               atol=1e-12)


def test_trainer_and_checkpoint_on_cuda(tmp_path):
    data = gdlab.linear_data()
    train = torch.utils.data.TensorDataset(
        torch.tensor(data.x_train, dtype=torch.float32),
        torch.tensor(data.y_train, dtype=torch.float32))
    model = torch.nn.Linear(1, 1)
    trainer = gdlab.Trainer(model, torch.nn.MSELoss(),
                            gdlab.optim.SGD(model.parameters(), lr=0.1),
                            gdlab.TrainerConfig(n_epochs=100), device="cuda")
    trainer.fit(train)
    assert next(model.parameters()).is_cuda
    b, w = gdlab.closed_form(data.x_train, data.y_train)
    assert abs(model.bias.item() - b) < 0.03
    trainer.save(tmp_path / "c.pt")
    state = gdlab.load_checkpoint(tmp_path / "c.pt", map_location="cpu")
    assert not state["model"]["weight"].is_cuda


def test_time_call_synchronises_cuda():
    A = torch.randn(1024, 1024, device="cuda")
    seconds = gdlab.device.time_call(lambda: A @ A, "cuda", repeat=3)
    assert seconds > 0
