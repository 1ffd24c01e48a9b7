"""gdlab.distributed.Group: one live gloo group for several workers."""
import multiprocessing

import pytest
import torch

from gdlab import distributed


def test_a_group_runs_several_workers_like_launch():
    gen = torch.Generator().manual_seed(1)
    X = torch.randn(32, 3, generator=gen, dtype=torch.float64)
    y = torch.randn(32, 1, generator=gen, dtype=torch.float64)
    w = torch.zeros(3, 1, dtype=torch.float64)
    full = w.clone().requires_grad_()
    ((X @ full - y) ** 2).mean().backward()
    with distributed.Group(2, timeout=30) as group:
        first = group.run(distributed.averaged_gradient, X, y, w)
        second = group.run(distributed.averaged_gradient, X, 2 * y, w)
        ranks = group.run(distributed.straggler_worker, 0)
    for g in first:
        torch.testing.assert_close(g, full.grad, rtol=1e-12, atol=1e-14)
    full.grad = None
    ((X @ full - 2 * y) ** 2).mean().backward()
    torch.testing.assert_close(second[1], full.grad, rtol=1e-12,
                               atol=1e-14)
    assert ranks == [0, 1]
    assert multiprocessing.active_children() == []


def test_a_failing_worker_closes_the_group_with_its_error():
    with distributed.Group(2, timeout=30) as group:
        with pytest.raises(distributed.WorkerError,
                           match="worker 1 failed: ValueError: rank 1"):
            group.run(distributed.failing_worker)
        with pytest.raises(RuntimeError, match="open a new one"):
            group.run(distributed.failing_worker)
    assert multiprocessing.active_children() == []


def test_a_stuck_run_times_out_and_leaves_no_process():
    with distributed.Group(2, timeout=3) as group:
        with pytest.raises(TimeoutError, match="within 3 s"):
            group.run(distributed.straggler_worker, 60)
    assert multiprocessing.active_children() == []


def test_bad_arguments():
    with pytest.raises(ValueError, match="world_size"):
        distributed.Group(0)
    with pytest.raises(ValueError, match="timeout"):
        distributed.Group(2, timeout=-1)
    with pytest.raises(RuntimeError, match="not running"):
        distributed.Group(2).run(distributed.failing_worker)
    group = distributed.Group(1).open()
    with pytest.raises(RuntimeError, match="running already"):
        group.open()
    with pytest.raises(TypeError, match="worker must be a function"):
        group.run("averaged_gradient")
    group.close()
    group.close()                       # closing twice does no harm
    distributed.Group(2).close()        # nor closing a group never opened
    assert multiprocessing.active_children() == []
