"""What a page was built with: versions, device and commit.

Every chapter ends with :func:`table`, so a reader comparing numbers knows
exactly which software and which hardware produced them.
"""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path

import numpy as np
import torch

from .device import get_device


def commit() -> str:
    """The git commit of the gdlab source tree, or ``"unknown"``.

    ``$GDLAB_COMMIT`` wins when set (as in published notebooks).
    """
    if os.environ.get("GDLAB_COMMIT"):
        return os.environ["GDLAB_COMMIT"]
    try:
        done = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"],
                              cwd=Path(__file__).parent, text=True,
                              capture_output=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return done.stdout.strip() if done.returncode == 0 else "unknown"


def fingerprint() -> dict:
    """Versions of Python, NumPy, PyTorch and gdlab, device and commit."""
    from . import __version__
    device = get_device()
    name = (torch.cuda.get_device_name(device) if device.type == "cuda"
            else platform.processor() or platform.machine())
    return {"python": platform.python_version(), "numpy": np.__version__,
            "torch": torch.__version__, "gdlab": __version__,
            "device": f"{device} ({name})", "commit": commit()}


def table() -> str:
    """The fingerprint as a Markdown table."""
    rows = ["| component | version |", "| --- | --- |"]
    rows += [f"| {key} | `{value}` |" for key, value in fingerprint().items()]
    return "\n".join(rows)
