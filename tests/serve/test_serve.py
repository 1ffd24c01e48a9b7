"""``make serve`` rebuilds what was edited, and executes no more than that.

The book is copied into a temporary folder (its tracked and new files,
plus the MathJax, Thebe and npm copies that ``make`` installs), with a
short ``_toc.yml``: the front page and two small pages with code, one of
which uses ``gdlab.validation``. ``.ci/serve.py`` serves the copy on a free
port of 127.0.0.1. After the first build the test

1. edits a prose line of the page that uses gdlab: the served page
   changes, and the rebuild executes nothing;
2. adds a line to ``gdlab/validation.py``: the page that uses it executes
   again and shows the new value, and no other page executes;
3. edits files outside what the book is made of: no rebuild starts;

then stops the server as Ctrl+C does.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from myst_page import HEADER

pytest.importorskip("sphinx_autobuild", reason="sphinx-autobuild is not "
                    "installed; `make serve` installs it (the book extra)")

ROOT = Path(__file__).resolve().parents[2]
# What make installs and the build needs, ignored by git.
INSTALLED = {".ci/node_modules": "link", "book/_static/mathjax": "copy",
             "book/_static/thebe": "copy"}
# gdlab.validation imports no torch: the pages run in seconds.
PAGES = {
    "serve_uses_gdlab": "import gdlab\nprint('mark', getattr("
                        "gdlab.validation, 'SERVE_MARK', 'none'))",
    "serve_plain": "print('sum', 1 + 1)",
}
PROSE = "A page with one cell."
MODULE = "src/gdlab/validation.py"
FIRST_BUILD_S = 300
REBUILD_S = 180
# What sphinx-autobuild prints after each build, after a failed one, and
# when a change starts a rebuild.
BUILT = "Serving on http"
FAILED = "Sphinx exited with exit code"
REBUILDING = "Rebuilding..."
# Outside what the book is made of: writing them starts no rebuild (nor
# does gdlab's __pycache__, where the kernels write).
UNWATCHED = ("README.md", "tests/serve/note.txt", ".cache/note.txt",
             "src/gdlab/__pycache__/note.txt", "book/.#index.md")


def copy_book(target: Path) -> None:
    """The working tree as git sees it, plus what ``make`` installed (the
    MathJax and Thebe copies are copied: Sphinx does not follow links
    when it copies static files)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others",
         "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True).stdout.split(b"\0")
    for name in filter(None, (n.decode() for n in listed)):
        if (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    for name, how in INSTALLED.items():
        if how == "link":
            (target / name).symlink_to(ROOT / name)
        else:
            shutil.copytree(ROOT / name, target / name)


def write_short_book(base: Path) -> None:
    """The front page and the two pages of ``PAGES``, nothing else."""
    (base / "_toc.yml").write_text(
        "format: jb-book\nroot: book/index\nchapters:\n"
        + "".join(f"- file: book/{name}\n" for name in PAGES))
    for name, code in PAGES.items():
        (base / "book" / f"{name}.md").write_text(
            f"{HEADER}\n# {name}\n\n{PROSE}\n\n"
            f"```{{code-cell}} ipython3\n{code}\n```\n")


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    missing = [name for name in INSTALLED if not (ROOT / name).exists()]
    if missing:
        pytest.skip(f"{', '.join(missing)} missing: `make book` installs "
                    "them")
    base = tmp_path_factory.mktemp("servebook")
    copy_book(base)
    write_short_book(base)
    return base


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """``.ci/serve.py`` of a book copy, running, its output in a file."""

    def __init__(self, base: Path, port: int):
        self.url = f"http://127.0.0.1:{port}"
        self.log = base / "serve.log"
        env = dict(os.environ, GDLAB_BUILD_JOBS="1")
        with open(self.log, "w") as out:
            self.process = subprocess.Popen(
                [sys.executable, str(base / ".ci" / "serve.py"),
                 "--port", str(port)], cwd=base, env=env, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True)

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def page(self, name: str) -> str | None:
        """The served HTML of ``book/<name>``, or None while unreachable."""
        try:
            with urllib.request.urlopen(f"{self.url}/book/{name}.html",
                                        timeout=10) as response:
                return response.read().decode()
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return None

    def wait(self, done, seconds: float, what: str, since: int = 0):
        """Poll ``done()`` until it returns something true; fail at once
        when the server stops or a build (logged after ``since``) fails."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process.poll() is None, \
                f"the server stopped:\n{self.text()[-4000:]}"
            log = self.text()[since:]
            assert FAILED not in log, f"a build failed:\n{log[-4000:]}"
            found = done()
            if found:
                return found
            time.sleep(0.5)
        pytest.fail(f"no {what} after {seconds} s:\n{self.text()[-4000:]}")

    def builds(self) -> int:
        return self.text().count(BUILT)

    def rebuild(self, edit, check, what: str) -> str:
        """Make ``edit``; wait until a rebuild is over and ``check()``
        holds; return the rebuild's log."""
        before, start = self.builds(), len(self.text())
        edit()
        self.wait(lambda: self.builds() > before and check(), REBUILD_S,
                  what, since=start)
        return self.text()[start:]

    def stop(self) -> int:
        """Ctrl+C, as a terminal sends it; the exit status."""
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=60)
        finally:
            if self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def executed(log: str) -> set[str]:
    return set(re.findall(r"/([\w-]+)\.md: Executing notebook", log))


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{path.name} no longer holds {old!r}"
    path.write_text(text.replace(old, new, 1))


def test_serve_rebuilds_only_what_was_edited(book):
    server = Server(book, free_port())
    try:
        page = server.wait(lambda: server.builds() and
                           server.page("serve_uses_gdlab"), FIRST_BUILD_S,
                           "first build")
        assert executed(server.text()) == set(PAGES)
        assert "mark none" in page
        assert PROSE in page
        edited = PROSE.replace("one cell", "one cell and edited prose")

        log = server.rebuild(
            lambda: replace(book / "book" / "serve_uses_gdlab.md", PROSE,
                            edited),
            lambda: edited in (server.page("serve_uses_gdlab") or ""),
            "edited prose")
        assert "serve_uses_gdlab.md" in log
        assert executed(log) == set(), log[-3000:]

        module = book / MODULE
        log = server.rebuild(
            lambda: module.write_text(module.read_text()
                                      + '\nSERVE_MARK = "edited"\n'),
            lambda: "mark edited" in (server.page("serve_uses_gdlab")
                                      or ""), "edited gdlab")
        assert executed(log) == {"serve_uses_gdlab"}, log[-3000:]
        for name in UNWATCHED:
            (book / name).parent.mkdir(parents=True, exist_ok=True)
            (book / name).write_text("edited\n")
        time.sleep(3)          # longer than sphinx-autobuild's debounce
        assert server.text().count(REBUILDING) == 2, server.text()[-3000:]
    finally:
        status = server.stop()
    assert status == 0, server.text()[-3000:]
    assert server.page("serve_uses_gdlab") is None
