"""Checkpoints: explicit dicts, written atomically, read without pickle.

A checkpoint is a plain dict of tensors, numbers, strings, lists and dicts
(the ``state_dict`` of model, optimizer and scheduler, epoch, history, config,
random-number-generator states). :func:`save_checkpoint` writes it to a
temporary file in the same folder, flushes it to disk and renames it over
the target, so a crash mid-save leaves the previous checkpoint intact.
:func:`load_checkpoint` reads it with ``torch.load(..., weights_only=True)``,
which refuses files that would run arbitrary code when unpickled.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path

import torch


def save_checkpoint(path, state: dict) -> Path:
    """Atomically write the dict ``state`` to ``path``; return the path."""
    if not isinstance(state, dict):
        raise TypeError(f"a checkpoint must be a dict, got "
                        f"{type(state).__name__}")
    path = Path(path)
    if not path.parent.is_dir():
        raise FileNotFoundError(f"folder {path.parent} does not exist; "
                                "create it first")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                               suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(state, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)                    # atomic on POSIX
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)                         # make the rename durable
    finally:
        os.close(dir_fd)
    return path


def load_checkpoint(path, map_location="cpu") -> dict:
    """Read a checkpoint written by :func:`save_checkpoint`.

    Raises ``ValueError`` if the file holds anything but tensors and plain
    Python containers (it could execute code when unpickled).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {path}")
    try:
        state = torch.load(path, map_location=map_location,
                           weights_only=True)
    except pickle.UnpicklingError as err:
        raise ValueError(f"refusing to load {path}: it contains objects "
                         "other than tensors and plain containers, which "
                         "could run arbitrary code. Only load checkpoints "
                         f"you trust. ({str(err).splitlines()[0]})") from None
    if not isinstance(state, dict):
        raise ValueError(f"{path} does not hold a checkpoint dict")
    return state
