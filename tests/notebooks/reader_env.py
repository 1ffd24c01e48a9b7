"""A reader's Python environment, outside the repository.

The downloaded notebooks must run where gdlab is an installed package,
not this checkout's ``src/``. This module builds a wheel from the working
tree (with the commit written into it, as ``gdlab/_commit.py``), keeps a
virtual environment with the pinned dependencies (``.ci/constraints.txt``)
in a cache folder outside the repository, installs the wheel into it
afresh each time, and describes the kernel and the process environment
in which a notebook runs there.

Network: creating the virtual environment (once per set of pinned
versions) installs packages, and building the wheel takes setuptools
(pyproject.toml's build requirement) into pip's isolated build
environment; pip takes both from its cache when it has them, else from
its index. Running the notebooks needs none.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CONSTRAINTS = REPO / ".ci" / "constraints.txt"
EXTRA = "notebook"                  # what the chapters import
SOURCE_FILES = ("pyproject.toml", "README.md", "LICENSE")
STAMP = "gdlab-reader-env.json"


def _run(*command, **kwargs) -> str:
    done = subprocess.run([str(c) for c in command], capture_output=True,
                          text=True, **kwargs)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, command))} failed "
                           f"({done.returncode}):\n{done.stderr[-3000:]}")
    return done.stdout


def head_commit() -> str:
    """The commit of the working tree (HEAD)."""
    return _run("git", "rev-parse", "HEAD", cwd=REPO).strip()


def copy_source(source: Path) -> Path:
    """What building gdlab needs from the working tree, in ``source``."""
    shutil.copytree(REPO / "src", source / "src", ignore=shutil.
                    ignore_patterns("__pycache__", "*.egg-info"))
    for name in SOURCE_FILES:
        shutil.copy2(REPO / name, source / name)
    return source


def build_wheel(dest: Path, commit: str) -> Path:
    """A wheel of the working tree's gdlab that knows its ``commit``."""
    source = copy_source(dest / "source")
    (source / "src" / "gdlab" / "_commit.py").write_text(
        f'"""Written by the build."""\nCOMMIT = "{commit}"\n')
    _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
         "--wheel-dir", dest / "dist", source)
    wheels = sorted((dest / "dist").glob("gdlab-*.whl"))
    if len(wheels) != 1:
        raise RuntimeError(f"expected one gdlab wheel, found {wheels}")
    return wheels[0]


def venv_key() -> str:
    """Changes with the pinned versions, gdlab's dependencies and the
    Python version: then a new environment is made."""
    digest = hashlib.sha256()
    for path in (CONSTRAINTS, REPO / "pyproject.toml"):
        digest.update(path.read_bytes())
    digest.update(sys.version.encode())
    return digest.hexdigest()[:12]


def venv_root() -> Path:
    """Where the environments are kept: ``$GDLAB_READER_ENVS``, else
    ``~/.cache/gdlab/reader-envs``; never inside the repository."""
    root = Path(os.environ.get("GDLAB_READER_ENVS") or
                Path.home() / ".cache" / "gdlab" / "reader-envs").resolve()
    if root == REPO or REPO in root.parents:
        raise ValueError(f"{root} is inside the repository {REPO}; the "
                         "reader's environment must be outside it")
    return root


def _base_python() -> str:
    """The interpreter the project's venv was made from."""
    return getattr(sys, "_base_executable", None) or sys.executable


def ensure_venv(wheel: Path, root: Path | None = None) -> Path:
    """The cached environment with ``wheel`` freshly installed in it."""
    root = root or venv_root()
    venv = root / venv_key()
    python = venv / "bin" / "python"
    if not (venv / STAMP).exists():
        shutil.rmtree(venv, ignore_errors=True)
        _run(_base_python(), "-m", "venv", venv)
        # ipykernel: the kernel itself, whatever the extra holds
        _run(python, "-m", "pip", "install", "--quiet", "--no-compile",
             "-c", CONSTRAINTS, f"{wheel}[{EXTRA}]", "ipykernel")
        (venv / STAMP).write_text(json.dumps({"key": venv_key()}))
        _prune(root, keep=venv)
    _run(python, "-m", "pip", "install", "--quiet", "--no-deps",
         "--force-reinstall", "--no-index", wheel)
    return venv


