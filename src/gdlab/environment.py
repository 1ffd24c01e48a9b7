"""What a page was built with: versions, device and commit.

Every chapter ends with :func:`table`, so a reader comparing numbers knows
exactly which software and which hardware produced them. The commit is
found for a git checkout and for an installed gdlab alike (see
:func:`commit`), so a published notebook does not say "unknown".
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

import numpy as np
import torch

from .device import get_device


PACKAGE_DIR = Path(__file__).resolve().parent


def commit() -> str:
    """The git commit of this gdlab, 12 hex digits, or ``"unknown"``.

    Asked in this order: ``$GDLAB_COMMIT`` (set by whoever knows better);
    git, when gdlab runs from the ``src/gdlab`` of a checkout (editable
    install); the commit written into a wheel at build time (module
    ``gdlab._commit``); the commit pip records in ``direct_url.json`` for
    ``pip install git+URL@COMMIT``, as in published notebooks.
    """
    if os.environ.get("GDLAB_COMMIT"):
        return os.environ["GDLAB_COMMIT"][:12]
    for ask in (_from_checkout, _from_build, _from_direct_url):
        found = ask()
        if found:
            return found[:12]
    return "unknown"


def _git(*args: str, cwd: Path) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, text=True,
                              capture_output=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _from_checkout(package: Path | None = None) -> str | None:
    """HEAD of the checkout whose ``src/gdlab`` is ``package``; None for
    an installed gdlab, even one that happens to sit inside another git
    repository (a virtual environment in a project folder)."""
    package = package or PACKAGE_DIR
    top = _git("rev-parse", "--show-toplevel", cwd=package)
    if top is None or (Path(top) / "src" / "gdlab").resolve() != package:
        return None
    return _git("rev-parse", "HEAD", cwd=package)


def _from_build() -> str | None:
    """The commit a build wrote into ``gdlab/_commit.py``, if any."""
    try:
        from ._commit import COMMIT
    except ImportError:
        return None
    return COMMIT or None


def _from_direct_url() -> str | None:
    """The VCS commit pip recorded (PEP 610) for this very gdlab."""
    try:
        dist = metadata.distribution("gdlab")
    except metadata.PackageNotFoundError:
        return None
    mine = Path(str(dist.locate_file("gdlab/environment.py")))
    if mine.resolve() != PACKAGE_DIR / "environment.py":
        return None                   # another gdlab than the one running
    return vcs_commit(dist.read_text("direct_url.json"))


def vcs_commit(direct_url: str | None) -> str | None:
    """``vcs_info.commit_id`` of a ``direct_url.json`` text, else None."""
    if direct_url is not None and \
            not isinstance(direct_url, (str, bytes, bytearray)):
        raise TypeError(f"direct_url must be the text of a direct_url.json "
                        f"file, or None; got {type(direct_url).__name__}")
    try:
        info = json.loads(direct_url or "{}")
    except ValueError:
        return None
    vcs = info.get("vcs_info") if isinstance(info, dict) else None
    found = vcs.get("commit_id") if isinstance(vcs, dict) else None
    return found if isinstance(found, str) and found else None


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
