"""DDP's mechanisms observed by gdlab.ddp_internals and ring_allreduce."""
import pytest
import torch

from gdlab import ddp_internals as di
from gdlab import distributed
from gdlab import ring_allreduce as ra


@pytest.fixture(scope="module")
def group():
    with distributed.Group(2, timeout=60) as live:
        yield live


def problem(n=32, d=4):
    gen = torch.Generator().manual_seed(0)
    X = torch.randn(n, d, generator=gen, dtype=torch.float64)
    y = torch.randn(n, 1, generator=gen, dtype=torch.float64)
    return X, y


def test_ddp_broadcasts_rank_0_parameters(group):
    (before0, after0), (before1, after1) = group.run(
        di.broadcast_at_construction)
    torch.manual_seed(1)                      # rank 1's own start
    assert torch.equal(before1, torch.nn.Linear(3, 1).weight.detach())
    assert not torch.equal(before0, before1)
    assert torch.equal(after0, before0) and torch.equal(after1, before0)


@pytest.mark.parametrize("cap, n_buckets", [(None, 1), (25.0, 1),
                                            (0.0005, 3)])
def test_reducer_buckets_average_the_gradient(group, cap, n_buckets):
    X, y = problem(d=8)
    ((first, second), grads), _ = group.run(di.reducer_events, X, y, 4,
                                            cap)
    model = di._mlp(8, 4, seed=0)
    torch.nn.functional.mse_loss(model(X), y).backward()
    for name, p in model.named_parameters():
        torch.testing.assert_close(grads[name], p.grad, rtol=1e-10,
                                   atol=1e-12)
    names = [n for n, _ in model.named_parameters()]
    n_params = sum(p.numel() for p in model.parameters())
    # step 1: one bucket in model.parameters() order, after every gradient
    assert first[-1] == ("all-reduce", 0, n_params, names)
    assert sum(e[0] == "all-reduce" for e in first) == 1
    # step 2: buckets rebuilt in the order the gradients arrived
    buckets = [e for e in second if e[0] == "all-reduce"]
    arrived = [e[1] for e in second if e[0] == "gradient"]
    assert [b[1] for b in buckets] == list(range(n_buckets))
    assert [n for b in buckets for n in b[3]] == arrived == names[::-1]
    assert sum(b[2] for b in buckets) == n_params
    # the first bucket holds the last layer and, with several buckets, is
    # sent before the first layer's gradient exists
    assert buckets[0][3][0] == "3.bias"
    if n_buckets > 1:
        assert second.index(buckets[0]) < second.index(("gradient",
                                                        "0.weight"))


def test_sync_buffers_option_names_the_installed_keyword():
    import inspect
    from torch.nn.parallel import DistributedDataParallel
    accepted = inspect.signature(DistributedDataParallel).parameters
    for flag in (True, False):
        (name, value), = di.sync_buffers_option(flag).items()
        assert name in accepted and value is flag
    if "forward_sync_buffers" in accepted:
        assert di.sync_buffers_option(True) == {"forward_sync_buffers": True}
    with pytest.raises(TypeError):
        di.sync_buffers_option("yes")


def test_no_sync_accumulates_to_the_full_gradient_with_one_all_reduce(
        group):
    X, y = problem()
    model = torch.nn.Linear(4, 1, bias=False).double()
    with torch.no_grad():
        torch.manual_seed(0)
        model.weight.copy_(torch.nn.Linear(4, 1, bias=False).weight)
    torch.nn.functional.mse_loss(model(X), y).backward()
    for use_no_sync, expected in ((True, 1), (False, 4)):
        for grad, count in group.run(di.accumulate, X, y, 4, use_no_sync):
            torch.testing.assert_close(grad, model.weight.grad, rtol=1e-10,
                                       atol=1e-12)
            assert count == expected
    for grad, count in group.run(di.accumulate_backward_only, X, y, 4):
        torch.testing.assert_close(grad, model.weight.grad, rtol=1e-10,
                                   atol=1e-12)
        assert count == 4               # no_sync came too late


def test_forward_sync_buffers_copies_rank_0_running_mean(group):
    X, _ = problem()
    synced = group.run(di.buffer_snapshots, X, True)
    local = group.run(di.buffer_snapshots, X, False)
    # at the second forward, rank 1 starts from rank 0's running mean
    torch.testing.assert_close(synced[1][1], synced[0][1], rtol=0, atol=0)
    assert not torch.allclose(local[1][1], local[0][1])
    bn = torch.nn.BatchNorm1d(4).double()      # rank 1 alone, unsynced
    bn(X.chunk(2)[1].chunk(2)[0])
    torch.testing.assert_close(local[1][1], bn.running_mean)


