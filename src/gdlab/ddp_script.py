"""Data-parallel training of the book's line, as a script for ``torchrun``.

One process per device; ``torchrun`` sets ``RANK``, ``WORLD_SIZE``,
``LOCAL_RANK`` and the rendezvous address in the environment. On one
machine::

    torchrun --standalone --nproc-per-node=2 -m gdlab.ddp_script

On two machines with 8 GPUs each, run on both (``HOST`` is the first)::

    torchrun --nnodes=2 --nproc-per-node=8 --rdzv-backend=c10d \\
        --rdzv-endpoint=HOST:29500 -m gdlab.ddp_script

The backend is NCCL when CUDA is available, gloo otherwise.
"""

from __future__ import annotations

import os

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler

from .data import linear_data

GLOBAL_BATCH = 16    # samples per update, summed over all processes
N_EPOCHS = 200


def main() -> None:
    cuda = torch.cuda.is_available()
    dist.init_process_group("nccl" if cuda else "gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    device = torch.device(f"cuda:{local_rank}" if cuda else "cpu")
    data = linear_data()
    dataset = TensorDataset(torch.tensor(data.x_train, dtype=torch.float32),
                            torch.tensor(data.y_train, dtype=torch.float32))
    sampler = DistributedSampler(dataset, num_replicas=world, rank=rank,
                                 shuffle=True, seed=42)
    loader = DataLoader(dataset, batch_size=GLOBAL_BATCH // world,
                        sampler=sampler)
    torch.manual_seed(42)                       # same start on every rank
    model = DistributedDataParallel(
        torch.nn.Linear(1, 1).to(device),
        device_ids=[local_rank] if cuda else None)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for epoch in range(N_EPOCHS):
        sampler.set_epoch(epoch)                # a new shuffle each epoch
        for X, y in loader:
            X, y = X.to(device), y.to(device)
            loss = torch.nn.functional.mse_loss(model(X), y)
            optimizer.zero_grad()
            loss.backward()                     # gradients averaged here
            optimizer.step()
    if rank == 0:
        linear = model.module
        print(f"{world} processes, backend {dist.get_backend()}: "
              f"b = {linear.bias.item():.4f}, "
              f"w = {linear.weight.item():.4f}")
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
