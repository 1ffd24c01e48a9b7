"""A chapter as a plain Jupyter notebook that reads like its page.

myst-nb reads a chapter into a notebook whose Markdown is MyST and whose
code includes build plumbing (``glue`` calls, checks in ``remove-cell``
cells). :func:`to_plain` turns the executed notebook into one that Colab,
Binder and any Jupyter show the way the page does:

* glued values are written into the text, and the Markdown is converted
  to CommonMark and LaTeX by :func:`plain_markdown.convert`;
* ``remove-cell`` cells are dropped, unless a later visible cell uses a
  name they define (then they stay, collapsed, without their ``glue``
  calls); ``hide-input`` cells and solutions are collapsed;
* every figure caption follows its figure, numbered as on the page;
* a kernel-free slider (``gdlab.explorer.slider``) becomes a still of its
  first shown frame with a note, because JupyterLab strips the script of
  an untrusted notebook (running the cell brings the slider back);
* a cell's printed pieces are joined into one block per stream, as on
  the page (``merged_streams``);
* the build machine's paths in outputs become neutral ones, and every
  cell gets a stable ``id``.

:func:`check` is the reader's-eye test: it renders the Markdown cells with
nbconvert's HTML exporter and reports any MyST construct left over.
"""

from __future__ import annotations

import ast
import base64
import re
import sys
from html import unescape
from pathlib import Path

import nbformat

from merged_streams import merge
from plain_markdown import RENDERED, Refs, convert, leftovers

NEUTRAL = "~/gdlab"                 # where the repository root appears
PACKAGES = ".../site-packages"      # where installed packages appear
HIDDEN = {"source_hidden": True}
FRAME = re.compile(r'<img class="explorer-frame" data-index="(\d+)" '
                   r'alt="([^"]*)" src="data:image/png;base64,([^"]+)"')
STILL_NOTE = ("> **Slider.** On the web page this figure has a slider over "
              "{captions}. A notebook that was not run shows only "
              "the frame above ({shown}); run the cell above to get the "
              "slider here.")


def glue_data(nb) -> dict:
    """Glued values of an executed notebook (key -> mime bundle); hidden
    glue outputs are taken out of the cells."""
    from myst_nb.ext.glue import extract_glue_data_cell

    data = {}
    for cell in nb.cells:
        if cell.cell_type == "code":
            data.update({key: dict(output["data"]) for key, output
                         in extract_glue_data_cell(cell)})
    return data


def _is_plumbing(node) -> bool:
    """``glue(...)`` calls and imports from myst_nb."""
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        names = [getattr(node, "module", None) or ""]
        names += [alias.name for alias in node.names]
        return any(n.split(".")[0] == "myst_nb" for n in names)
    call = getattr(node, "value", None)
    func = getattr(call, "func", None)
    return (isinstance(node, ast.Expr) and isinstance(call, ast.Call)
            and getattr(func, "id", getattr(func, "attr", None)) == "glue")


def strip_glue(source: str) -> str:
    """``source`` without its glue calls and myst_nb imports (one nested
    in a block becomes ``pass``, so the block stays valid)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:                 # IPython magics: leave as is
        return source
    top = set(map(id, tree.body))
    lines = source.splitlines()
    found = [n for n in ast.walk(tree) if isinstance(n, ast.stmt)
             and _is_plumbing(n)]
    for node in sorted(found, key=lambda n: -n.lineno):
        keep = [] if id(node) in top else [" " * node.col_offset + "pass"]
        lines[node.lineno - 1:node.end_lineno] = keep
    return _drop_empty_blocks("\n".join(lines).strip("\n"))


def _drop_empty_blocks(source: str) -> str:
    """Without top-level loops and ``with``/``if`` blocks that only
    ``pass`` (what is left of a loop that only glued values)."""
    tree = ast.parse(source)
    lines = source.splitlines()
    blocks = (ast.For, ast.While, ast.If, ast.With)
    for node in reversed(tree.body):
        inner = getattr(node, "body", []) + getattr(node, "orelse", [])
        if isinstance(node, blocks) and all(isinstance(n, ast.Pass)
                                            for n in inner):
            del lines[node.lineno - 1:node.end_lineno]
    return "\n".join(lines).strip("\n")


def _names(node) -> tuple[set, set]:
    """(names bound, names read) anywhere in an AST node."""
    bound, read = set(), set()
    local = {id(n) for comp in ast.walk(node)
             if isinstance(comp, ast.comprehension)
             for n in ast.walk(comp.target)}
    local_names = {n.id for n in ast.walk(node)
                   if isinstance(n, ast.Name) and id(n) in local}
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and sub.id not in local_names:
            (read if isinstance(sub.ctx, ast.Load) else bound).add(sub.id)
        elif isinstance(sub, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0]
                         for a in sub.names)
        elif isinstance(sub, (ast.FunctionDef, ast.ClassDef)):
            bound.add(sub.name)
    return bound, read


def names(source: str) -> tuple[set, set]:
    """(names a cell binds, names it reads before binding them).

    Statement by statement; in an assignment the right-hand side is read
    first, in a loop, ``with`` or comprehension the targets are bound
    first. Magics (not Python) count as neither."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set(), set()
    bound, free = set(), set()
    for statement in tree.body:
        binds, reads = _names(statement)
        assigns = isinstance(statement, (ast.Assign, ast.AugAssign,
                                         ast.AnnAssign))
        free |= reads - bound - (set() if assigns else binds)
        bound |= binds
    return bound, free


