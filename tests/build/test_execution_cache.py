"""The execution cache re-executes exactly the pages whose code changed.

A small book with three pages (one using ``gdlab.functions``, one using
``gdlab.data``, one not using gdlab) is built four times against a copy of
the gdlab source, through the book's own ``execution_key`` extension:
first build, an edit to ``functions.py``, no change, and an edit to the
pinned environment. After each build the log says which pages executed and
the HTML shows what they printed. The book is read with two workers
(``parallel_read``), as the real one is: six pages, so that Sphinx does
read in parallel (two pages print the process that started their kernel,
which differs), and the cache must stay exact all the same.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from myst_page import HEADER

ROOT = Path(__file__).resolve().parents[2]
JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"
PAGES = {
    "uses_functions": "import gdlab\nprint('minimum', "
                      "gdlab.functions.Rosenbrock().minimum)",
    "uses_data": "from gdlab import linear_data\n"
                 "print('x0', round(float(linear_data().x_train[0, 0]), 6))",
    "plain": "print('sum', 1 + 1)",
    # the process that started the kernel: the Sphinx worker reading it
    # (the two differ: the cache would serve identical code from one run)
    "plain_b": "import os\nprint('reader', os.getppid(), 'b')",
    "plain_c": "import os\nprint('reader', os.getppid(), 'c')",
}
CONFIG = f"""title: cache test
only_build_toc_files: true
execute:
  execute_notebooks: cache
  timeout: 60
  raise_on_error: true
sphinx:
  local_extensions:
    execution_key: {ROOT / "book" / "_ext"}
    lean_doctrees: {ROOT / "book" / "_ext"}
    parallel_read: {ROOT / "book" / "_ext"}
"""


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    base = tmp_path_factory.mktemp("cachebook")
    shutil.copytree(ROOT / "src" / "gdlab", base / "src" / "gdlab",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (base / ".ci").mkdir()
    shutil.copy(ROOT / ".ci" / "constraints.txt", base / ".ci")
    (base / "_config.yml").write_text(CONFIG)
    (base / "_toc.yml").write_text(
        "format: jb-book\nroot: index\nchapters:\n"
        + "".join(f"- file: {name}\n" for name in PAGES))
    (base / "index.md").write_text("# Cache test\n")
    for name, code in PAGES.items():
        (base / f"{name}.md").write_text(
            f"{HEADER}\n# {name}\n\n```{{code-cell}} ipython3\n{code}\n```\n")
    return base


def build(base: Path) -> tuple[set[str], dict[str, str]]:
    """Build; return the pages executed and each page's HTML text."""
    env = dict(os.environ, PYTHONPATH=str(base / "src"),
               GDLAB_BUILD_JOBS="2")
    done = subprocess.run([str(JUPYTER_BOOK), "build", str(base),
                           "--warningiserror"], capture_output=True,
                          text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "reading pages with 2 workers" in done.stdout
    executed = set(re.findall(r"/(\w+)\.md: Executing notebook",
                              done.stdout + done.stderr))
    html = {name: (base / "_build" / "html" / f"{name}.html").read_text()
            for name in PAGES}
    return executed, html


def test_only_pages_using_changed_code_re_execute(book):
    executed, html = build(book)
    assert executed == set(PAGES)
    readers = {re.search(r"reader (\d+)", html[name]).group(1)
               for name in ("plain_b", "plain_c")}
    assert len(readers) == 2, "the pages were not read by separate workers"
    assert "minimum (1.0, 1.0)" in html["uses_functions"]
    x0 = re.search(r"x0 ([\d.-]+)", html["uses_data"]).group(1)

    functions = book / "src" / "gdlab" / "functions.py"
    text = functions.read_text()
    edited = text.replace("    a: float = 1.0 ", "    a: float = 2.0 ")
    assert edited != text, "the line edited by this test has moved"
    functions.write_text(edited)
    executed, html = build(book)
    assert executed == {"uses_functions"}
    assert "minimum (2.0, 4.0)" in html["uses_functions"]
    assert f"x0 {x0}" in html["uses_data"]

    executed, html = build(book)
    assert executed == set()
    assert "minimum (2.0, 4.0)" in html["uses_functions"]

    pins = book / ".ci" / "constraints.txt"
    pins.write_text(pins.read_text() + "# a changed pin\n")
    executed, _ = build(book)
    assert executed == set(PAGES)
