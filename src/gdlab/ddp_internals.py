"""What ``DistributedDataParallel`` does inside, one worker per mechanism.

Each function is a worker for :func:`gdlab.distributed.launch` or
:meth:`gdlab.distributed.Group.run` (called as ``worker(rank, world_size,
...)`` in every process of a gloo group) and returns what it observed:

* :func:`broadcast_at_construction`: DDP copies rank 0's parameters and
  buffers to every rank when it wraps the model;
* :func:`reducer_events`: the Reducer's buckets, recorded by a
  communication hook, in the order their all-reduces start relative to
  the gradients the backward pass produces, in the first step (one
  bucket) and after DDP has formed its buckets;
* :func:`accumulate`: gradient accumulation with and without ``no_sync``;
* :func:`buffer_snapshots` and :func:`global_batch_norm`: BatchNorm's
  running statistics with and without DDP's per-forward buffer sync
  (``forward_sync_buffers``, called ``broadcast_buffers`` before torch
  2.13), and normalisation with the statistics of the global batch
  (what ``SyncBatchNorm`` computes).

References: Li et al., *PyTorch Distributed: Experiences on Accelerating
Data Parallel Training* (VLDB 2020); the PyTorch documentation of
``DistributedDataParallel`` and DDP communication hooks.
"""

from __future__ import annotations

import inspect

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

from .tensors import rank_shards
from .validation import rank_in_group, real_number, whole_number


def _mlp(width, depth, seed):
    torch.manual_seed(seed)
    layers = [torch.nn.Linear(width, width) for _ in range(depth - 1)]
    layers.append(torch.nn.Linear(width, 1))
    return torch.nn.Sequential(*layers).double()


def broadcast_at_construction(rank, world_size, width=3):
    """Worker: parameters of a model seeded by rank, before and after DDP."""
    rank, world_size = rank_in_group(rank, world_size)
    width = whole_number("width", width)
    torch.manual_seed(rank)                  # a different start per rank
    model = torch.nn.Linear(width, 1)
    before = model.weight.detach().clone()
    DistributedDataParallel(model)           # broadcasts rank 0's values
    return before, model.weight.detach().clone()


def averaging_hook(log):
    """A DDP communication hook that logs each bucket, then averages it.

    Register it with ``ddp.register_comm_hook(names, averaging_hook(log))``
    where ``names`` maps ``id(parameter)`` to its name. DDP calls the hook
    with each full bucket of gradients; the hook returns a future whose
    value DDP copies back into the parameters' ``.grad``.
    """
    def hook(names, bucket):
        # 1. note which gradients the bucket holds, in its flat buffer
        log.append(("all-reduce", bucket.index(), bucket.buffer().numel(),
                    [names[id(p)] for p in bucket.parameters()]))
        # 2. start summing the buffer over the ranks; returns at once,
        #    so the backward pass goes on while the numbers travel
        work = dist.all_reduce(bucket.buffer(), async_op=True)
        # 3. once the sum arrives, divide it by the number of ranks
        return work.get_future().then(
            lambda fut: fut.value()[0] / dist.get_world_size())
    return hook


def reducer_events(rank, world_size, X, y, depth=4, bucket_cap_mb=None):
    """Worker: the events of two DDP backward passes, in the order they ran.

    A stack of ``depth`` linear layers (width ``X.shape[1]``) is wrapped
    with DDP. Tensor hooks log ``("gradient", name)`` when a parameter's
    gradient is computed; a communication hook logs ``("all-reduce",
    bucket index, bucket size, parameter names)`` when DDP hands it a full
    bucket, then averages the bucket. Two forward and backward passes run
    (no update): DDP forms its buckets during the first. Returns the two
    passes' event logs and the averaged gradients by parameter name.
    ``bucket_cap_mb=None`` keeps DDP's default bucket sizes.
    """
    Xs, ys = rank_shards(rank, world_size, X=X, y=y, dtype=torch.double)
    depth = whole_number("depth", depth)
    if bucket_cap_mb is not None:
        bucket_cap_mb = real_number("bucket_cap_mb", bucket_cap_mb, low=0,
                                    low_open=True)
    model = _mlp(X.shape[1], depth, seed=0)
    names = {id(p): n for n, p in model.named_parameters()}
    log = []
    for name, p in model.named_parameters():    # called with p's gradient
        p.register_hook(lambda g, name=name: log.append(("gradient", name)))
    ddp = DistributedDataParallel(model, bucket_cap_mb=bucket_cap_mb)
    ddp.register_comm_hook(names, averaging_hook(log))
    logs = []
    for _ in range(2):
        log.clear()
        ddp.zero_grad()
        torch.nn.functional.mse_loss(ddp(Xs), ys).backward()
        logs.append(list(log))
    grads = {n: p.grad.clone() for n, p in model.named_parameters()}
    return logs, grads


def accumulate(rank, world_size, X, y, n_micro, use_no_sync=True):
    """Worker: accumulate ``n_micro`` micro-batch gradients under DDP.

    Each rank splits its shard into ``n_micro`` equal micro-batches and
    calls ``backward`` on each (loss divided by ``n_micro``, so that the
    sum is the shard's mean). With ``use_no_sync`` all but the last
    micro-batch run inside ``model.no_sync()``. Returns the accumulated
    gradient of the weight and the number of all-reduces DDP launched.
    """
    model, ddp, log, pieces = accumulation_setup(rank, world_size, X, y,
                                                  n_micro)
    for k, (Xm, ym) in enumerate(pieces):
        last = k == len(pieces) - 1
        if use_no_sync and not last:
            with ddp.no_sync():          # 1. forward and backward stay local
                _micro_loss(ddp, Xm, ym, n_micro).backward()
        else:                            # 2. all-reduce the accumulated sum
            _micro_loss(ddp, Xm, ym, n_micro).backward()
    return model.weight.grad.clone(), len(log)


