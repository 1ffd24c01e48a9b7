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


def test_event_time_and_queue_time_on_cuda():
    A = torch.randn(2048, 2048, device="cuda")
    events = gdlab.device.event_time(lambda: A @ A, "cuda", repeat=3)
    wall = gdlab.device.time_call(lambda: A @ A, "cuda", repeat=3)
    queued = gdlab.device.queue_time(lambda: A @ A, "cuda")
    assert 0 < events <= 2 * wall
    assert queued < wall


def test_memory_counters_match_the_arithmetic_on_cuda():
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(256, 1024),
                              torch.nn.ReLU(),
                              torch.nn.Linear(1024, 256)).cuda()
    opt = torch.optim.Adam(net.parameters())
    X = torch.randn(64, 256, device="cuda")
    loss = net(X).pow(2).mean()
    loss.backward()
    _, kept, peak = gdlab.memory.allocated_during(opt.step, "cuda")
    state = gdlab.memory.training_bytes(net)["Adam state"]
    # the caching allocator rounds every block up to 512 bytes
    assert state <= kept <= state + 512 * 4 * len(opt.state)
    assert peak >= kept


def test_round_mantissa_predicts_tf32_on_cuda():
    A = torch.randn(512, 512, device="cuda", dtype=torch.float64)
    exact = A @ A
    emulated = gdlab.precision.round_mantissa(A.float(), 10).double()
    before = torch.backends.cuda.matmul.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = True
    try:
        tf32 = (A.float() @ A.float()).double()
    finally:
        torch.backends.cuda.matmul.allow_tf32 = before
    if torch.cuda.get_device_capability()[0] < 8:
        pytest.skip("TF32 needs an Ampere or newer GPU")
    err = ((tf32 - exact).norm() / exact.norm()).item()
    pred = ((emulated @ emulated - exact).norm() / exact.norm()).item()
    assert 0.3 * pred < err < 3 * pred


def test_reference_capture_on_cuda(tmp_path):
    data = gdlab.reference_capture.capture("cuda", quick=True)
    assert "CUDA events" in str(data["sections"]["timing"])
    assert "out of memory" in \
        data["sections"]["out of memory"]["rows"][0]["message"].lower()
    assert "gpu" in gdlab.reference_run.render(data, "memory").lower()
