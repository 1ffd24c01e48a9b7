"""``make serve``: a live-reloading preview of the book on 127.0.0.1.

sphinx-autobuild builds the book, serves it and, whenever a watched file
changes, builds it again and reloads the page open in the browser. It
watches what the book is made of: ``book/``, ``src/gdlab``, ``_config.yml``
and ``_toc.yml``; everything else under the book root is ignored.

A rebuild is an ordinary incremental Sphinx build: it reads again only the
pages whose files, or the gdlab modules they use, changed
(``book/_ext/execution_key.py`` records those dependencies), and takes
every executed notebook from the execution cache of ``make book``
(``_build/.jupyter_cache``). So an edit to a page's prose re-executes
nothing, an edit to its code re-executes that page, and an edit to a gdlab
module re-executes the pages that use it.

Jupyter Book 1 has no ``conf.py``: ``jupyter-book build`` computes the
Sphinx configuration from ``_config.yml`` and ``_toc.yml`` and hands it to
Sphinx directly. sphinx-autobuild runs ``sphinx-build``, which reads a
``conf.py``; this script writes a small one into ``_build/serve/conf``
that computes the same configuration (local extensions included) at every
build, so an edit to ``_config.yml`` applies at the next one. The preview
writes to ``_build/serve`` and leaves ``_build/html`` to ``make book``.

Run it with the book's environment: ``.venv/bin/python .ci/serve.py
[--port 8000]``; Ctrl+C stops it.
"""

from __future__ import annotations

import argparse
import errno
import importlib.util
import os
import re
import socket
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "_build" / "serve"
HOST = "127.0.0.1"
# What the book is made of: a change here rebuilds the preview.
WATCHED = ("book/", "src/gdlab/", "_config.yml", "_toc.yml")
# Left out by name; the rest of the book root, outside WATCHED, is left
# out too.
IGNORED = ("_build", ".venv", ".cache", ".git", "tests")
# Files that running the book or an editor leave next to watched ones.
IGNORED_ANYWHERE = (r"/__pycache__(/|$)", r"/\.ipynb_checkpoints(/|$)",
                    r"~$", r"\.sw[a-p]$", r"/\.#[^/]*$", r"/4913$")
CONF = '''"""Sphinx configuration of `make serve`, written by {script}."""
import importlib.util

_spec = importlib.util.spec_from_file_location("gdlab_serve", {script!r})
_serve = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_serve)
globals().update(_serve.sphinx_config())
setup = _serve.setup
'''


# --- the configuration (run by the conf.py at every build) -----------------

def uses_numbered_toc(toc: Path) -> bool:
    """Whether ``_toc.yml`` numbers a part, as ``jupyter-book build`` asks
    before loading ``sphinx_multitoc_numbering``."""
    import yaml
    from sphinx_external_toc.parsing import parse_toc_yaml

    return "numbered: true" in yaml.dump(parse_toc_yaml(toc).as_json())


def sphinx_config(root: Path = ROOT) -> dict:
    """The configuration ``jupyter-book build`` gives Sphinx for the book
    at ``root``, with the execution cache of ``make book``."""
    from jupyter_book.config import get_final_config

    toc = root / "_toc.yml"
    config, _ = get_final_config(
        user_yaml=root / "_config.yml", sourcedir=root,
        cli_config={"external_toc_path": toc.as_posix(),
                    "latex_individualpages": False})
    if not config.get("nb_execution_cache_path"):
        # where `make book` keeps it (beside its _build/html)
        config["nb_execution_cache_path"] = str(root / "_build" /
                                                ".jupyter_cache")
    extensions = config.setdefault("extensions", [])
    if config.get("use_multitoc_numbering") and uses_numbered_toc(toc) \
            and "sphinx_multitoc_numbering" not in extensions:
        extensions.append("sphinx_multitoc_numbering")
    return config


def setup(app) -> None:
    """Read relative paths in the configuration (``html_favicon``, the
    ``html_static_path`` that extensions add) from the book root, as
    ``jupyter-book build`` does: it gives Sphinx no configuration folder,
    and Sphinx then takes the source folder for one."""
    app.confdir = app.srcdir


# --- the server --------------------------------------------------------------

def write_conf() -> Path:
    """``_build/serve/conf/conf.py``, which loads :func:`sphinx_config`."""
    folder = OUT / "conf"
    folder.mkdir(parents=True, exist_ok=True)
    script = str(Path(__file__).resolve())
    (folder / "conf.py").write_text(CONF.format(script=script))
    return folder


def ignore_arguments() -> list[str]:
    """sphinx-autobuild's options that leave out all but ``WATCHED``."""
    root = re.escape(ROOT.as_posix())
    watched = "|".join(re.escape(name) + ("" if name.endswith("/") else "$")
                       for name in WATCHED)
    arguments = [f"--ignore={ROOT / name}" for name in IGNORED]
    arguments.append(f"--re-ignore=^{root}/(?!{watched})")
    arguments += [f"--re-ignore={pattern}" for pattern in IGNORED_ANYWHERE]
    return arguments


def autobuild_command(port: int) -> list[str]:
    """The sphinx-autobuild command line of the preview."""
    return [sys.executable, "-m", "sphinx_autobuild", str(ROOT),
            str(OUT / "html"), "-c", str(write_conf()),
            "-d", str(OUT / ".doctrees"), "--host", HOST,
            "--port", str(port), *ignore_arguments()]


def environment() -> dict[str, str]:
    """Settings that ``make`` exports, for a run outside it: executed
    pages run on this Python and import this tree's gdlab."""
    bin_dir = str(Path(sys.executable).parent)
    paths = os.environ.get("PATH", "").split(os.pathsep)
    src = [str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]
    return {"PATH": os.pathsep.join([bin_dir, *paths]),
            "PYTHONPATH": os.pathsep.join(filter(None, src)),
            "PYTHONHASHSEED": os.environ.get("PYTHONHASHSEED", "0"),
            "PYTHONUNBUFFERED": "1"}


def check_port(port: int) -> None:
    """Stop now, not after the first build, when the port is taken."""
    with socket.socket() as probe:
        # as uvicorn binds: a port left in TIME_WAIT is free
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise
            sys.exit(f"serve: port {port} on {HOST} is in use; pick another "
                     f"with `make serve PORT={port + 1}`")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="A live-reloading preview of the book (make serve).")
    parser.add_argument("--port", type=int, default=8000,
                        help="port on 127.0.0.1 (default 8000)")
    args = parser.parse_args(argv)
    if importlib.util.find_spec("sphinx_autobuild") is None:
        sys.exit("serve: sphinx-autobuild is not installed here; `make "
                 "serve` installs it (the `book` extra of pyproject.toml)")
    check_port(args.port)
    print(f"serve: building the book, then serving it on "
          f"http://{HOST}:{args.port}/ (Ctrl+C stops it)", flush=True)
    command = autobuild_command(args.port)
    os.execve(command[0], command, {**os.environ, **environment()})


if __name__ == "__main__":
    main()