def accumulate_backward_only(rank, world_size, X, y, n_micro):
    """Worker: as :func:`accumulate`, but with only ``backward`` inside
    ``no_sync()`` and the forward pass outside it, a mistake that raises
    no error. Returns the gradient and the number of all-reduces."""
    model, ddp, log, pieces = accumulation_setup(rank, world_size, X, y,
                                                  n_micro)
    for k, (Xm, ym) in enumerate(pieces):
        loss = _micro_loss(ddp, Xm, ym, n_micro)
        if k < len(pieces) - 1:
            with ddp.no_sync():
                loss.backward()
        else:
            loss.backward()
    return model.weight.grad.clone(), len(log)


def accumulation_setup(rank, world_size, X, y, n_micro):
    """A bias-free linear model, its DDP wrapper with a counting
    :func:`averaging_hook` (returns its log), and this rank's shard of
    ``X``, ``y`` cut into ``n_micro`` micro-batches."""
    Xs, ys = rank_shards(rank, world_size, X=X, y=y, dtype=torch.double)
    n_micro = whole_number("n_micro", n_micro)
    torch.manual_seed(0)
    model = torch.nn.Linear(X.shape[1], 1, bias=False).double()
    ddp = DistributedDataParallel(model)
    log = []                             # one entry per all-reduce
    ddp.register_comm_hook({id(model.weight): "weight"}, averaging_hook(log))
    return model, ddp, log, list(zip(Xs.chunk(n_micro), ys.chunk(n_micro)))


def _micro_loss(model, Xm, ym, n_micro):
    return torch.nn.functional.mse_loss(model(Xm), ym) / n_micro


def buffer_snapshots(rank, world_size, X, sync_buffers=True):
    """Worker: BatchNorm's running mean as each of two forwards begins.

    A forward pre-hook on the wrapped module records ``running_mean``
    after DDP's own work at the start of ``forward``, where it broadcasts
    rank 0's buffers when ``sync_buffers`` is true. The running mean
    after the last forward is appended. Each rank feeds its own shard of
    ``X``, halved into two batches.
    """
    (Xs,) = rank_shards(rank, world_size, X=X, dtype=torch.double)
    bn = torch.nn.BatchNorm1d(X.shape[1]).double()
    seen = []                  # running_mean as each forward pass begins
    bn.register_forward_pre_hook(
        lambda module, args: seen.append(module.running_mean.clone()))
    ddp = DistributedDataParallel(bn, **sync_buffers_option(sync_buffers))
    for batch in Xs.chunk(2):
        ddp(batch)
    return seen + [bn.running_mean.clone()]


def sync_buffers_option(sync_buffers):
    """DDP's keyword argument that turns the per-forward buffer broadcast
    on or off: ``forward_sync_buffers`` from torch 2.13 on (which
    deprecates the older ``broadcast_buffers``), else
    ``broadcast_buffers``."""
    if not isinstance(sync_buffers, bool):
        raise TypeError(f"sync_buffers must be True or False, got "
                        f"{sync_buffers!r}")
    accepted = inspect.signature(DistributedDataParallel).parameters
    name = ("forward_sync_buffers" if "forward_sync_buffers" in accepted
            else "broadcast_buffers")
    return {name: sync_buffers}


def sync_batch_norm_errors(rank, world_size, n_features=2):
    """Worker: try ``SyncBatchNorm`` on CPU, alone and wrapped in DDP.

    Returns the two error messages (``None`` where the step worked): the
    layer's forward pass, and wrapping a model that contains it in DDP.
    """
    rank, world_size = rank_in_group(rank, world_size)
    n_features = whole_number("n_features", n_features)
    layer = torch.nn.SyncBatchNorm(n_features).double()
    messages = []
    for attempt in (lambda: layer(torch.ones(4, n_features).double()),
                    lambda: DistributedDataParallel(layer)):
        try:
            attempt()
        except (ValueError, RuntimeError) as err:
            messages.append(f"{type(err).__name__}: {err}")
        else:
            messages.append(None)
    return messages


def global_batch_norm(rank, world_size, X, eps=1e-5):
    """Worker: normalise this rank's shard with the global batch's moments.

    All-reduces the count, sum and sum of squares of each feature and
    returns the normalised shard (biased variance, as BatchNorm uses in
    training). ``SyncBatchNorm`` reaches the same global mean and variance
    by all-gathering each rank's count, mean and inverse standard
    deviation.
    """
    (Xs,) = rank_shards(rank, world_size, X=X)         # checked, then cut
    eps = real_number("eps", eps, low=0, low_open=True)
    stats = torch.cat([torch.tensor([float(len(Xs))], dtype=X.dtype),
                       Xs.sum(0), (Xs ** 2).sum(0)])
    dist.all_reduce(stats)                            # global sums
    n, total, squares = stats[0], *stats[1:].chunk(2)
    mean = total / n
    var = squares / n - mean ** 2
    return (Xs - mean) / torch.sqrt(var + eps)
