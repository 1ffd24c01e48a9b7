"""Sphinx extension: notebooks to download, and Colab and Binder launches.

For every page that myst-nb executed, at the end of the build this writes
``_notebooks/<page>.ipynb`` into the HTML output: the page as a notebook
with the outputs of this build (from the jupyter-cache record matching its
source), preceded by a set-up cell that installs gdlab at the commit the
site was built from (so it runs in a bare Colab or Binder session). It also
writes ``_notebooks/requirements.txt`` and ``runtime.txt`` for Binder. The
publishing workflow pushes ``_notebooks`` to the ``notebooks`` branch, which
is where the Colab and Binder links on each page point.

The notebooks are plain Jupyter (``plain_notebook.to_plain``): MyST roles
and directives are written out as the page shows them, with references
linked to the published site (``gdlab_site_url``, by default the GitHub
Pages site of the repository). The set-up cell checks that the installed
gdlab comes from the notebook's commit, and ``requirements.txt`` pins
every package to the versions the book was built and tested with
(``.ci/constraints.txt``, copied next to it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote

import nbformat
from sphinx.util import logging

from notebook_refs import from_env, site_url
from plain_notebook import number_cells, scrub_paths, to_plain

logger = logging.getLogger(__name__)
BRANCH = "notebooks"
SETUP_NOTE = ("**Set-up.** This notebook is a chapter of the gdlab book, "
              "with the outputs of the build of commit `{commit}`. The next "
              "cell installs gdlab at that commit unless it is installed "
              "already.")
SETUP_CODE = """\
# Set-up: gdlab at the commit this notebook was built from
import importlib.metadata
import json
import subprocess
import sys

COMMIT = "{commit}"
PACKAGE = ("gdlab[notebook] @ git+{url}@"
           + COMMIT)


def installed_commit():
    \"\"\"The commit gdlab was installed from: None if it is missing,
    "" if it was not installed from git (a local copy or a wheel).\"\"\"
    try:
        dist = importlib.metadata.distribution("gdlab")
    except importlib.metadata.PackageNotFoundError:
        return None
    origin = json.loads(dist.read_text("direct_url.json") or "{{}}")
    return origin.get("vcs_info", {{}}).get("commit_id", "")


found = installed_commit()
if found is None or (found and found != COMMIT):
    replace = ["--force-reinstall", "--no-deps"] if found else []
    subprocess.check_call([sys.executable, "-m", "pip", "install", "-q",
                           *replace, PACKAGE])
    found = installed_commit()
if found != COMMIT:       # gdlab.environment reads pip's record otherwise
    print("Using the gdlab installed here (not from git); this notebook "
          f"was built with commit {{COMMIT[:12]}}.")"""
SETUP_TAG = "gdlab-setup"


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


def _setup_cells(url: str, commit: str) -> list:
    meta = {"tags": [SETUP_TAG]}
    return [nbformat.v4.new_markdown_cell(
                SETUP_NOTE.format(commit=commit[:12]), metadata=meta),
            nbformat.v4.new_code_cell(
                SETUP_CODE.format(url=url, commit=commit), metadata=meta)]


def site(app) -> str:
    """The published site, where the notebooks' links point."""
    return (app.config.gdlab_site_url.rstrip("/") + "/"
            if app.config.gdlab_site_url else site_url(_repo(app)[0]))


def plain(app, docname: str, refs, url: str, commit: str):
    """The executed page as a plain Jupyter notebook with set-up cells."""
    import sysconfig

    nb = to_plain(_executed(app, docname), refs)
    nb.cells = _setup_cells(url, commit) + nb.cells
    packages = {Path(sysconfig.get_paths()[key]) for key in
                ("purelib", "platlib")}
    scrub_paths(nb, Path(app.srcdir), sorted(packages))
    number_cells(nb, prefix=docname.rsplit("/", 1)[-1])
    return nb


def _requirements(url: str, commit: str, srcdir: str) -> str:
    pins = Path(srcdir) / ".ci" / "constraints.txt"
    pinned = "-c constraints.txt\n" if pins.exists() else ""
    return ("--extra-index-url https://download.pytorch.org/whl/cpu\n"
            + pinned + f"gdlab[notebook] @ git+{url}@{commit}\n")


def write_notebooks(app, exception):
    # the site's notebooks; other HTML builders (the one-page build of the
    # PDF) number figures their own way and need none
    if exception is not None or app.builder.name != "html":
        return
    url, _ = _repo(app)
    commit = _commit(app.srcdir)
    target = Path(app.outdir) / "_notebooks"
    refs = from_env(app.env, site(app), dict(app.config.numfig_format))
    refs.on_missing = lambda message: logger.warning(
        f"notebook_links: {message}")
    for docname in sorted(app.env.found_docs):
        if not _is_notebook(app, docname):
            continue
        nb = plain(app, docname, refs, url, commit)
        out = target / f"{docname}.ipynb"
        out.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, out)
    if target.exists():
        pins = Path(app.srcdir) / ".ci" / "constraints.txt"
        if pins.exists():
            shutil.copy(pins, target / "constraints.txt")
        (target / "requirements.txt").write_text(
            _requirements(url, commit, app.srcdir))
        (target / "runtime.txt").write_text("python-3.11\n")


def setup(app):
    app.add_config_value("gdlab_site_url", "", "html")
    app.connect("html-page-context", add_links)
    app.connect("build-finished", write_notebooks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
