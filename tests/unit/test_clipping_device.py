import math

import pytest
import torch

from gdlab import clipping, device


def model_with_grads(scale=100.0):
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(),
                              torch.nn.Linear(8, 1))
    X = torch.randn(16, 4) * scale
    (net(X) ** 2).mean().backward()
    return net


def twin_grads(clip_ours, clip_torch):
    a, b = model_with_grads(), model_with_grads()
    out_a, out_b = clip_ours(a.parameters()), clip_torch(b.parameters())
    for p, q in zip(a.parameters(), b.parameters()):
        torch.testing.assert_close(p.grad, q.grad)
    return out_a, out_b


def test_clip_value_matches_torch():
    twin_grads(lambda p: clipping.clip_grad_value(p, 0.5),
               lambda p: torch.nn.utils.clip_grad_value_(p, 0.5))


@pytest.mark.parametrize("norm_type", [1.0, 2.0, 3.0, math.inf])
def test_clip_norm_matches_torch(norm_type):
    ours, theirs = twin_grads(
        lambda p: clipping.clip_grad_norm(p, 1.0, norm_type),
        lambda p: torch.nn.utils.clip_grad_norm_(p, 1.0, norm_type))
    torch.testing.assert_close(ours, theirs)
    assert ours > 1.0                          # clipping really happened


def test_hooks_clamp_during_backward():
    x = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
    handles = clipping.clip_with_hooks([x], 2.0)
    (10 * x).sum().backward()
    assert torch.equal(x.grad, torch.full((3,), 2.0))
    for h in handles:
        h.remove()
    x.grad = None
    (10 * x).sum().backward()
    assert torch.equal(x.grad, torch.full((3,), 10.0))


def test_hooks_clamp_each_accumulated_backward():
    torch.manual_seed(0)
    net = torch.nn.Linear(3, 1)
    X, Y = torch.randn(8, 3) * 10, torch.randn(8, 1)
    chunks = [slice(0, 4), slice(4, 8)]

    def loss(rows):
        return ((net(X[rows]) - Y[rows]) ** 2).mean() / len(chunks)

    # reference: per-chunk gradients from autograd.grad, clamped by hand
    per_chunk = [torch.autograd.grad(loss(r), net.weight)[0] for r in chunks]
    expected_hooks = sum(g.clamp(-0.5, 0.5) for g in per_chunk)
    expected_after = sum(per_chunk).clamp(-0.5, 0.5)
    handles = clipping.clip_with_hooks(net.parameters(), 0.5)
    for r in chunks:
        loss(r).backward()
    for h in handles:
        h.remove()
    torch.testing.assert_close(net.weight.grad, expected_hooks)
    net.zero_grad()
    for r in chunks:
        loss(r).backward()
    clipping.clip_grad_value(net.parameters(), 0.5)
    torch.testing.assert_close(net.weight.grad, expected_after)
    assert not torch.allclose(expected_hooks, expected_after)


def test_clipping_errors():
    with pytest.raises(ValueError, match="clip_value must be > 0"):
        clipping.clip_grad_value([torch.zeros(1)], 0)
    with pytest.raises(ValueError, match="norm_type"):
        clipping.clip_grad_norm([torch.zeros(1)], 1.0, 0.5)
    with pytest.raises(TypeError, match="params must be tensors"):
        clipping.clip_grad_value([1.0], 1.0)
    p = torch.zeros(2, requires_grad=True)
    p.grad = torch.tensor([float("inf"), 1.0])
    with pytest.raises(FloatingPointError, match="gradient norm is inf"):
        clipping.clip_grad_norm([p], 1.0)
    assert clipping.clip_grad_norm([torch.zeros(1)], 1.0) == 0


def test_device_choice(monkeypatch):
    monkeypatch.delenv(device.ENV_VAR, raising=False)
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert device.get_device().type == expected
    monkeypatch.setenv(device.ENV_VAR, "cpu")
    assert device.get_device() == torch.device("cpu")
    assert device.get_device(prefer="cpu") == torch.device("cpu")


def test_device_errors(monkeypatch):
    monkeypatch.setenv(device.ENV_VAR, "tpu-ish")
    with pytest.raises(ValueError, match="not a device name"):
        device.get_device()
    with pytest.raises(ValueError, match="not supported"):
        device.get_device("meta")
    with pytest.raises(TypeError, match="string"):
        device.get_device(0)
    if not torch.cuda.is_available():
        with pytest.raises(RuntimeError, match="CUDA is not available"):
            device.get_device("cuda")


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_is_picked_and_usable(monkeypatch):
    monkeypatch.delenv(device.ENV_VAR, raising=False)
    dev = device.get_device()
    assert dev.type == "cuda"
    assert (torch.ones(2, device=dev) * 2).sum().item() == 4
    with pytest.raises(RuntimeError, match="does not exist"):
        device.get_device(f"cuda:{torch.cuda.device_count()}")


def test_time_call_counts_calls_and_returns_seconds():
    calls = []
    seconds = device.time_call(lambda: calls.append(1), "cpu", repeat=3,
                               warmup=2)
    assert len(calls) == 5 and 0 <= seconds < 1
    device.synchronize(torch.device("cpu"))        # a no-op on the CPU
    with pytest.raises(TypeError, match="callable"):
        device.time_call(3, "cpu")
    with pytest.raises(ValueError, match="repeat"):
        device.time_call(print, "cpu", repeat=0)


def test_environment_fingerprint(monkeypatch):
    from gdlab import environment
    monkeypatch.setenv("GDLAB_COMMIT", "abc123")
    info = environment.fingerprint()
    assert info["torch"] == torch.__version__
    assert info["commit"] == "abc123"
    assert info["device"].startswith(("cpu", "cuda"))
    assert "| torch | `" + torch.__version__ + "` |" in environment.table()
    monkeypatch.delenv("GDLAB_COMMIT")
    sha = environment.commit()
    assert sha == "unknown" or len(sha) == 12
