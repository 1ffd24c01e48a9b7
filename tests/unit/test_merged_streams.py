"""A cell's printed pieces become one block per stream, the same however
the kernel cut them (book/_ext/merged_streams.py)."""

import nbformat
from nbformat.v4 import new_code_cell, new_notebook, new_output

import myst_nb.core.render as render
import plain_notebook
from merged_streams import merge, merge_in_place, setup
from plain_markdown import Refs

LINES = [f"seed {seed}: loss {seed / 7:.3f}\n" for seed in range(5)]


def pieces(cuts):
    """The five lines as stdout pieces cut at ``cuts``, a figure between
    the second and third piece, and a warning on stderr."""
    bounds = [0, *cuts, len(LINES)]
    outputs = [new_output("stream", name="stdout",
                          text="".join(LINES[a:b]))
               for a, b in zip(bounds, bounds[1:])]
    outputs.insert(2, new_output("display_data",
                                 data={"text/plain": "<Figure>"}))
    outputs.append(new_output("stream", name="stderr", text="careful\n"))
    return outputs


def test_every_cut_gives_the_same_blocks():
    merged = [merge(pieces(cuts)) for cuts in ([1, 3], [2, 4], [1, 2, 3])]
    assert merged[0] == merged[1] == merged[2]
    assert [o.get("name", o.output_type) for o in merged[0]] == [
        "stdout", "display_data", "stderr"]
    assert merged[0][0].text == "".join(LINES)


def test_a_cut_after_a_blank_line_keeps_the_blank_line():
    text = "def f():\n    \"\"\"Doc.\n\n    More.\"\"\"\n\nprint(1)\n"
    for cut in range(1, len(text)):
        outputs = [new_output("stream", name="stdout", text=text[:cut]),
                   new_output("stream", name="stdout", text=text[cut:])]
        assert merge(outputs)[0].text == text, cut


def test_merge_leaves_its_input_alone():
    outputs = pieces([1, 3])
    before = nbformat.from_dict([dict(o) for o in outputs])
    merge(outputs)
    assert outputs == before


def test_in_place_gives_the_cell_the_merged_list_with_no_line_twice():
    cell = new_code_cell("...", outputs=pieces([2, 3]))
    returned = merge_in_place(cell.outputs)
    assert returned is cell.outputs
    text = "".join(o.get("text", "") for o in cell.outputs
                   if o.get("name") == "stdout")
    assert text == "".join(LINES)


def test_setup_makes_myst_nb_merge_in_place():
    original = render.coalesce_streams
    try:
        setup(None)
        assert render.coalesce_streams is merge_in_place
    finally:
        render.coalesce_streams = original


def test_the_downloadable_notebook_has_one_block_per_stream():
    nb = new_notebook(cells=[new_code_cell("run()", outputs=pieces([1, 4]))])
    plain = plain_notebook.to_plain(nb, Refs(site="https://s/", numbers={}))
    streams = [o for o in plain.cells[0].outputs
               if o.output_type == "stream"]
    assert [(o.name, o.text) for o in streams] == [
        ("stdout", "".join(LINES)), ("stderr", "careful\n")]
