"""Capturing the GPU chapter's reference run: its measurements on a GPU.

The book is built on CPUs, so facts that need a GPU (its speed, its
asynchronous queue, CUDA's memory counters and error messages) are
measured once on a real GPU by :func:`capture`, which calls the same
gdlab functions the chapter calls (:mod:`gdlab.device`,
:mod:`gdlab.roofline`, :mod:`gdlab.memory`, :mod:`gdlab.precision`) on
whatever device it is given, and returns them in the format that
:mod:`gdlab.reference_run` validates, stores and renders. Run it as
``python -m gdlab.reference_run capture OUT.json``.

Each section records one lesson of the chapter: autocast dtypes, the
roofline (Williams, Waterman and Patterson 2009), timing (synchronised,
unsynchronised, CUDA events, pageable and pinned copies, hidden
synchronisation), memory by training phase, an out-of-memory message,
mixed-precision training with ``GradScaler`` (Micikevicius et al. 2018),
float32 matmul precision settings (TF32) and determinism.
"""

from __future__ import annotations

import datetime

import torch
from torch import nn

from . import device as dev
from . import memory, precision, roofline
from .reference_run import validate
from .validation import torch_device


def _header(device, command: str) -> dict:
    gpu = (torch.cuda.get_device_name(device) if device.type == "cuda"
           else "no GPU (CPU only)")
    return {"gpu": gpu, "date": datetime.date.today().isoformat(),
            "torch": torch.__version__,
            "cuda": torch.version.cuda or "none", "device": str(device),
            "command": command}


def _autocast(device) -> dict:
    low = {dt: precision.autocast_dtypes(device, dt)
           for dt in (torch.bfloat16, torch.float16)}
    return {"rows": [{"operation": op, "bfloat16": low[torch.bfloat16][op],
                      "float16": low[torch.float16][op]}
                     for op in low[torch.bfloat16]]}


def _timing(device, n: int) -> dict:
    A = torch.randn(n, n, device=device)
    rows = [{"measurement": f"{n}x{n} matmul, synchronised wall clock",
             "ms": dev.time_call(lambda: A @ A, device) * 1e3},
            {"measurement": f"{n}x{n} matmul, clock read without waiting",
             "ms": dev.queue_time(lambda: A @ A, device) * 1e3}]
    if device.type == "cuda":
        rows.append({"measurement": f"{n}x{n} matmul, CUDA events",
                     "ms": dev.event_time(lambda: A @ A, device) * 1e3})
        rows += _copies(device)
    for what, seconds in dev.sync_cost(device).items():
        rows.append({"measurement": f"200 small steps, {what}",
                     "ms": seconds * 1e3})
    return {"rows": rows}


def _copies(device, n_bytes: int = 2**26) -> list[dict]:
    pageable = torch.empty(n_bytes, dtype=torch.uint8)
    pinned = pageable.pin_memory()
    rows = []
    for name, host in (("pageable", pageable), ("pinned", pinned)):
        def copy():
            return host.to(device, non_blocking=True)
        rows += [{"measurement": f"64 MiB {name} copy, non_blocking, "
                                 "until the call returns",
                  "ms": dev.queue_time(copy, device) * 1e3},
                 {"measurement": f"64 MiB {name} copy, until done",
                  "ms": dev.time_call(copy, device) * 1e3}]
    return rows


def _memory(device, width: int) -> dict:
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(width, 4 * width), nn.ReLU(),
                        nn.Linear(4 * width, width)).to(device)
    opt = torch.optim.Adam(net.parameters())
    X = torch.randn(256, width, device=device)
    net(X).sum().backward()          # cuBLAS's workspace is not ours
    net.zero_grad(set_to_none=True)
    loss, fwd, fwd_peak = memory.allocated_during(
        lambda: net(X).pow(2).mean(), device)
    _, bwd, bwd_peak = memory.allocated_during(loss.backward, device)
    _, step, step_peak = memory.allocated_during(opt.step, device)
    computed = memory.training_bytes(net)
    rows = [{"phase": "forward", "computed bytes": None,
             "kept bytes": fwd, "peak bytes": fwd_peak},
            {"phase": "backward (gradients)",
             "computed bytes": computed["gradients"],
             "kept bytes": bwd, "peak bytes": bwd_peak},
            {"phase": "first Adam step (state)",
             "computed bytes": computed["Adam state"],
             "kept bytes": step, "peak bytes": step_peak}]
    return {"rows": rows}


def _oom(device) -> dict:
    try:
        torch.empty(2**50, dtype=torch.uint8, device=device)
        message = "no error"
    except RuntimeError as error:
        message = f"{type(error).__name__}: {error}"
    return {"rows": [{"device": str(device), "message": message[:600]}]}


