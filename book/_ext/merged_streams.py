"""One stdout block and one stderr block per cell, in every copy of it.

A kernel sends what a cell prints in pieces, cut wherever its output
buffer happened to be flushed, so the same cell can give two pieces on one
run and three on the next. myst-nb (``nb_merge_streams``) joins the pieces
for the page, but it does so by appending to the first piece in place and
returning a new list: the notebook it then writes to ``jupyter_execute``
keeps the lengthened first piece *and* the later ones, so lines appear
twice there, differently from one build to the next.

:func:`merge` joins the pieces without touching its input;
:func:`merge_in_place` gives a cell the merged list itself, and is what
myst-nb's renderer calls once this extension is set up. The downloadable
notebook (``plain_notebook``) uses :func:`merge` too, so every copy of a
cell's output is the same text, cut the same way, on every build.
"""

from __future__ import annotations

import copy


def merge(outputs: list) -> list:
    """``outputs`` with each stream's pieces joined, as myst-nb shows them
    on the page; ``outputs`` itself is left as it was.

    The pieces are joined exactly first: myst-nb trims the end of every
    piece it appends, which drops a blank line whenever a cut falls just
    after one, so its result would still depend on where the cuts fell.
    It then sees one piece per stream and does the rest (trailing blank
    lines, ``\r`` and ``\b``, stderr beside stdout) as it always does.
    """
    from myst_nb.core.utils import coalesce_streams

    joined, streams = [], {}
    for output in copy.deepcopy(list(outputs)):
        if output["output_type"] == "stream":
            if output["name"] in streams:
                streams[output["name"]]["text"] += output["text"]
                continue
            streams[output["name"]] = output
        joined.append(output)
    return coalesce_streams(joined)


def merge_in_place(outputs: list) -> list:
    """Replace the contents of the list ``outputs`` by their merge."""
    outputs[:] = merge(outputs)
    return outputs


def setup(app):
    import myst_nb.core.render as render

    render.coalesce_streams = merge_in_place
    return {"parallel_read_safe": True, "parallel_write_safe": True}