def _root(node):
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.value if not isinstance(node, ast.Call) else node.func
    return getattr(node, "id", None)


def touches(source: str) -> set:
    """Names whose methods a cell calls outside ``assert`` statements (it
    may change them), and ``"seed"`` if it reseeds a random generator."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    found = set()
    for statement in tree.body:
        if isinstance(statement, ast.Assert):
            continue
        for node in ast.walk(statement):
            func = getattr(node, "func", None)
            if isinstance(node, ast.Call) and isinstance(func,
                                                         ast.Attribute):
                found.add(_root(func))
                if "seed" in func.attr:
                    found.add("seed")
    return found - {None}


def _tags(cell) -> set:
    return set(cell.get("metadata", {}).get("tags", []))


def _imported(source: str) -> set:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {(a.asname or a.name).split(".")[0] for node in ast.walk(tree)
            if isinstance(node, (ast.Import, ast.ImportFrom))
            for a in node.names}


def prune(cells: list) -> list:
    """Drop ``remove-cell`` code cells that no later kept cell needs:
    kept are those binding a name a later cell reads, calling a method of
    an object a later cell uses, or reseeding a generator (collapsed, and
    without glue)."""
    modules = set()
    for cell in cells:
        if cell.cell_type == "code":
            cell.source = strip_glue(cell.source)
            modules |= _imported(cell.source)
    kept, wanted = [], set()
    for cell in reversed(cells):
        if cell.cell_type == "code":
            bound, read = names(cell.source)
            if "remove-cell" in _tags(cell):
                changed = touches(cell.source) - (modules - {"seed"})
                if not (bound | changed) & (wanted | {"seed"}):
                    continue
                cell.metadata["jupyter"] = dict(HIDDEN)
            wanted = (wanted - bound) | read
        elif "remove-cell" in _tags(cell):
            continue
        kept.append(cell)
    return kept[::-1]


def _caption_cell(cell, refs: Refs):
    figure = cell.metadata.get("mystnb", {}).get("figure", {})
    if not figure.get("caption"):
        return None
    kind, number, _ = refs.numbers.get(figure.get("name", ""),
                                       ("figure", "", ""))
    label = refs.formats.get(kind, "%s").replace("%s", number).strip()
    caption = convert(figure["caption"], refs)
    text = f"**{label}.** {caption}" if number else caption
    return nbformat.v4.new_markdown_cell(text)


def still(output):
    """A slider output as (still image output, note), or None."""
    html = "".join(output.get("data", {}).get("text/html", ""))
    frames = FRAME.findall(html)
    if 'class="explorer"' not in html or not frames:
        return None
    start = re.search(r'type="range"[^>]*value="(\d+)"', html)
    shown = next((f for f in frames if start and f[0] == start[1]),
                 frames[0])
    base64.b64decode(shown[2], validate=True)
    image = nbformat.v4.new_output(
        "display_data",
        data={"image/png": shown[2], "text/plain": unescape(shown[1])})
    # the readout names of the positions; each alt describes its frame
    names = re.search(r'class="explorer"[^>]*data-captions="([^"]*)"', html)
    names = (unescape(names[1]).split("|") if names
             else [unescape(alt) for _, alt, _ in frames])
    note = STILL_NOTE.format(captions=", ".join(names),
                             shown=names[int(shown[0])])
    return image, nbformat.v4.new_markdown_cell(note)


def _code(cell, refs: Refs, solution: bool) -> list:
    """A code cell and the Markdown cells that follow it."""
    after = []
    if solution:
        cell.metadata["jupyter"] = dict(HIDDEN, outputs_hidden=True)
    elif _tags(cell) & {"hide-input", "remove-input"}:
        cell.metadata["jupyter"] = dict(HIDDEN)
    if "outputs" in cell:
        cell.outputs = merge(cell.outputs)
    for index, output in enumerate(cell.get("outputs", [])):
        replaced = still(output)
        if replaced:
            cell.outputs[index] = replaced[0]
            cell.metadata["gdlab"] = {"slider_still": True}
            after.append(replaced[1])
    caption = _caption_cell(cell, refs)
    return [cell] + ([caption] if caption else []) + after


def _solution_after(source: str, before: bool) -> bool:
    """Whether the cells after this Markdown are inside a solution."""
    marks = re.findall(r"\{solution-(start|end)\}", source)
    return marks[-1] == "start" if marks else before


def scrub_paths(nb, root: Path, packages: list[Path]) -> None:
    """Replace the build machine's paths in outputs by neutral ones."""
    swaps = [(str(p), PACKAGES) for p in packages]
    swaps += [(str(Path(root) / "src"), PACKAGES), (str(root), NEUTRAL)]
    swaps.sort(key=lambda pair: -len(pair[0]))

    def clean(value):
        if isinstance(value, str):
            for old, new in swaps:
                value = value.replace(old, new)
            return value
        if isinstance(value, list):
            return [clean(v) for v in value]
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        return value
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [nbformat.from_dict(clean(o))
                            for o in cell.outputs]