def _mixed(device, n_steps: int) -> dict:
    runs = {"float32": (None, False), "bfloat16 autocast":
            (torch.bfloat16, False),
            "float16 autocast + GradScaler": (torch.float16, True)}
    rows = []
    for name, (dtype, scaler) in runs.items():
        h = precision.train_mixed(device, dtype, scaler=scaler,
                                  n_steps=n_steps)
        rows.append({"run": name, "final loss": h["loss"][-1],
                     "skipped steps": h["skipped"]})
    h = precision.train_mixed(device, torch.float16, scaler=True,
                              n_steps=30, init_scale=2.0**30,
                              growth_interval=5)
    rows.append({"run": "float16 + GradScaler from scale 2^30",
                 "final loss": h["loss"][-1], "skipped steps": h["skipped"]})
    return {"rows": rows}


def _matmul_precision(device, n: int) -> dict:
    gen = torch.Generator().manual_seed(1)
    A = torch.randn(n, n, generator=gen, dtype=torch.float64)
    B = torch.randn(n, n, generator=gen, dtype=torch.float64)
    exact = A @ B

    def error(C):
        return ((C.double().cpu() - exact).norm() / exact.norm()).item()

    A32, B32 = A.float().to(device), B.float().to(device)
    before = torch.get_float32_matmul_precision()
    rows = []
    try:
        for setting in ("highest", "high", "medium"):
            torch.set_float32_matmul_precision(setting)
            seconds = dev.time_call(lambda: A32 @ B32, device)
            rows.append({"float32 matmul precision": setting,
                         "relative error": error(A32 @ B32),
                         "GFLOP/s": roofline.gflops(2 * n**3, seconds)})
    finally:
        torch.set_float32_matmul_precision(before)
    tf32 = [precision.round_mantissa(t.float(), 10).double() for t in (A, B)]
    rows.append({"float32 matmul precision": "TF32 emulated (float64)",
                 "relative error": error(tf32[0] @ tf32[1]),
                 "GFLOP/s": None})
    for dtype in (torch.float16, torch.bfloat16):
        A16, B16 = A32.to(dtype), B32.to(dtype)
        seconds = dev.time_call(lambda: A16 @ B16, device)
        rows.append({"float32 matmul precision": str(dtype)[6:] + " inputs",
                     "relative error": error(A16 @ B16),
                     "GFLOP/s": roofline.gflops(2 * n**3, seconds)})
    return {"rows": rows}


def _determinism(device) -> dict:
    gen = torch.Generator().manual_seed(0)
    index = torch.randint(0, 10, (1_000_000,), generator=gen).to(device)
    source = torch.randn(1_000_000, generator=gen).to(device)
    sums = {torch.zeros(10, device=device).index_add_(0, index, source)
            .sum().item() for _ in range(10)}
    rows = [{"check": "index_add_ of 10^6 values, 10 runs",
             "result": f"{len(sums)} different result(s)"}]
    torch.use_deterministic_algorithms(True)
    try:
        torch.zeros(5, device=device).put_(torch.tensor([0, 0],
                                                        device=device),
                                           torch.ones(2, device=device))
        message = "no error"
    except RuntimeError as error:
        message = str(error).split(". ")[0]
    finally:
        torch.use_deterministic_algorithms(False)
    rows.append({"check": "put_ under use_deterministic_algorithms(True)",
                 "result": message})
    return {"rows": rows}


def capture(device=None, *, quick: bool = False,
            command: str = "python -m gdlab.reference_run capture") -> dict:
    """Measure everything the GPU chapter measures on ``device`` (default:
    :func:`gdlab.device.get_device`). ``quick`` uses small sizes (for
    tests on the CPU)."""
    device = (dev.get_device() if device is None
              else torch_device("device", device))
    gd_sizes = (1_000, 10_000) if quick else (10_000, 100_000,
                                                1_000_000, 4_000_000)
    mm_sizes = (64, 128) if quick else (256, 1024, 4096)
    n = 64 if quick else 4096
    sections = {
        "autocast": _autocast(device),
        "roofline": {"rows": roofline.measure(device, gd_sizes=gd_sizes,
                                              matmul_sizes=mm_sizes)},
        "timing": _timing(device, n),
        "memory": _memory(device, 64 if quick else 1024),
        "out of memory": _oom(device),
        "mixed precision": _mixed(device, 20 if quick else 200),
        "matmul precision": _matmul_precision(device, 64 if quick else
                                              2048),
        "determinism": _determinism(device),
    }
    data = {"header": _header(device, command), "sections": sections}
    return validate(data)
