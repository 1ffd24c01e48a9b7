"""Sphinx extension: notebooks to download, and Colab and Binder launches.

For every page that myst-nb executed, at the end of the build this writes
``_notebooks/<page>.ipynb`` into the HTML output: the page as a notebook
with the outputs of this build (from the jupyter-cache record matching its
source), preceded by a set-up cell that installs gdlab at the commit the
site was built from (so it runs in a bare Colab or Binder session). It also
writes ``_notebooks/requirements.txt`` and ``runtime.txt`` for Binder. The
publishing workflow pushes ``_notebooks`` to the ``notebooks`` branch, which
is where the Colab and Binder links on each page point.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from urllib.parse import quote

import nbformat

BRANCH = "notebooks"
SETUP_NOTE = ("**Set-up.** This notebook is a chapter of the gdlab book, "
              "with the outputs of the build of commit `{commit}`. The next "
              "cell installs gdlab at that commit if it is missing.")
SETUP_CODE = """\
# Set-up: install gdlab (at the commit this notebook was built from)
import importlib.util
import subprocess
import sys

if importlib.util.find_spec("gdlab") is None:
    subprocess.check_call([sys.executable, "-m", "pip", "install", "-q",
                           "gdlab[notebook] @ git+{url}@{commit}"])"""


def _commit(srcdir: str) -> str:
    if os.environ.get("GDLAB_COMMIT"):
        return os.environ["GDLAB_COMMIT"]
    done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=srcdir,
                          capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else "main"


def _repo(app) -> tuple[str, str]:
    """Repository URL and ``owner/name``: the one building in GitHub Actions
    (``$GITHUB_REPOSITORY``), else the one in ``_config.yml``."""
    if os.environ.get("GITHUB_REPOSITORY"):
        slug = os.environ["GITHUB_REPOSITORY"]
        return f"https://github.com/{slug}", slug
    url = app.config.html_theme_options.get("repository_url", "")
    url = url.rstrip("/").removesuffix(".git")
    return url, "/".join(url.split("/")[-2:])


def _is_notebook(app, docname: str) -> bool:
    """Pages that myst-nb executed (they get a jupyter_execute copy)."""
    return (Path(app.outdir).parent / "jupyter_execute"
            / f"{docname}.ipynb").exists()


def _executed(app, docname: str):
    """The page as a notebook with the outputs of this build's execution,
    taken from the jupyter-cache record that matches its current source."""
    from execution_key import is_key_cell, page_source
    from jupyter_cache import get_cache
    from myst_nb.core.read import read_myst_markdown_notebook

    cache_dir = app.config.nb_execution_cache_path or str(
        Path(app.outdir).parent / ".jupyter_cache")
    notebook = read_myst_markdown_notebook(page_source(app, docname))
    _, merged = get_cache(cache_dir).merge_match_into_notebook(notebook)
    merged.cells = [cell for cell in merged.cells if not is_key_cell(cell)]
    return merged


def add_links(app, pagename, templatename, context, doctree):
    if doctree is None or not _is_notebook(app, pagename):
        return
    _, slug = _repo(app)
    depth = "../" * pagename.count("/")
    path = f"{pagename}.ipynb"
    links = [
        (f"{depth}_notebooks/{path}", "nb-download",
         "download the notebook (.ipynb)", ' download=""'),
        (f"https://colab.research.google.com/github/{slug}/blob/{BRANCH}/"
         f"{path}", "nb-colab", "open in Colab", ""),
        (f"https://mybinder.org/v2/gh/{slug}/{BRANCH}?labpath="
         f"{quote(path, safe='')}", "nb-binder", "launch on Binder", ""),
    ]
    items = " · ".join(f'<a class="reference external {cls}" href="{href}"'
                       f'{extra}>{text}</a>'
                       for href, cls, text, extra in links)
    block = (f'<div class="notebook-links"><p>Run this chapter yourself: '
             f'{items}</p></div>\n')
    body = context["body"]
    cut = body.find("</h1>")               # just below the chapter title
    cut = 0 if cut < 0 else cut + len("</h1>")
    context["body"] = body[:cut] + block + body[cut:]


def write_notebooks(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    url, _ = _repo(app)
    commit = _commit(app.srcdir)
    target = Path(app.outdir) / "_notebooks"
    for docname in sorted(app.env.found_docs):
        if not _is_notebook(app, docname):
            continue
        nb = json.loads(nbformat.writes(_executed(app, docname)))
        setup = [{"cell_type": "markdown", "metadata": {},
                  "source": SETUP_NOTE.format(commit=commit[:12])},
                 {"cell_type": "code", "metadata": {}, "outputs": [],
                  "execution_count": None,
                  "source": SETUP_CODE.format(url=url, commit=commit)}]
        nb["cells"] = setup + nb["cells"]
        out = target / f"{docname}.ipynb"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(nb, indent=1))
    if target.exists():
        (target / "requirements.txt").write_text(
            "--extra-index-url https://download.pytorch.org/whl/cpu\n"
            "torch==2.13.0\n"
            f"gdlab[notebook] @ git+{url}@{commit}\n")
        (target / "runtime.txt").write_text("python-3.11\n")


def setup(app):
    app.connect("html-page-context", add_links)
    app.connect("build-finished", write_notebooks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
