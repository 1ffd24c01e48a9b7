"""Fixtures for running the built notebooks as a reader gets them.

``$GDLAB_NOTEBOOKS`` chooses which of ``_build/html/_notebooks`` run:
``all`` (the default), ``quick`` (the ``QUICK`` ones, which ``make test``
runs), or names separated by commas (``gpu,data-parallel``).
``$GDLAB_NOTEBOOK_DIR`` points at the notebooks of another build.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

import reader_env


def pytest_generate_tests(metafunc):
    if "notebook" in metafunc.fixturenames:
        names = reader_env.selected(
            os.environ.get("GDLAB_NOTEBOOKS", "all"),
            reader_env.available())
        metafunc.parametrize("notebook", names or ["(none built)"])


@dataclass
class Reader:
    venv: Path
    kernels: Path
    env: dict
    prefix: list
    commit: str


@pytest.fixture(scope="session")
def reader(tmp_path_factory) -> Reader:
    """gdlab from a wheel of the working tree, in a venv outside the
    repository, with a kernel spec for it."""
    if not reader_env.available():
        pytest.fail(f"no notebooks in {reader_env.NOTEBOOKS}: run "
                    "`make book` first")
    base = tmp_path_factory.mktemp("reader")
    assert not base.resolve().is_relative_to(reader_env.REPO)
    commit = reader_env.head_commit()
    wheel = reader_env.build_wheel(base, commit)
    venv = reader_env.ensure_venv(wheel)
    kernels = reader_env.write_kernel(venv, base / "kernels")
    return Reader(venv, kernels, reader_env.reader_environ(venv),
                  reader_env.offline_prefix(), commit)
