"""Every public gdlab callable, fed a bad value, raises a clear error.

The callables are found the way a reader meets them: the ``__all__`` of
each module in ``gdlab.SUBMODULES`` (else its public names defined in
gdlab), so a new public function is covered without editing this file.
Each is called with all of its required positional arguments set to one
bad value (``None``, a string, NaN, infinity, an empty or a 3-D array, a
plain list, an integer tensor). It may return normally (some arguments
legitimately take a string) or raise ``ValueError``/``TypeError``; any
other exception is a failure, with two documented exceptions below.
"""
from __future__ import annotations

import importlib
import inspect
import math
import multiprocessing.process
import subprocess
import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

import gdlab

BAD_VALUES = {
    "None": None, "str": "text", "nan": math.nan, "inf": math.inf,
    "empty": np.empty(0), "3d": np.zeros((2, 2, 2)), "list": [1.0, 2.0],
    "int_tensor": torch.tensor([1, 2]),
}

#: The exercise checkers answer a wrong answer with ``AssertionError``: that
#: is their contract (a solution cell fails the way an ``assert`` does), so
#: a bad value there is a wrong answer, not a misuse.
CHECKERS = "gdlab.exercises."

#: Callables whose argument is the path of a file to read: for a string
#: naming no file, ``FileNotFoundError`` is the right answer.
READS_A_PATH = {"gdlab.checkpoint.load_checkpoint"}


def public_callables() -> dict:
    """``{qualified name: function or class}`` of gdlab's public API."""
    seen = {}
    for mod_name in gdlab.SUBMODULES:
        mod = importlib.import_module(f"gdlab.{mod_name}")
        names = getattr(mod, "__all__", None) or [
            n for n in vars(mod) if not n.startswith("_")]
        for name in names:
            obj = getattr(mod, name, None)
            if (inspect.isfunction(obj) or inspect.isclass(obj)) and \
                    getattr(obj, "__module__", "").startswith("gdlab"):
                seen.setdefault(f"{obj.__module__}.{obj.__qualname__}", obj)
    return seen