def to_plain(nb, refs: Refs):
    """The executed MyST notebook ``nb`` as plain Jupyter (in place)."""
    refs.glue = glue_data(nb)
    cells, solution = [], False
    for cell in prune(nb.cells):
        if cell.cell_type == "markdown":
            opened = _solution_after(cell.source, solution)
            cell.source = convert(cell.source, refs)
            solution = opened
            if cell.source.strip():
                cells.append(cell)
        else:
            cells.extend(_code(cell, refs, solution))
    nb.cells = cells
    return nb


def number_cells(nb, prefix: str = "cell") -> None:
    """Give every cell a stable, unique id (nbformat 4.5)."""
    nb.nbformat, nb.nbformat_minor = 4, max(nb.get("nbformat_minor", 0), 5)
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"{prefix}-{index:03d}"


def markdown_leftovers(nb) -> list[str]:
    """MyST constructs left in the Markdown cells, as rendered by
    nbconvert's HTML exporter (text of the page) and in the source."""
    from nbconvert import HTMLExporter

    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        found += [f"cell {index}: {item}" for item in leftovers(cell.source)]
    only = nbformat.v4.new_notebook(
        cells=[c for c in nb.cells if c.cell_type == "markdown"])
    html, _ = HTMLExporter(template_name="basic").from_notebook_node(only)
    found += [f"rendered: {item}" for item in leftovers(html, RENDERED)]
    return found


def check(folder: Path) -> dict[str, list[str]]:
    """Leftover MyST in every notebook under ``folder``: path -> list."""
    problems = {}
    for path in sorted(Path(folder).rglob("*.ipynb")):
        found = markdown_leftovers(nbformat.read(path, as_version=4))
        if found:
            problems[str(path)] = found
    return problems


def main(argv: list[str]) -> int:
    """``python plain_notebook.py FOLDER``: exit 1 on leftover MyST."""
    if len(argv) != 1:
        print("usage: plain_notebook.py FOLDER_OF_NOTEBOOKS")
        return 2
    problems = check(Path(argv[0]))
    for path, found in problems.items():
        print(path, *found, sep="\n  ")
    print(f"{len(problems)} notebook(s) with leftover MyST")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
