"""Sphinx extension: a page's execution-cache key covers the gdlab it uses.

jupyter-cache matches an executed page by the text of its code cells only,
so a change to gdlab would leave stale outputs on the site. This extension
appends to every executable page a hidden last cell holding a digest of

* the gdlab source files the page depends on: the modules its code names
  (``import gdlab``, ``from gdlab import ...``, ``gdlab.<name>``, and
  ``"gdlab.<name>"`` in strings, as in ``python -m gdlab.ddp_script``),
  closed over the imports between gdlab's own modules, plus
  ``gdlab/__init__.py``;
* the pinned environment: ``.ci/constraints.txt`` and the Python version.

The digest is part of the code, so the cache misses exactly when one of
those changes. The same files are registered as Sphinx dependencies, so
Sphinx re-reads (and the cache re-executes) a page when a file it depends
on changes, and leaves every other page alone. ``import gdlab`` is lazy
(see ``gdlab.SUBMODULES``), which is what makes per-module dependencies
true at run time as well.

Code that reaches gdlab in a way this cannot follow (``getattr(gdlab,
name)``, ``from gdlab import *``, an unparsable cell) makes the page
depend on all of gdlab: a needless re-execution, never a stale page.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import platform
import re
from functools import lru_cache
from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)

PACKAGE = "gdlab"
ENVIRONMENT_FILES = (".ci/constraints.txt",)
KEY_PREFIX = "# execution key: "
CELL_RE = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```[ \t]*$",
                     re.MULTILINE | re.DOTALL)
IN_STRING_RE = re.compile(rf"\b{PACKAGE}\.([A-Za-z_]\w*)")
ALL = "*"


def package_dir() -> Path:
    """Where the ``gdlab`` that the kernel will import lives."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.origin is None:
        raise RuntimeError(f"{PACKAGE} is not importable; install it with "
                           "`pip install -e .` (make book does)")
    return Path(spec.origin).parent


def _package_maps(pkg: Path) -> tuple[set[str], dict[str, str]]:
    """``SUBMODULES`` and ``EXPORTS`` read from ``__init__.py`` as literals."""
    tree = ast.parse((pkg / "__init__.py").read_text())
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and \
                isinstance(node.targets[0], ast.Name):
            if node.targets[0].id in ("SUBMODULES", "EXPORTS"):
                found[node.targets[0].id] = ast.literal_eval(node.value)
    return set(found.get("SUBMODULES", ())), dict(found.get("EXPORTS", {}))


def code_cells(text: str) -> list[str]:
    """The code of every ``{code-cell}`` of a MyST page, options dropped."""
    cells = []
    for body in CELL_RE.findall(text):
        lines = body.splitlines()
        if lines and lines[0].strip() == "---":       # YAML option block
            end = next((i for i, line in enumerate(lines[1:], 1)
                        if line.strip() == "---"), 0)
            lines = lines[end + 1:]
        lines = [line for line in lines if not line.startswith(":")]
        cells.append("\n".join(lines))
    return cells


def _names_to_modules(names, submodules, exports) -> set[str]:
    out = set()
    for name in names:
        if name in submodules:
            out.add(name)
        elif name in exports:
            out.add(exports[name])
        elif not name.startswith("__"):
            out.add(ALL)                # unknown: be safe, depend on all
    return out


