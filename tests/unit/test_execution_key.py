"""Which gdlab files a page depends on, as the execution cache sees it."""

from pathlib import Path

import execution_key as ek
import gdlab

PKG = Path(gdlab.__file__).parent
SUBMODULES, EXPORTS = set(gdlab.SUBMODULES), dict(gdlab.EXPORTS)


def used(*cells):
    return ek.used_modules(list(cells), SUBMODULES, EXPORTS)


def page(*cells, options=""):
    return "# Title\n\n" + "".join(
        f"```{{code-cell}} ipython3\n{options}{cell}\n```\n\nText.\n\n"
        for cell in cells)


def test_maps_are_read_statically_and_match_the_package():
    assert ek._package_maps(PKG) == (SUBMODULES, EXPORTS)


def test_code_cells_drop_options():
    text = page("x = 1", options=":tags: [hide-input]\n") + page(
        "y = 2", options="---\nmystnb:\n  figure:\n    caption: c\n---\n")
    assert ek.code_cells(text) == ["x = 1", "y = 2"]


def test_names_resolve_to_modules():
    assert used("import gdlab\ngdlab.closed_form(x, y)") == {"linear"}
    assert used("import gdlab as g\ng.functions.Quadratic()") == \
        {"functions"}
    assert used("from gdlab import Trainer, optim") == {"trainer", "optim"}
    assert used("from gdlab.optim import SGD") == {"optim"}
    assert used("import gdlab.schedules") == {"schedules"}
    assert used("import gdlab", "print(gdlab.__version__)") == set()
    assert used("cmd = ['python', '-m', 'gdlab.ddp_script']") == \
        {"ddp_script"}
    assert used("import numpy as np\nnp.zeros(3)") == set()


def test_unfollowable_uses_mean_everything():
    assert used("import gdlab\ngetattr(gdlab, 'closed_form')") == {ek.ALL}
    assert used("from gdlab import *") == {ek.ALL}
    assert used("from gdlab import no_such_name") == {ek.ALL}
    assert used("def broken(:\n    pass") == {ek.ALL}
    assert used("%timeit 1 + 1\nimport gdlab\ngdlab.data") == {"data"}


def test_dependencies_close_over_imports_inside_gdlab():
    files = ek.dependency_files(page("import gdlab\ngdlab.Trainer"), PKG)
    names = {str(p.relative_to(PKG)) for p in files}
    # trainer imports checkpoint and validation; __init__ is always there
    assert {"__init__.py", "trainer.py", "checkpoint.py",
            "validation.py"} <= names
    assert "functions.py" not in names and "plotting.py" not in names
    everything = ek.dependency_files(page("from gdlab import *"), PKG)
    assert len(everything) == len(list(PKG.rglob("*.py")))
    assert ek.dependency_files(page("print(1)"), PKG) == []
    assert ek.dependency_files(page("import gdlab\ngdlab.__version__"),
                               PKG) == [PKG / "__init__.py"]


def test_relative_imports_in_subpackages_are_followed():
    names = {str(p.relative_to(PKG)) for p in
             ek.dependency_files(page("import gdlab.exercises"), PKG)}
    # exercises/regression.py does `from ..linear import ...`
    assert "linear.py" in names and "exercises/regression.py" in names


def test_key_changes_with_dependencies_and_environment(tmp_path):
    pkg = tmp_path / "gdlab"
    pkg.mkdir()
    for path in PKG.rglob("*.py"):
        target = pkg / path.relative_to(PKG)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    (tmp_path / ".ci").mkdir()
    (tmp_path / ".ci" / "constraints.txt").write_text("torch==2.13.0\n")
    text = page("import gdlab\ngdlab.functions.Saddle()")
    key = ek.execution_key(text, tmp_path, pkg)
    assert ek.execution_key(text, tmp_path, pkg) == key
    (pkg / "plotting.py").write_text("# unrelated edit\n")
    assert ek.execution_key(text, tmp_path, pkg) == key
    (pkg / "functions.py").write_text("# edited\n")
    edited = ek.execution_key(text, tmp_path, pkg)
    assert edited != key
    (tmp_path / ".ci" / "constraints.txt").write_text("torch==2.14.0\n")
    assert ek.execution_key(text, tmp_path, pkg) != edited


def test_keyed_source_appends_one_hidden_cell():
    text = page("import gdlab\ngdlab.data")
    keyed = ek.keyed_source(text, Path("."), PKG)
    assert keyed.startswith(text.rstrip("\n"))
    tail = keyed[len(text.rstrip("\n")):]
    assert ":tags: [remove-cell]" in tail and ek.KEY_PREFIX in tail
    assert ek.is_key_cell({"cell_type": "code",
                           "source": tail.split("\n\n")[-1]})
    assert ek.keyed_source("# no code\n", Path("."), PKG) == "# no code\n"


class _Env:
    def __init__(self, path):
        self.path, self.dependencies = path, []

    def doc2path(self, docname):
        return str(self.path)

    def note_dependency(self, dep):
        self.dependencies.append(dep)


class _App:
    def __init__(self, path):
        self.env, self.srcdir = _Env(path), str(path.parent)


def test_page_source_is_the_text_read_even_if_files_change_later(
        tmp_path, monkeypatch):
    """The notebook written at the end of a build comes from the cache
    record of what was executed, even if a file changed meanwhile."""
    path = tmp_path / "chapter.md"
    path.write_text(page("import gdlab\ngdlab.linear_data()"))
    app = _App(path)
    source = [path.read_text()]
    ek.add_key(app, "chapter", source)
    assert any(dep.endswith("data.py") for dep in app.env.dependencies)
    path.write_text(page("x = 2"))                    # edited mid-build
    monkeypatch.setattr(ek, "keyed_source", lambda *a: "recomputed")
    assert ek.page_source(app, "chapter") == source[0]
    ek._purge(app, app.env, "chapter")                # re-read next time
    assert ek.page_source(app, "chapter") == "recomputed"


def test_keyed_sources_merge_from_parallel_readers(tmp_path):
    app, other = _App(tmp_path / "a.md"), _App(tmp_path / "b.md")
    ek._executed_sources(other.env).update({"a": "A", "b": "B"})
    ek._merge(app, app.env, {"a"}, other.env)
    assert ek._executed_sources(app.env) == {"a": "A"}
