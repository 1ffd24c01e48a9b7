"""Two gloo processes on the CPU: averaging, DDP, failure and timeout."""
import pytest
import torch

from gdlab import distributed


def problem(n=64, d=3):
    gen = torch.Generator().manual_seed(0)
    X = torch.randn(n, d, generator=gen, dtype=torch.float64)
    y = X @ torch.randn(d, 1, generator=gen, dtype=torch.float64)
    return X, y


def test_averaged_shard_gradients_equal_the_full_gradient():
    X, y = problem()
    w = torch.zeros(3, 1, dtype=torch.float64)
    grads = distributed.launch(distributed.averaged_gradient, 2, X, y, w)
    full = w.clone().requires_grad_()
    ((X @ full - y) ** 2).mean().backward()
    for g in grads:                    # every rank holds the same average
        torch.testing.assert_close(g, full.grad, rtol=1e-12, atol=1e-14)


def test_ddp_equals_single_process_large_batch_training():
    X, y = problem()
    torch.manual_seed(0)
    state = torch.nn.Linear(3, 1).double().state_dict()
    args = (X, y, state, 0.05, 40, 16)
    ddp = distributed.launch(distributed.ddp_train, 2, *args)[0]
    single = distributed.single_process_train(*args)
    for key in single:
        torch.testing.assert_close(ddp[key], single[key], rtol=1e-12,
                                   atol=1e-14)
    assert not torch.equal(single["weight"], state["weight"])


def test_a_failing_worker_is_reported_not_hung():
    with pytest.raises(distributed.WorkerError,
                       match="worker 1 failed: ValueError: rank 1 could"):
        distributed.launch(distributed.failing_worker, 2, timeout=30)


def test_a_stuck_group_times_out_and_is_cleaned_up():
    import multiprocessing
    with pytest.raises(TimeoutError, match="did not finish within 3 s"):
        distributed.launch(distributed.straggler_worker, 2, 60, timeout=3)
    assert multiprocessing.active_children() == []


def test_bad_arguments():
    with pytest.raises(ValueError, match="world_size"):
        distributed.launch(distributed.failing_worker, 0)
    with pytest.raises(ValueError, match="timeout"):
        distributed.launch(distributed.failing_worker, 1, timeout=0)