def n_required(fn) -> int:
    """How many positional arguments ``fn`` needs (0 if unknown)."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return 0
    return sum(p.default is p.empty and
               p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
               for p in sig.parameters.values())


PUBLIC = public_callables()
FUZZED = {name: fn for name, fn in sorted(PUBLIC.items())
          if n_required(fn)}


def allowed(name: str, label: str) -> tuple[type[Exception], ...]:
    """The exceptions ``name`` may raise when fed ``BAD_VALUES[label]``."""
    extra = ()
    if name.startswith(CHECKERS):
        extra = (AssertionError,)
    elif name in READS_A_PATH and label == "str":
        extra = (FileNotFoundError,)
    return (ValueError, TypeError, *extra)


class Forbidden(Exception):
    """A call tried to start a process or to sleep: it should have
    refused its bad argument before getting there."""


@pytest.fixture
def no_waiting(monkeypatch, tmp_path):
    """Run in a scratch folder; starting a process or sleeping fails."""
    def refuse(what):
        def guard(*args, **kwargs):
            raise Forbidden(f"tried to {what}")
        return guard
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(subprocess, "Popen", refuse("run a subprocess"))
    monkeypatch.setattr(multiprocessing.process.BaseProcess, "start",
                        refuse("start a process"))
    monkeypatch.setattr(time, "sleep", refuse("sleep"))
    yield
    plt.close("all")


def test_the_enumeration_finds_the_api():
    assert len(PUBLIC) > 150
    assert len(FUZZED) > 100
    for name in ("gdlab.linear.gradient_descent", "gdlab.device.synchronize",
                 "gdlab.distributed.averaged_gradient",
                 "gdlab.checkpoint.load_checkpoint"):
        assert name in FUZZED


@pytest.mark.parametrize("name", list(FUZZED))
def test_bad_values_get_a_clear_error(name, no_waiting):
    fn, failures = FUZZED[name], []
    for label, value in BAD_VALUES.items():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = fn(*[value] * n_required(fn))
            close = getattr(result, "close", None)
            if callable(close):         # e.g. a TensorBoard logger's file
                close()
        except allowed(name, label):
            pass
        except Exception as err:        # noqa: BLE001 - that is the test
            failures.append(f"{label}: {type(err).__name__}: {err}")
        finally:
            plt.close("all")
    assert not failures, f"{name} raised:\n" + "\n".join(failures)


def test_devices_are_checked_once_for_all():
    from gdlab.validation import torch_device
    assert torch_device("device", "cpu") == torch.device("cpu")
    assert torch_device("device", torch.device("cpu")) == torch.device("cpu")
    with pytest.raises(ValueError, match="device='gpu' is not a device"):
        gdlab.device.synchronize("gpu")
    with pytest.raises(ValueError, match="device=-1 is not a device"):
        torch_device("device", -1)
    with pytest.raises(TypeError, match="device must be a device"):
        gdlab.precision.autocast_dtypes(1.5)


@pytest.mark.parametrize("rank, world_size, match", [
    (2, 2, "rank must be < world_size"), (-1, 2, "rank must be >= 0"),
    (0, 0, "world_size must be >= 1"), (0.0, 1, "rank must be an integer")])
def test_worker_ranks_are_checked(rank, world_size, match):
    with pytest.raises((ValueError, TypeError), match=match):
        gdlab.distributed.failing_worker(rank, world_size)


def test_rank_shards_are_chunks_of_checked_tensors():
    from gdlab.tensors import rank_shards
    X = torch.arange(14.0).view(7, 2)
    y = torch.arange(7.0).view(7, 1)
    for rank in range(3):
        Xs, ys = rank_shards(rank, 3, X=X, y=y)
        assert torch.equal(Xs, X.chunk(3)[rank])
        assert torch.equal(ys, y.chunk(3)[rank])
    with pytest.raises(ValueError, match="X and y must have the same"):
        rank_shards(0, 2, X=X, y=y[:6])
    with pytest.raises(ValueError, match="cuts into 3 shards, too few"):
        rank_shards(0, 4, X=X[:5])
    with pytest.raises(ValueError, match=r"2 dimensions, got shape \(7,\)"):
        rank_shards(0, 1, X=X[:, 0])
    with pytest.raises(TypeError, match="X must have dtype torch.float64"):
        rank_shards(0, 1, X=X, dtype=torch.float64)


def test_training_workers_refuse_what_they_cannot_train_on():
    X = torch.randn(8, 3, dtype=torch.float64)
    y = torch.randn(8, 1, dtype=torch.float64)
    state = torch.nn.Linear(3, 1).double().state_dict()
    train = gdlab.distributed.single_process_train
    assert train(X, y, state, 0.1, 2, 4)["weight"].shape == (1, 3)
    with pytest.raises(ValueError, match=r"state\['weight'\] must have"):
        train(X[:, :2], y, state, 0.1, 2, 4)
    with pytest.raises(ValueError, match="y must be one column"):
        train(X, X, state, 0.1, 2, 4)
    with pytest.raises(TypeError, match="state must be the state_dict"):
        train(X, y, {}, 0.1, 2, 4)
    with pytest.raises(ValueError, match="global_batch=5 cannot be shared"):
        gdlab.distributed.ddp_train(3, 4, X, y, state, 0.1, 2, 5)
    with pytest.raises(TypeError, match="w has dtype torch.float32"):
        gdlab.distributed.averaged_gradient(0, 1, X, y, torch.zeros(3, 1))
    with pytest.raises(ValueError, match=r"w must have shape \(3, 1\)"):
        gdlab.distributed.averaged_gradient(0, 1, X, y, X)
    with pytest.raises(ValueError, match="seconds must be <= 3600"):
        gdlab.distributed.straggler_worker(0, 1, 1e300)


def test_arguments_of_other_kinds_are_named(tmp_path):
    from gdlab import callbacks, ddp_script, environment, reference_run
    with pytest.raises(TypeError, match="cfg must be a gdlab.ddp_script"):
        ddp_script.train({}, 0, 1, "cpu")
    with pytest.raises(TypeError, match="log_dir must be a folder path"):
        callbacks.TensorBoardLogger(None)
    logger = callbacks.TensorBoardLogger(tmp_path / "runs")
    logger.close()
    assert (tmp_path / "runs").is_dir()
    with pytest.raises(TypeError, match="direct_url must be the text"):
        environment.vcs_commit({"vcs_info": {}})
    with pytest.raises(TypeError, match="rows must be a list of dicts"):
        reference_run.markdown_table(torch.tensor([1, 2]))
    with pytest.raises(TypeError, match="label must be a str"):
        gdlab.explorer.slider({}, None, alt={})