def _prune(root: Path, keep: Path) -> None:
    """Remove environments made for other pinned versions."""
    for other in root.iterdir():
        if other != keep and (other / STAMP).exists():
            shutil.rmtree(other, ignore_errors=True)


def write_kernel(venv: Path, dest: Path) -> Path:
    """A kernel spec ``reader`` (ipykernel's own, on the venv's Python)
    in ``dest``; returns the folder to give to execute.py."""
    own = venv / "share" / "jupyter" / "kernels" / "python3" / "kernel.json"
    spec = json.loads(own.read_text())
    spec["argv"][0] = str(venv / "bin" / "python")
    spec["display_name"] = "reader"
    (dest / "reader").mkdir(parents=True, exist_ok=True)
    (dest / "reader" / "kernel.json").write_text(json.dumps(spec))
    return dest


def reader_environ(venv: Path) -> dict[str, str]:
    """The process environment of a reader: the venv first on PATH,
    nothing of the project's own environment, and no way for a set-up
    cell to install from the network (pip without index, git without
    https)."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    path = [part for part in env.get("PATH", "").split(os.pathsep)
            if part and not Path(part).resolve().is_relative_to(REPO)]
    env["PATH"] = os.pathsep.join([str(venv / "bin"), *path])
    env.update(PIP_NO_INDEX="1", GIT_ALLOW_PROTOCOL="file",
               PYTHONHASHSEED="0")
    env.pop("GDLAB_COMMIT", None)
    return env


def offline_prefix() -> list[str]:
    """``unshare --net`` with loopback up where it works (root on Linux),
    else nothing (then PIP_NO_INDEX and GIT_ALLOW_PROTOCOL still stop a
    set-up cell from installing)."""
    # no name server offline: torch's C++ side would warn on stderr that
    # it cannot name a loopback socket (as in the Makefile's strict build)
    prefix = ["unshare", "--net", "sh", "-c",
              'ip link set lo up && exec env TORCH_CPP_LOG_LEVEL=ERROR "$@"',
              "offline"]
    try:
        done = subprocess.run([*prefix, "true"], capture_output=True,
                              timeout=30)
    except (OSError, subprocess.SubprocessError):
        return []
    return prefix if done.returncode == 0 else []


def gdlab_location(venv: Path, workdir: Path) -> tuple[str, str]:
    """Where the venv's Python imports gdlab from, and its commit."""
    code = ("import gdlab, gdlab.environment as e; "
            "print(gdlab.__file__); print(e.commit())")
    out = _run(venv / "bin" / "python", "-c", code, cwd=workdir,
               env=reader_environ(venv))
    where, commit = out.strip().splitlines()[-2:]
    return where, commit


# the built notebooks, or those of another build ($GDLAB_NOTEBOOK_DIR)
NOTEBOOKS = Path(os.environ.get("GDLAB_NOTEBOOK_DIR") or
                 REPO / "_build" / "html" / "_notebooks" / "book")
# What `make test` runs: the three quickest notebooks by the build's own
# execution times (about 35 s of a book build's 5 minutes), a fixed set
# so that a failure repeats when make test runs again. They cover the
# set-up cell, training, errors shown on purpose, the device and the
# environment table. CI's notebooks job runs all of them.
QUICK = ("batch-sizes", "tensors-autograd", "gpu")


def selected(choice: str, built: list[str]) -> list[str]:
    """The notebook names that ``choice`` asks for, checked."""
    if choice in ("", "all"):
        return built
    names = list(QUICK) if choice == "quick" else [
        name.strip().removesuffix(".ipynb") for name in choice.split(",")
        if name.strip()]
    missing = sorted(set(names) - set(built))
    if missing:
        raise ValueError(f"no built notebook named {missing}; there are "
                         f"{built}")
    return names


def available() -> list[str]:
    """The names of the built notebooks."""
    return sorted(path.stem for path in NOTEBOOKS.glob("*.ipynb"))
