"""A chapter as a plain notebook: build plumbing removed, captions, still
sliders, neutral paths, cell ids, and the leftover-MyST check."""

import base64
import json

import matplotlib
import nbformat
import pytest
from nbformat.v4 import (new_code_cell, new_markdown_cell, new_notebook,
                         new_output)

from plain_markdown import Refs
from plain_notebook import (FRAME, check, glue_data, main, markdown_leftovers,
                            names, number_cells, prune, scrub_paths, still,
                            strip_glue, to_plain, touches)

matplotlib.use("Agg")


def code(source, tags=(), outputs=(), **metadata):
    cell = new_code_cell(source, metadata=dict(metadata))
    if tags:
        cell.metadata["tags"] = list(tags)
    cell.outputs = [nbformat.from_dict(o) for o in outputs]
    return cell


def glued(name, value):
    return {"output_type": "display_data", "data": {
        "application/papermill.record/text/plain": repr(value)},
        "metadata": {"scrapbook": {"name": name, "mime_prefix":
                                   "application/papermill.record/"}}}


# --- build plumbing -----------------------------------------------------

def test_strip_glue_removes_calls_and_imports():
    source = ("from myst_nb import glue\nx = 1\nglue('x', x, display=False)"
              "\nfor k in range(2):\n    glue(f'k{k}', k)\n    x += k")
    assert strip_glue(source) == ("x = 1\nfor k in range(2):\n    pass\n"
                                  "    x += k")


def test_strip_glue_drops_loops_that_only_glued():
    source = "for m, run in runs.items():\n    glue(f'gap_{m}', run)\nx = 1"
    assert strip_glue(source) == "x = 1"


def test_strip_glue_leaves_magics_alone():
    assert strip_glue("%load_ext tensorboard") == "%load_ext tensorboard"


def test_names_are_read_before_bound_in_assignments_only():
    assert names("x = x + 1") == ({"x"}, {"x"})
    assert names("for m in runs:\n    print(m)") == ({"m"},
                                                     {"runs", "print"})
    bound, read = names("y = [p for p in ps]")
    assert bound == {"y"} and read == {"ps"}


def test_touches_method_calls_outside_asserts():
    assert touches("model.zero_grad()\nassert net.ok()") == {"model"}
    assert touches("torch.manual_seed(0)") == {"torch", "seed"}


def test_glue_data_takes_hidden_values_out():
    cell = code("glue('b', 1.5)", outputs=[glued("b", 1.5)])
    nb = new_notebook(cells=[cell])
    assert glue_data(nb) == {"b": {"text/plain": "1.5"}}
    assert nb.cells[0].outputs == []


def test_prune_drops_plumbing_and_keeps_what_later_cells_need():
    cells = [
        code("from myst_nb import glue", tags=["remove-cell"]),
        code("glue('a', 1)\nassert True", tags=["remove-cell"]),
        code("helper = 3\nglue('h', helper)", tags=["remove-cell"]),
        code("unused = 4", tags=["remove-cell"]),
        code("shadowed = 5", tags=["remove-cell"]),
        code("torch.manual_seed(0)", tags=["remove-cell"]),
        new_markdown_cell("hidden text", metadata={"tags": ["remove-cell"]}),
        code("import torch\nshadowed = 6\nprint(helper, shadowed)"),
    ]
    kept = prune(cells)
    assert [c.source for c in kept] == [
        "helper = 3", "torch.manual_seed(0)",
        "import torch\nshadowed = 6\nprint(helper, shadowed)"]
    assert all(c.metadata["jupyter"] == {"source_hidden": True}
               for c in kept[:2])


def test_prune_keeps_a_cell_that_changes_an_object_used_later():
    cells = [code("model = make()"),
             code("model.zero_grad()", tags=["remove-cell"]),
             code("print(model)")]
    assert len(prune(cells)) == 3


# --- the whole conversion ----------------------------------------------

@pytest.fixture
def refs():
    return Refs(site="https://s/",
                numbers={"fig-a": ("figure", "2.1", "b/c.html#fig-a"),
                         "ex-a": ("exercise", "2.1", "b/c.html#ex-a")})


def chapter():
    figure = {"mystnb": {"figure": {"caption": "The loss is {glue:text}`b`.",
                                    "name": "fig-a"}}}
    return new_notebook(cells=[
        new_markdown_cell("(ch-c)=\n# Chapter"),
        code("from myst_nb import glue\nb = 1.23456\nglue('b', b, False)",
             tags=["remove-cell"], outputs=[glued("b", 1.23456)]),
        code("plot()", tags=["hide-input"], **figure),
        new_markdown_cell("```{exercise} Sum\n:label: ex-a\nAdd.\n```\n\n"
                          "```{solution-start} ex-a\n:class: dropdown\n```"),
        code("1 + 1"),
        new_markdown_cell("```{solution-end}\n```\n\n"
                          "Loss {glue:text}`b:.2f`."),
        code("2 + 2")])