def test_global_batch_norm_equals_batch_norm_of_the_whole_batch(group):
    X, _ = problem()
    shards = group.run(di.global_batch_norm, X)
    whole = torch.nn.functional.batch_norm(X, None, None, training=True)
    torch.testing.assert_close(torch.cat(shards), whole, rtol=1e-9,
                               atol=1e-9)
    for messages in group.run(di.sync_batch_norm_errors):
        assert all(m is None or "SyncBatchNorm" in m for m in messages)


def test_all_reduce_times_are_positive(group):
    times = group.run(ra.all_reduce_times, [10, 1000], 3)[0]
    assert len(times) == 2 and all(t > 0 for t in times)


@pytest.mark.parametrize("world_size", [3, 4])
def test_ring_all_reduce_sums_and_sends_2_p_minus_1_over_p(world_size):
    gen = torch.Generator().manual_seed(world_size)
    inputs = torch.randn(world_size, 12, generator=gen, dtype=torch.float64)
    results = distributed.launch(ra.ring_all_reduce, world_size, inputs)
    for total, sent, reference in results:
        torch.testing.assert_close(total, inputs.sum(0))
        torch.testing.assert_close(reference, inputs.sum(0))
        assert sent == 2 * (world_size - 1) * 12 // world_size


def test_bad_arguments(group):
    X, y = problem()
    with pytest.raises(ValueError, match="divisible"):
        ra.ring_all_reduce(0, 3, torch.zeros(3, 4))
    with pytest.raises(TypeError, match="shape"):
        ra.ring_all_reduce(0, 2, torch.zeros(3, 4))
    with pytest.raises(ValueError, match="n_micro"):
        di.accumulate(0, 1, X, y, 0)
    with pytest.raises(ValueError, match="bucket_cap_mb"):
        di.reducer_events(0, 1, X, y, 4, 0)
    with pytest.raises(ValueError, match="repeat"):
        ra.all_reduce_times(0, 1, [10], 0)
    with pytest.raises(ValueError, match="width"):
        di.broadcast_at_construction(0, 1, 0)
    with pytest.raises(ValueError, match="n_features"):
        di.sync_batch_norm_errors(0, 1, 0)
    with pytest.raises(ValueError, match="eps"):
        di.global_batch_norm(0, 1, X, -1.0)


@pytest.fixture
def group_of_one(tmp_path):
    """A gloo group of this process alone, so the workers run in-process
    (where coverage sees them) and can be compared with plain autograd."""
    import torch.distributed as dist
    dist.init_process_group("gloo", init_method=f"file://{tmp_path / 'r'}",
                            rank=0, world_size=1)
    yield
    dist.destroy_process_group()


def test_workers_in_a_group_of_one(group_of_one):
    X, y = problem(d=8)
    before, after = di.broadcast_at_construction(0, 1)
    assert torch.equal(before, after)
    (_, log), grads = di.reducer_events(0, 1, X, y, 3, 0.0005)
    model = di._mlp(8, 3, seed=0)
    torch.nn.functional.mse_loss(model(X), y).backward()
    for name, p in model.named_parameters():
        torch.testing.assert_close(grads[name], p.grad)
    assert [e[1] for e in log if e[0] == "all-reduce"] == [0, 1]
    grad, count = di.accumulate(0, 1, X, y, 2)
    assert count == 1 and grad.shape == (1, 8)
    assert di.accumulate_backward_only(0, 1, X, y, 2)[1] == 2
    seen = di.buffer_snapshots(0, 1, X, False)
    bn = torch.nn.BatchNorm1d(8).double()
    bn(X[:16])
    torch.testing.assert_close(seen[1], bn.running_mean)
    errors = di.sync_batch_norm_errors(0, 1)
    assert all(m is None or "SyncBatchNorm" in m for m in errors)
    torch.testing.assert_close(
        di.global_batch_norm(0, 1, X),
        torch.nn.functional.batch_norm(X, None, None, training=True))
    total, sent, reference = ra.ring_all_reduce(0, 1, X[:1, :4])
    assert sent == 0 and torch.equal(total, X[0, :4])
    assert len(ra.all_reduce_times(0, 1, [10, 100], 2)) == 2