def used_modules(cells: list[str], submodules: set[str],
                 exports: dict[str, str]) -> set[str]:
    """The gdlab submodules named by some code; ``{"*"}`` means all."""
    used: set[str] = set()
    aliases: set[str] = set()
    trees = []
    for cell in cells:
        # IPython magics and shell escapes are not Python
        source = "\n".join("" if line.lstrip().startswith(("%", "!")) else
                           line for line in cell.splitlines())
        try:
            trees.append(ast.parse(source))
        except SyntaxError:
            return {ALL}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    parts = alias.name.split(".")
                    if parts[0] != PACKAGE:
                        continue
                    if len(parts) > 1:
                        used |= _names_to_modules(parts[1:2], submodules,
                                                  exports)
                    aliases.add(alias.asname or PACKAGE)
            elif isinstance(node, ast.ImportFrom) and node.module and \
                    node.module.split(".")[0] == PACKAGE and not node.level:
                parts = node.module.split(".")
                if len(parts) > 1:
                    used |= _names_to_modules(parts[1:2], submodules,
                                              exports)
                elif any(a.name == "*" for a in node.names):
                    used.add(ALL)
                else:
                    used |= _names_to_modules([a.name for a in node.names],
                                              submodules, exports)
            elif isinstance(node, ast.Constant) and \
                    isinstance(node.value, str):
                used |= {m for m in IN_STRING_RE.findall(node.value)
                         if m in submodules}
    for tree in trees:
        attributes = {id(node.value) for node in ast.walk(tree)
                      if isinstance(node, ast.Attribute)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and \
                    isinstance(node.value, ast.Name) and \
                    node.value.id in aliases:
                used |= _names_to_modules([node.attr], submodules, exports)
            elif isinstance(node, ast.Name) and node.id in aliases and \
                    isinstance(node.ctx, ast.Load) and \
                    id(node) not in attributes:
                used.add(ALL)               # gdlab passed around whole
    return used


def _module_files(pkg: Path, name: str) -> list[Path]:
    if (pkg / name).is_dir():
        return sorted((pkg / name).rglob("*.py"))
    return [pkg / f"{name}.py"]


@lru_cache(maxsize=None)
def _import_nodes(path: Path, mtime_ns: int, size: int) -> tuple:
    """The import statements of one source file, parsed once per version
    of the file (every page's key follows the same gdlab files)."""
    return tuple(node for node in ast.walk(ast.parse(path.read_text()))
                 if isinstance(node, (ast.Import, ast.ImportFrom)))


def _imports_of(pkg: Path, path: Path, submodules, exports) -> set[str]:
    """Top-level gdlab submodules imported anywhere in one source file."""
    depth = len(path.relative_to(pkg).parts) - 1     # 0 for gdlab/x.py
    out = set()
    stat = path.stat()
    for node in _import_nodes(path, stat.st_mtime_ns, stat.st_size):
        if isinstance(node, ast.ImportFrom):
            if node.level:                             # relative import
                up = node.level - 1
                if up > depth:
                    continue
                inside = path.relative_to(pkg).parts[:depth - up]
                target = list(inside) + (node.module.split(".")
                                         if node.module else [])
                if target:
                    out |= _names_to_modules(target[:1], submodules, exports)
                else:                                   # from . import x
                    out |= _names_to_modules([a.name for a in node.names],
                                             submodules, exports)
            elif node.module and node.module.split(".")[0] == PACKAGE:
                parts = node.module.split(".")
                names = parts[1:2] or [a.name for a in node.names]
                out |= _names_to_modules(names, submodules, exports)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == PACKAGE and len(parts) > 1:
                    out |= _names_to_modules(parts[1:2], submodules, exports)
    return out


def dependency_files(text: str, pkg: Path | None = None) -> list[Path]:
    """Every gdlab source file a page's code can run, sorted."""
    pkg = pkg or package_dir()
    submodules, exports = _package_maps(pkg)
    cells = code_cells(text)
    if not any(PACKAGE in cell for cell in cells):
        return []
    todo = used_modules(cells, submodules, exports)
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name == ALL:
            todo |= set(submodules) - seen
        elif name not in seen:
            seen.add(name)
            for path in _module_files(pkg, name):
                todo |= _imports_of(pkg, path, submodules, exports) - seen
    files = {pkg / "__init__.py"}
    for name in seen:
        files.update(_module_files(pkg, name))
    return sorted(files)


def execution_key(text: str, root: Path, pkg: Path | None = None) -> str:
    """Digest of the gdlab files a page uses and the pinned environment."""
    pkg = pkg or package_dir()
    digest = hashlib.sha256(platform.python_version().encode())
    for path in dependency_files(text, pkg):
        digest.update(str(path.relative_to(pkg)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    for name in ENVIRONMENT_FILES:
        path = root / name
        digest.update(name.encode() + b"\0")
        digest.update(path.read_bytes() if path.exists() else b"missing")
    return digest.hexdigest()[:16]


def keyed_source(text: str, root: Path, pkg: Path | None = None) -> str:
    """The page with its key cell appended (pages without code unchanged).
    """
    if not code_cells(text):
        return text
    key = execution_key(text, root, pkg)
    return (text.rstrip("\n") + "\n\n```{code-cell} ipython3\n"
            ":tags: [remove-cell]\n\n" + KEY_PREFIX + key + "\n```\n")


def is_key_cell(cell) -> bool:
    """Whether a notebook cell is the one ``keyed_source`` appended."""
    return cell.get("cell_type") == "code" and \
        "".join(cell.get("source", "")).startswith(KEY_PREFIX)


def _root(app) -> Path:
    return Path(app.srcdir)


def add_key(app, docname: str, source: list[str]) -> None:
    path = Path(app.env.doc2path(docname))
    if path.suffix != ".md":
        return
    pkg = package_dir()
    for dep in dependency_files(source[0], pkg):
        app.env.note_dependency(str(dep))
    for name in ENVIRONMENT_FILES:
        if (_root(app) / name).exists():
            app.env.note_dependency(str(_root(app) / name))
    source[0] = keyed_source(source[0], _root(app), pkg)
    _executed_sources(app.env)[docname] = source[0]


def _executed_sources(env) -> dict[str, str]:
    """The keyed text of each page as it was read (and so executed), kept
    in the environment: a file edited while the build runs must not
    change which cache record the page's notebook is taken from."""
    if not hasattr(env, "gdlab_keyed_sources"):
        env.gdlab_keyed_sources = {}
    return env.gdlab_keyed_sources


def page_source(app, docname: str) -> str:
    """A page's text as it was executed: the source plus its key cell."""
    known = _executed_sources(app.env).get(docname)
    if known is not None:
        return known
    text = Path(app.env.doc2path(docname)).read_text()
    return keyed_source(text, _root(app))


def _purge(app, env, docname: str) -> None:
    _executed_sources(env).pop(docname, None)


def _merge(app, env, docnames, other) -> None:
    theirs = _executed_sources(other)
    _executed_sources(env).update({name: theirs[name] for name in docnames
                                   if name in theirs})


def setup(app):
    app.connect("source-read", add_key)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
