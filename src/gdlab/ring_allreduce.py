"""Ring all-reduce written with point-to-point messages, and its cost.

The ring all-reduce (Patarasuk and Yuan, 2009) arranges ``p`` processes in
a ring and cuts the tensor into ``p`` chunks. In a *reduce-scatter* phase
of ``p - 1`` steps each process sends one chunk to its right neighbour and
adds the chunk arriving from its left, so that afterwards every process
owns one fully summed chunk; an *all-gather* phase of ``p - 1`` more steps
passes the summed chunks around the ring. Each process sends
``2 (p - 1) / p`` times the tensor's size, whatever ``p`` is.

:func:`ring_all_reduce` is that algorithm as a worker for
:func:`gdlab.distributed.launch`, counting what it sends;
:func:`all_reduce_times` measures ``torch.distributed.all_reduce`` against
the message size.

References: Patarasuk and Yuan, *Bandwidth optimal all-reduce algorithms
for clusters of workstations* (J. Parallel Distrib. Comput., 2009);
Sergeev and Del Balso, *Horovod* (2018).
"""

from __future__ import annotations

import time

import torch
import torch.distributed as dist

from .validation import whole_number


def _exchange(send, recv, rank, world_size):
    """Send ``send`` to the right neighbour while receiving from the left."""
    right, left = (rank + 1) % world_size, (rank - 1) % world_size
    request = dist.isend(send.contiguous(), right)
    dist.recv(recv, left)
    request.wait()


def ring_all_reduce(rank, world_size, inputs):
    """Worker: sum row ``rank`` of ``inputs`` over the ranks around a ring.

    ``inputs`` has shape ``(world_size, n)`` with ``n`` divisible by
    ``world_size``; rank ``r`` contributes ``inputs[r]``. Returns
    ``(total, sent, reference)``: the ring's sum, the number of elements
    this rank sent, and ``dist.all_reduce``'s sum of the same rows.
    """
    if not isinstance(inputs, torch.Tensor) or inputs.dim() != 2 or \
            len(inputs) != world_size:
        raise TypeError("inputs must be a torch.Tensor of shape "
                        "(world_size, n), one row per rank")
    if inputs.shape[1] % world_size:
        raise ValueError(f"the row length {inputs.shape[1]} must be "
                         f"divisible by the world size {world_size}; pad "
                         "the rows")
    chunks = list(inputs[rank].clone().chunk(world_size))
    incoming = torch.empty_like(chunks[0])
    sent = 0
    for step in range(world_size - 1):          # 1. reduce-scatter
        out, into = (rank - step) % world_size, (rank - step - 1) % world_size
        _exchange(chunks[out], incoming, rank, world_size)
        chunks[into] += incoming
        sent += chunks[out].numel()
    for step in range(world_size - 1):          # 2. all-gather
        out, into = (rank + 1 - step) % world_size, (rank - step) % world_size
        _exchange(chunks[out], incoming, rank, world_size)
        chunks[into] = incoming.clone()
        sent += chunks[out].numel()
    reference = inputs[rank].clone()
    dist.all_reduce(reference)
    return torch.cat(chunks), sent, reference


def all_reduce_times(rank, world_size, sizes, repeat=5):
    """Worker: seconds of ``dist.all_reduce`` for each float32 size.

    Each size is timed ``repeat`` times after one untimed call, with a
    barrier before each call so that all ranks start together; the
    fastest time is returned, the one least disturbed by other work on
    the machine.
    """
    repeat = whole_number("repeat", repeat)
    sizes = [whole_number("sizes", n) for n in sizes]
    for _ in range(3):                           # wake the connections up
        dist.all_reduce(torch.ones(1))
    times = []
    for n in sizes:
        tensor = torch.ones(n)
        samples = []
        for _ in range(repeat + 1):              # the first one warms up
            dist.barrier()
            start = time.perf_counter()
            dist.all_reduce(tensor)
            samples.append(time.perf_counter() - start)
        times.append(min(samples[1:]))
    return times
