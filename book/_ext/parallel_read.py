"""Sphinx extension: pages are read, and so executed, several at a time.

myst-nb executes a chapter while Sphinx reads it, so a build spends most
of its time in the reading phase, one kernel after another. Sphinx can
read in parallel (``sphinx-build -j``), forking one worker per batch of
pages, but ``jupyter-book build`` has no such option and Sphinx falls back
to serial reading unless every extension declares itself safe. This
extension

* sets the number of workers (``app.parallel``) from the environment
  variable ``GDLAB_BUILD_JOBS`` (an integer, or ``auto``, the default: one
  more than there are CPUs); ``1`` reads serially as before. A page's
  kernel is often idle, waiting for the worker that sends it cells and
  stores their outputs or for processes it started, and one extra worker
  fills those gaps: on 2 cores a clean build took 107 s with 3 workers,
  136 s with 2 and 120 s with 4;
* runs every kernel on one thread, however many workers there are:
  unless they are set already, ``OMP_NUM_THREADS``,
  ``OPENBLAS_NUM_THREADS`` and ``MKL_NUM_THREADS`` (read by torch and by
  NumPy's BLAS when a kernel starts) become 1. The chapters' tensors are
  small, so one thread loses nothing, kernels running side by side do not
  wait for each other's threads, and no printed number depends on the
  number of cores (a reduction split over two threads can round
  differently in the last bit);
* vouches for the two extensions Jupyter Book loads that do not declare
  themselves (``VOUCHED``: each entry says why reading and writing in
  parallel is safe for it);
* creates the execution cache's database in the main process before the
  workers fork (two workers creating it at once collide: "table settings
  already exists"); afterwards each worker opens it on its own;
* gives each worker one page at a time, longest-running first, instead of
  Sphinx's fixed batches of about fifteen, so that one slow chapter does
  not hold up a whole batch. The order comes from each page's execution
  time at the last build when the environment still holds it, and then
  puts pages with code before pages without, so that the many short
  pages fill the gaps at the end. Sphinx 7 starts the first pages in the
  order given but, after those, always the page it was handed *last*
  (its waiting tasks are a dict emptied with ``popitem``), so
  :func:`start_order` hands them over in the order that makes them start
  as scheduled;
* imports, in the main process, the modules that the pages' ``auto...``
  directives document (:func:`preload_documented_modules`). Every worker
  is a fork of the main process made for one page, and what it imports
  is lost when it ends: without this, each API page paid for importing
  torch again.

Each page is still executed by its own kernel and cached under the same
key (``execution_key.py``); workers only run at the same time.
"""

from __future__ import annotations

import importlib
import os
import re
from pathlib import Path

import sphinx.builders
from sphinx.util import logging
from sphinx.util import parallel as sphinx_parallel

logger = logging.getLogger(__name__)

JOBS_VARIABLE = "GDLAB_BUILD_JOBS"
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                    "MKL_NUM_THREADS")

VOUCHED = {
    "sphinx_multitoc_numbering":
        "numbers sections in the main process once all pages are read",
    "sphinx_jupyterbook_latex":
        "changes only LaTeX output; for HTML it sets two environment "
        "attributes when the builder starts, before any worker forks",
}


def jobs_from_environment(cpus: int | None = None) -> int:
    """The number of workers ``GDLAB_BUILD_JOBS`` asks for."""
    value = os.environ.get(JOBS_VARIABLE, "auto").strip().lower()
    if value == "auto":
        return 1 + max(1, cpus if cpus is not None else
                       (os.cpu_count() or 1))
    try:
        jobs = int(value)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise ValueError(f"{JOBS_VARIABLE}={value!r}: expected a positive "
                         "integer or 'auto' (one worker more than there are "
                         "CPUs); use 1 to read the pages one after another")
    return jobs


def start_order(chunks: list, nproc: int) -> list:
    """The order to hand ``chunks`` to Sphinx's ``ParallelTasks`` so that
    they start in the order of ``chunks``: it starts the first ``nproc``
    at once and then, whenever a worker is free, the one handed over
    last."""
    return chunks[:nproc] + chunks[nproc:][::-1]


