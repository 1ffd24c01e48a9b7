"""Floating-point formats, mixed precision and TF32's rounding.

* :func:`format_table`: range and precision of float32, float16 and
  bfloat16 from ``torch.finfo`` (IEEE 754-2008; bfloat16 as in
  Kalamkar et al. 2019).
* :func:`round_mantissa`: a float32 tensor rounded to fewer mantissa bits,
  round-to-nearest-even; ``bits=10`` emulates the TF32 inputs of NVIDIA's
  tensor cores, ``bits=7`` reproduces bfloat16.
* :func:`autocast_dtypes`: the dtype each of a few common operations
  returns inside ``torch.autocast``.
* :func:`train_mixed`: a small regression network trained in float32, in
  autocast, and optionally with a ``GradScaler`` (Micikevicius et al.
  2018), recording the loss and the scaler's scale at every step.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .validation import torch_device, whole_number

FORMATS = (torch.float32, torch.float16, torch.bfloat16)


def format_table(dtypes=FORMATS) -> list[dict]:
    """One row per floating-point dtype: its bits, mantissa bits, machine
    epsilon, largest value and smallest normal value."""
    rows = []
    for dtype in dtypes:
        if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
            raise TypeError(f"dtypes must hold floating torch dtypes such "
                            f"as torch.float16, got {dtype!r}")
        info = torch.finfo(dtype)
        rows.append({"dtype": str(dtype).replace("torch.", ""),
                     "bits": info.bits,
                     "mantissa bits": round(-math.log2(info.eps)),
                     "epsilon": info.eps, "largest": info.max,
                     "smallest normal": info.smallest_normal})
    return rows


def round_mantissa(x: torch.Tensor, bits: int) -> torch.Tensor:
    """``x`` (float32) with its mantissa rounded to ``bits`` explicit bits,
    to nearest, ties to even, returned as float32.

    TF32 keeps 10 bits, so ``round_mantissa(x, 10)`` is what a tensor core
    reads when TF32 is allowed; ``round_mantissa(x, 7)`` equals
    ``x.bfloat16().float()``. Inf and NaN are passed through unchanged.
    """
    if not isinstance(x, torch.Tensor) or x.dtype != torch.float32:
        raise TypeError("x must be a float32 tensor; convert it with "
                        ".float() first")
    bits = whole_number("bits", bits, low=0)
    if bits > 23:
        raise ValueError(f"float32 has 23 mantissa bits, got bits={bits}")
    drop = 23 - bits
    if drop == 0:
        return x.clone()
    i = x.view(torch.int32).to(torch.int64) & 0xFFFFFFFF   # unsigned
    half = (1 << (drop - 1)) - 1
    lowest_kept = (i >> drop) & 1                  # ties go to even
    rounded = ((i + half + lowest_kept) >> drop) << drop
    rounded = torch.where(rounded >= 2**31, rounded - 2**32, rounded)
    out = rounded.to(torch.int32).view(torch.float32)
    return torch.where(torch.isfinite(x), out, x)


_OPS = {
    "linear layer": lambda x, lin: lin(x),
    "matrix product": lambda x, lin: x @ x.T,
    "ReLU": lambda x, lin: torch.relu(lin(x)),
    "sum": lambda x, lin: lin(x).sum(),
    "exp": lambda x, lin: lin(x).exp(),
    "softmax": lambda x, lin: lin(x).softmax(dim=1),
    "MSE loss": lambda x, lin: nn.functional.mse_loss(lin(x), x),
    "cross-entropy": lambda x, lin: nn.functional.cross_entropy(
        lin(x), torch.zeros(len(x), dtype=torch.long, device=x.device)),
    "layer norm": lambda x, lin: nn.functional.layer_norm(lin(x), (4,)),
}


def autocast_dtypes(device, dtype=torch.bfloat16) -> dict[str, str]:
    """The dtype each operation returns on float32 inputs inside
    ``torch.autocast(device_type=device.type, dtype=dtype)``."""
    device = torch_device("device", device)
    if dtype not in (torch.bfloat16, torch.float16):
        raise ValueError(f"autocast runs in torch.bfloat16 or "
                         f"torch.float16, got {dtype!r}")
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(8, 4, generator=gen).to(device)
    lin = nn.Linear(4, 4).to(device)
    found = {}
    with torch.autocast(device_type=device.type, dtype=dtype):
        for name, op in _OPS.items():
            found[name] = str(op(x, lin).dtype).replace("torch.", "")
    return found


def regression_data(seed: int = 0, n: int = 256, d: int = 16):
    """``(X, y)``: ``n`` Gaussian inputs in ``d`` dimensions and the
    smooth target ``sin(X w / 4)`` for a random ``w`` (float32)."""
    n, d = whole_number("n", n), whole_number("d", d)
    gen = torch.Generator().manual_seed(seed)
    X = torch.randn(n, d, generator=gen)
    w = torch.randn(d, 1, generator=gen)
    return X, torch.sin(X @ w / 4)


def train_mixed(device, dtype=None, *, scaler: bool = False,
                n_steps: int = 200, lr: float = 1e-2, seed: int = 0,
                init_scale: float = 2.0**16,
                growth_interval: int = 2000) -> dict:
    """Train a small MLP with Adam; return ``{"loss": [...], "scale":
    [...], "skipped": k}``.

    ``dtype=None`` trains in float32; ``torch.bfloat16`` or
    ``torch.float16`` runs the forward pass in ``torch.autocast``. With
    ``scaler=True`` a ``torch.amp.GradScaler`` scales the loss, unscales
    the gradients before the step, skips steps whose gradients are not
    finite and adapts its scale; ``"scale"`` is its scale after each step.
    """
    device = torch_device("device", device)
    n_steps = whole_number("n_steps", n_steps)
    if dtype not in (None, torch.bfloat16, torch.float16):
        raise ValueError("dtype must be None (float32), torch.bfloat16 or "
                         f"torch.float16, got {dtype!r}")
    X, y = (t.to(device) for t in regression_data(seed))
    torch.manual_seed(seed)
    net = nn.Sequential(nn.Linear(X.shape[1], 64), nn.Tanh(),
                        nn.Linear(64, 1)).to(device)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    amp = torch.amp.GradScaler(device.type, init_scale=init_scale,
                               growth_interval=growth_interval,
                               enabled=scaler)
    history = {"loss": [], "scale": [], "skipped": 0}
    for _ in range(n_steps):
        with torch.autocast(device.type, dtype=dtype or torch.float32,
                            enabled=dtype is not None):
            loss = nn.functional.mse_loss(net(X), y)
        opt.zero_grad()
        amp.scale(loss).backward()
        before = amp.get_scale() if scaler else 1.0
        amp.step(opt)
        amp.update()
        after = amp.get_scale() if scaler else 1.0
        history["skipped"] += int(after < before)
        history["loss"].append(loss.item())
        history["scale"].append(after)
    return history