def test_to_plain_reads_like_the_page(refs):
    nb = to_plain(chapter(), refs)
    sources = [c.source for c in nb.cells]
    assert sources == [
        "# Chapter", "plot()", "**Fig. 2.1.** The loss is 1.23456.",
        "### Exercise 2.1 (Sum)\n\nAdd.\n\n"
        "#### Solution to Exercise 2.1 (Sum)",
        "1 + 1", "Loss 1.23.", "2 + 2"]
    hidden = [c.metadata.get("jupyter") for c in nb.cells]
    assert hidden[1] == {"source_hidden": True}
    assert hidden[4] == {"source_hidden": True, "outputs_hidden": True}
    assert hidden[6] is None
    assert markdown_leftovers(nb) == []


def test_number_cells_gives_valid_unique_ids(refs):
    nb = to_plain(chapter(), refs)
    nb.cells.insert(0, {"cell_type": "markdown", "metadata": {},
                        "source": "set-up"})           # no id, as injected
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    nb.nbformat_minor = 4
    number_cells(nb, "chapter")
    nbformat.validate(nb)
    ids = [c.id for c in nb.cells]
    assert ids[0] == "chapter-000" and len(set(ids)) == len(ids)


# --- sliders -------------------------------------------------------------

def slider_output(start):
    import matplotlib.pyplot as plt
    from gdlab.explorer import slider

    frames = {}
    for lr in ("lr < 0.1", "lr = 0.2"):
        fig, ax = plt.subplots(figsize=(1, 1))
        ax.set_title(lr)
        frames[lr] = fig
    html = slider(frames, "rate", dpi=20, start=start,
                  alt=lambda name: f"a square titled {name}")
    return new_output("display_data", data={"text/html": html.data,
                                            "text/plain": "<HTML>"})


@pytest.mark.parametrize("start", [0, 1])
def test_slider_becomes_a_still_of_its_start_frame(start):
    output = slider_output(start)
    image, note = still(output)
    html = output.data["text/html"]
    shown = ("lr < 0.1", "lr = 0.2")[start]
    # the still's text is the frame's alt; the note names the positions
    assert image.data["text/plain"] == f"{shown}: a square titled {shown}"
    assert image.data["image/png"] in html
    assert base64.b64decode(image.data["image/png"]).startswith(b"\x89PNG")
    assert "lr < 0.1, lr = 0.2" in note.source and f"({shown})" in note.source
    frames = [png for _, _, png in FRAME.findall(html)]
    assert len(frames) == 2 and image.data["image/png"] == frames[start]
    assert frames[0] != frames[1]


def test_other_html_is_not_a_slider():
    assert still(new_output("display_data",
                            data={"text/html": "<b>hi</b>"})) is None


def test_to_plain_puts_the_note_after_the_slider(refs):
    nb = new_notebook(cells=[code("slider()", outputs=[slider_output(0)])])
    nb = to_plain(nb, refs)
    assert list(nb.cells[0].outputs[0].data) == ["image/png", "text/plain"]
    assert nb.cells[0].metadata["gdlab"] == {"slider_still": True}
    assert nb.cells[1].source.startswith("> **Slider.**")


# --- paths ---------------------------------------------------------------

def test_scrub_paths_hides_the_build_machine(tmp_path):
    root, venv = "/work/repo", "/work/repo/.venv/lib/python3.11/site-packages"
    error = new_output("error", ename="E", evalue="x", traceback=[
        f"File \x1b[32m{root}/src/gdlab/linear.py:12\x1b[39m",
        f"File {venv}/torch/_tensor.py:6", f"{root}/book/data.csv"])
    nb = new_notebook(cells=[code("f()", outputs=[error])])
    scrub_paths(nb, root, [venv])
    assert nb.cells[0].outputs[0].traceback == [
        "File \x1b[32m.../site-packages/gdlab/linear.py:12\x1b[39m",
        "File .../site-packages/torch/_tensor.py:6", "~/gdlab/book/data.csv"]


# --- the reader's-eye check ------------------------------------------------

RAW = new_notebook(cells=[
    new_markdown_cell("(ch-x)=\n# T\n\nThe {term}`loss` is {glue:text}`b`."),
    new_markdown_cell("```{exercise} E\n:label: e\nDo.\n```"),
    new_markdown_cell(":::{note}\nN\n:::\n\n$$\nx\n$$ (eq-x)"),
    code("d = {'a': 1}  # `{x}` in code is fine\n(y)=1")])


def test_markdown_leftovers_finds_raw_myst_in_source_and_rendering():
    found = markdown_leftovers(RAW)
    source = {f.split(": ", 1)[1].split(" at ")[0] for f in found
              if f.startswith("cell")}
    rendered = {f.split(": ", 1)[1].split(" at ")[0] for f in found
                if f.startswith("rendered")}
    kinds = {"role", "directive", "label line", "equation label"}
    assert source == kinds and rendered == kinds


def test_check_and_main_on_a_folder(tmp_path, capsys):
    nbformat.write(RAW, tmp_path / "raw.ipynb")
    (tmp_path / "ok").mkdir()
    nbformat.write(new_notebook(cells=[new_markdown_cell("# Fine")]),
                   tmp_path / "ok" / "fine.ipynb")
    assert list(check(tmp_path)) == [str(tmp_path / "raw.ipynb")]
    assert main([str(tmp_path)]) == 1
    assert "1 notebook(s) with leftover MyST" in capsys.readouterr().out
    assert main([str(tmp_path / "ok")]) == 0
    assert main([]) == 2