def one_page_per_chunk(arguments, nproc: int, maxbatch: int = 10) -> list:
    """Sphinx's ``make_chunks`` with batches of one page, handed over so
    that they start in the order of ``arguments``."""
    return start_order([[name] for name in arguments], nproc)


AUTO_DIRECTIVE = re.compile(
    r"^\s*\.\. auto(module|function|class|data|exception)::\s*([\w.]+)",
    re.MULTILINE)


def documented_modules(texts) -> list[str]:
    """Modules named by the ``auto...`` directives in ``texts`` (for an
    ``autofunction:: a.b.f``, the module ``a.b``), sorted."""
    found = set()
    for text in texts:
        for kind, name in AUTO_DIRECTIVE.findall(text):
            found.add(name if kind == "module" else name.rpartition(".")[0])
    return sorted(name for name in found if name)


def preload_documented_modules(env, docnames) -> list[str]:
    """Import the modules documented by the pages ``docnames``; returns
    those imported. A module that fails to import is left for autodoc to
    report on its page."""
    texts = []
    for name in docnames:
        try:
            texts.append(Path(env.doc2path(name)).read_text(encoding="utf-8"))
        except OSError:
            continue
    loaded = []
    for module in documented_modules(texts):
        try:
            importlib.import_module(module)
        except Exception:           # autodoc says what went wrong, on its page
            continue
        loaded.append(module)
    return loaded


def last_runtime(env, docname: str) -> float | None:
    """Seconds the page's notebook took at its last execution, if known."""
    data = getattr(env, "nb_metadata", {}).get(docname, {})
    runtime = (data.get("exec_data") or {}).get("runtime")
    return float(runtime) if runtime is not None else None


def has_code(env, docname: str) -> bool:
    try:
        text = Path(env.doc2path(docname)).read_text(encoding="utf-8")
    except OSError:
        return False
    return "```{code-cell}" in text


def create_execution_cache(env) -> None:
    """Create the jupyter-cache database now, in this process, if it is
    used and missing; its engine is closed again so that no connection is
    inherited by the workers."""
    config = getattr(env, "mystnb_config", None)
    if config is None or config.execution_mode != "cache":
        return
    from jupyter_cache import get_cache

    get_cache(config.execution_cache_path).db.dispose()


def schedule(app, env, docnames: list[str]) -> None:
    """Longest-running pages first (``env-before-read-docs``, in place);
    the execution cache made ready for the workers."""
    if app.parallel > 1:
        vouch(app)
        create_execution_cache(env)
        preload_documented_modules(env, docnames)
    def cost(name):
        runtime = last_runtime(env, name)
        return (runtime is None, -(runtime or 0.0), not has_code(env, name),
                name)
    docnames.sort(key=cost)


def one_thread_per_kernel() -> str:
    """Set the thread variables of the kernels to come to 1 where the
    environment does not say already; returns ``OMP_NUM_THREADS``."""
    for name in THREAD_VARIABLES:
        os.environ.setdefault(name, "1")
    return os.environ["OMP_NUM_THREADS"]


def vouch(app) -> None:
    """Mark the extensions of ``VOUCHED`` safe for parallel work (again
    before reading: Jupyter Book may load one after ``config-inited``)."""
    for name in VOUCHED:
        extension = app.extensions.get(name)
        if extension is not None:
            extension.parallel_read_safe = True
            extension.parallel_write_safe = True


def set_jobs(app, config) -> None:
    threads = one_thread_per_kernel()
    if app.parallel <= 1:                   # `-j` given on a command line wins
        app.parallel = jobs_from_environment()
    if app.parallel <= 1:
        return
    vouch(app)
    sphinx.builders.make_chunks = one_page_per_chunk
    logger.info("reading pages with %d workers (%s), kernels with %s "
                "thread(s) each", app.parallel, JOBS_VARIABLE, threads)


def setup(app):
    if not sphinx_parallel.parallel_available:
        logger.info("parallel reading is not available here: one worker")
    app.connect("config-inited", set_jobs)
    app.connect("env-before-read-docs", schedule)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
