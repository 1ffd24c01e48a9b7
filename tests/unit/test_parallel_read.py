"""Pages are read by several workers: how many, in what order, and the
extensions vouched for (book/_ext/parallel_read.py)."""
import os
import time
from types import SimpleNamespace

import pytest
import sphinx.builders

import parallel_read


def test_jobs_follow_the_environment_variable(monkeypatch):
    monkeypatch.setenv("GDLAB_BUILD_JOBS", "3")
    assert parallel_read.jobs_from_environment() == 3
    monkeypatch.setenv("GDLAB_BUILD_JOBS", "auto")
    assert parallel_read.jobs_from_environment(cpus=6) == 7
    monkeypatch.delenv("GDLAB_BUILD_JOBS")
    assert parallel_read.jobs_from_environment(cpus=2) == 3


@pytest.mark.parametrize("value", ["0", "-2", "two", "1.5"])
def test_bad_job_counts_are_refused_with_the_variable_named(monkeypatch,
                                                            value):
    monkeypatch.setenv("GDLAB_BUILD_JOBS", value)
    with pytest.raises(ValueError, match="GDLAB_BUILD_JOBS.*positive"):
        parallel_read.jobs_from_environment()


def test_each_page_is_its_own_chunk():
    pages = ["a", "b", "c", "d"]
    chunks = parallel_read.one_page_per_chunk(pages, 2)
    assert sorted(chunks) == [["a"], ["b"], ["c"], ["d"]]


def test_sphinx_starts_the_pages_in_the_scheduled_order():
    """Sphinx's own ParallelTasks, two workers, pages taking 0.1 s: the
    order in which they start is the scheduled one (handed over as given,
    they would start a, b, h, g, f, ...)."""
    from multiprocessing import Manager

    from sphinx.util.parallel import ParallelTasks

    def page(chunk):
        started.append(chunk[0])
        time.sleep(0.1)

    pages = list("abcdefgh")
    with Manager() as manager:
        started = manager.list()
        tasks = ParallelTasks(2)
        for chunk in parallel_read.one_page_per_chunk(pages, 2):
            tasks.add_task(page, chunk)
        tasks.join()
        order = list(started)
    # two workers freed at the same moment start two pages whose first
    # lines may run in either order: each page is at most one place off
    assert sorted(order) == pages
    assert all(abs(order.index(name) - place) <= 1
               for place, name in enumerate(pages)), order


def test_documented_modules_are_read_from_the_auto_directives():
    texts = ["```{eval-rst}\n.. automodule:: gdlab.optim\n   :members:\n",
             ".. autofunction:: gdlab.functions.quadratic\n"
             "  .. autoclass:: gdlab.trainer.Trainer\n",
             "Text that mentions automodule:: not.a.directive"]
    assert parallel_read.documented_modules(texts) == [
        "gdlab.functions", "gdlab.optim", "gdlab.trainer"]


def test_preloading_imports_what_the_pages_document(tmp_path):
    (tmp_path / "api.md").write_text(".. automodule:: json.decoder\n"
                                     ".. automodule:: no_such_module_x\n")
    env = SimpleNamespace(doc2path=lambda name: tmp_path / f"{name}.md")
    loaded = parallel_read.preload_documented_modules(env, ["api", "gone"])
    assert loaded == ["json.decoder"]


def make_env(tmp_path, runtimes, with_code):
    for name in with_code | set(runtimes) | {"prose"}:
        fence = "```{code-cell} ipython3\n1\n```\n" if name in with_code \
            else ""
        (tmp_path / f"{name}.md").write_text(f"# {name}\n{fence}")
    metadata = {name: {"exec_data": {"runtime": seconds}}
                for name, seconds in runtimes.items()}
    return SimpleNamespace(nb_metadata=metadata,
                           doc2path=lambda name: tmp_path / f"{name}.md")


def test_slowest_known_pages_first_then_code_then_prose(tmp_path):
    env = make_env(tmp_path, {"slow": 30.0, "quick": 2.0},
                   with_code={"slow", "quick", "new"})
    app = SimpleNamespace(parallel=1)
    names = ["prose", "quick", "new", "slow"]
    parallel_read.schedule(app, env, names)
    assert names == ["slow", "quick", "new", "prose"]


@pytest.fixture(autouse=True)
def own_thread_variables(monkeypatch):
    """set_jobs writes the thread variables: undone after each test."""
    for name in parallel_read.THREAD_VARIABLES:
        monkeypatch.setenv(name, os.environ.get(name, ""))
        monkeypatch.delenv(name)


def test_workers_set_and_undeclared_extensions_vouched(monkeypatch):
    monkeypatch.setenv("GDLAB_BUILD_JOBS", "2")
    monkeypatch.setattr(sphinx.builders, "make_chunks",
                        sphinx.builders.make_chunks)
    extensions = {name: SimpleNamespace(parallel_read_safe=None,
                                        parallel_write_safe=None)
                  for name in parallel_read.VOUCHED}
    app = SimpleNamespace(parallel=0, extensions=extensions)
    parallel_read.set_jobs(app, config=None)
    assert app.parallel == 2
    assert all(ext.parallel_read_safe and ext.parallel_write_safe
               for ext in extensions.values())
    assert sphinx.builders.make_chunks is parallel_read.one_page_per_chunk


def test_a_job_count_from_the_command_line_wins(monkeypatch):
    monkeypatch.setenv("GDLAB_BUILD_JOBS", "4")
    monkeypatch.setattr(sphinx.builders, "make_chunks",
                        sphinx.builders.make_chunks)
    app = SimpleNamespace(parallel=3, extensions={})
    parallel_read.set_jobs(app, config=None)
    assert app.parallel == 3


def test_one_job_changes_nothing(monkeypatch):
    monkeypatch.setenv("GDLAB_BUILD_JOBS", "1")
    original = sphinx.builders.make_chunks
    extension = SimpleNamespace(parallel_read_safe=None)
    app = SimpleNamespace(parallel=0, extensions={
        "sphinx_multitoc_numbering": extension})
    parallel_read.set_jobs(app, config=None)
    assert app.parallel == 1
    assert extension.parallel_read_safe is None
    assert sphinx.builders.make_chunks is original
    assert os.environ["OMP_NUM_THREADS"] == "1"   # serial kernels too


def test_every_kernel_gets_one_thread_unless_told_otherwise(monkeypatch):
    for name in parallel_read.THREAD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    assert parallel_read.one_thread_per_kernel() == "1"
    assert all(os.environ[name] == "1"
               for name in parallel_read.THREAD_VARIABLES)
    monkeypatch.setenv("OMP_NUM_THREADS", "3")            # the user's wins
    assert parallel_read.one_thread_per_kernel() == "3"
