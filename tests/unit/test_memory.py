"""gdlab.memory: computed bytes against the tensors and the profiler."""
import pytest
import torch
from torch import nn

from gdlab import memory


def test_tensor_bytes_counts_elements_times_their_size():
    assert memory.tensor_bytes([torch.zeros(3, 4),
                                torch.zeros(5, dtype=torch.float16)]) == 58
    with pytest.raises(TypeError, match="tensors"):
        memory.tensor_bytes([1.0])


def test_training_bytes_match_adam_state_and_profiled_allocations():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 8))
    opt = torch.optim.Adam(net.parameters())
    X = torch.randn(16, 32)
    computed = memory.training_bytes(net)
    n_params = sum(p.numel() for p in net.parameters())
    assert computed["parameters"] == 4 * n_params
    assert memory.optimizer_state_bytes(opt) == 0     # lazy state
    loss, fwd, fwd_peak = memory.allocated_during(
        lambda: net(X).pow(2).mean(), "cpu")
    # saved for backward: ReLU's output and the last layer's output
    assert fwd == 4 * (16 * 64 + 16 * 8) + 4 and fwd_peak >= fwd
    _, bwd, _ = memory.allocated_during(loss.backward, "cpu")
    assert bwd == computed["gradients"] - 4 * (16 * 64 + 16 * 8)
    _, step, peak = memory.allocated_during(opt.step, "cpu")
    steps = 4 * len(list(net.parameters()))          # float32 counters
    assert step == computed["Adam state"] + steps
    assert memory.optimizer_state_bytes(opt) == step
    assert peak >= step


def test_allocated_during_refuses_non_callables():
    with pytest.raises(TypeError, match="callable"):
        memory.allocated_during(None, "cpu")
    with pytest.raises(TypeError):
        memory.training_bytes("net")
