"""What training costs in memory: computed, and measured.

* :func:`tensor_bytes`: ``numel() * element_size()`` summed over tensors.
* :func:`training_bytes`: the bytes of a model's parameters, of their
  gradients and of Adam's two state tensors per parameter (Kingma and Ba
  2015), computed from the parameters alone.
* :func:`optimizer_state_bytes`: the bytes an optimizer really holds.
* :func:`allocated_during`: the bytes a call leaves allocated and its
  peak, measured by the CUDA caching allocator's counters on CUDA and by
  ``torch.profiler``'s memory events (``profile_memory=True``) on the CPU.
"""

from __future__ import annotations

import os

import torch

from .validation import torch_device, torch_module, torch_optimizer


def tensor_bytes(tensors) -> int:
    """Total bytes of ``tensors``: the sum of ``numel() * element_size()``."""
    total = 0
    for t in tensors:
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"expected tensors, got {type(t).__name__}")
        total += t.numel() * t.element_size()
    return total


def training_bytes(model) -> dict[str, int]:
    """Bytes of parameters, gradients and Adam's state (``exp_avg`` and
    ``exp_avg_sq``, each shaped like its parameter), without activations
    and without Adam's one-number step counters."""
    model = torch_module("model", model)
    params = tensor_bytes(p for p in model.parameters() if p.requires_grad)
    return {"parameters": params, "gradients": params,
            "Adam state": 2 * params}


def optimizer_state_bytes(optimizer) -> int:
    """Bytes of every tensor in ``optimizer.state`` (zero before the first
    step of an optimizer that creates its state lazily)."""
    optimizer = torch_optimizer("optimizer", optimizer)
    return tensor_bytes(v for state in optimizer.state.values()
                        for v in state.values()
                        if isinstance(v, torch.Tensor))


def allocated_during(fn, device) -> tuple[object, int, int]:
    """Run ``fn()`` and return ``(result, kept, peak)``: the bytes still
    allocated when it returns that were not before (negative if it freed
    more than it kept) and the peak above the starting level.

    On CUDA the numbers come from ``torch.cuda.memory_allocated`` and
    ``max_memory_allocated``, which count the caching allocator's blocks
    (rounded up to multiples of 512 bytes); on the CPU from the
    allocation events of ``torch.profiler`` with ``profile_memory=True``,
    which records every allocation and free at its requested size.
    """
    if not callable(fn):
        raise TypeError("fn must be callable, e.g. lambda: opt.step()")
    device = torch_device("device", device)
    if device.type == "cuda":
        torch.cuda.synchronize(device)
        torch.cuda.reset_peak_memory_stats(device)
        start = torch.cuda.memory_allocated(device)
        result = fn()
        torch.cuda.synchronize(device)
        kept = torch.cuda.memory_allocated(device) - start
        return result, kept, torch.cuda.max_memory_allocated(device) - start
    # kineto logs two lines per profile to stderr unless told otherwise
    os.environ.setdefault("KINETO_LOG_LEVEL", "6")
    activities = [torch.profiler.ProfilerActivity.CPU]
    with torch.profiler.profile(activities=activities,
                                profile_memory=True) as prof:
        result = fn()
    level = peak = 0
    for _, size in _allocations(prof):
        level += size
        peak = max(peak, level)
    return result, level, peak


def _allocations(prof) -> list[tuple[int, int]]:
    """(time in ns, bytes) of every allocation (positive) and free
    (negative) a finished CPU profile recorded, in time order."""
    from torch._C._profiler import _EventType

    stack = list(prof.profiler.kineto_results.experimental_event_tree())
    found = []
    while stack:
        node = stack.pop()
        stack.extend(node.children)
        if node.tag == _EventType.Allocation:
            found.append((node.start_time_ns, node.extra_fields.alloc_size))
    return sorted(found)
