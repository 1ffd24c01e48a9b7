"""Compare a notebook's stored outputs with those of a fresh run.

A reader who runs a downloaded notebook should see what the site shows.
What may differ between two honest runs is made equal first, and only
that: lines starting with ``[timing]``; the commit in the environment
table (the stored one is the commit that executed the page, the fresh
one that of the installed gdlab, which must not be ``unknown``); the
bytes and format of images (a figure must be there; the build may store
it compacted). Cells the build did not run (no execution count, no
outputs: the set-up cell added to the downloads) have nothing to compare
with. A kernel-free slider that the download shows as a still (cell
metadata ``gdlab.slider_still``) must come back as a slider with that
still among its frames. Everything else in the text of streams,
results, displays and errors (name and message; tracebacks show paths)
must match exactly.
"""

from __future__ import annotations

import re
from html import escape

TEXT_TYPES = ("text/plain", "text/markdown", "text/html", "text/latex")
TIMING = re.compile(r"^\[timing\].*$", re.MULTILINE)
COMMIT_ROW = re.compile(r"^(\| commit \| `)([^`]*)(` \|)$", re.MULTILINE)
MASK = "<commit>"


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def normalise(text: str) -> str:
    """``text`` without ``[timing]`` lines and with the commit masked."""
    text = TIMING.sub("", text)
    return COMMIT_ROW.sub(lambda m: m[1] + MASK + m[3], text)


def commits(notebook: dict) -> list[str]:
    """The commit values of every environment table in the outputs."""
    found = []
    for cell in code_cells(notebook):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            found += [m[2] for m in COMMIT_ROW.finditer(
                _text(data.get("text/markdown", "")))]
    return found


def _merge_streams(outputs: list[dict]) -> list[dict]:
    """Consecutive writes to one stream as one output (clients split and
    join them differently)."""
    merged: list[dict] = []
    for output in outputs:
        last = merged[-1] if merged else None
        if (output.get("output_type") == "stream" and last is not None
                and last.get("output_type") == "stream"
                and last["name"] == output["name"]):
            last["text"] += _text(output["text"])
        else:
            merged.append(dict(output, text=_text(output.get("text", ""))))
    return merged


def summary(output: dict) -> dict:
    """What is compared of one output, normalised."""
    kind = output.get("output_type")
    if kind == "stream":
        return {"stream": output["name"],
                "text": normalise(_text(output["text"]))}
    if kind == "error":
        return {"error": output["ename"],
                "text": normalise(_text(output["evalue"]))}
    data = output.get("data", {})
    texts = {key: normalise(_text(data[key]))
             for key in TEXT_TYPES if key in data}
    images = sum(key.startswith("image/") for key in data)
    return {kind: texts, "images": images}


def cell_outputs(cell: dict) -> list[dict]:
    """The compared form of every output of one code cell."""
    outputs = _merge_streams(cell.get("outputs", []))
    return [summary(output) for output in outputs]


def code_cells(notebook: dict) -> list[dict]:
    return [cell for cell in notebook["cells"]
            if cell["cell_type"] == "code"]


def not_run_by_build(cell: dict) -> bool:
    return cell.get("execution_count") is None and not cell.get("outputs")


def is_still(cell: dict) -> bool:
    """A slider output replaced by one of its frames in the download."""
    marks = cell.get("metadata", {}).get("gdlab", {})
    return isinstance(marks, dict) and bool(marks.get("slider_still"))


def still_in_slider(stored: dict, fresh: dict) -> bool:
    """The fresh run shows a slider with a frame whose alternative text
    is the stored still's caption."""
    captions = [_text(o.get("data", {}).get("text/plain", ""))
                for o in stored.get("outputs", [])
                if "data" in o and any(k.startswith("image/")
                                       for k in o["data"])]
    sliders = [_text(o.get("data", {}).get("text/html", ""))
               for o in fresh.get("outputs", []) if "data" in o]
    sliders = [html for html in sliders if 'class="explorer"' in html]
    frames = {f'alt="{escape(caption)}"' for caption in captions}
    return bool(frames and sliders) and all(
        any(frame in html for html in sliders) for frame in frames)


def _first_line(cell: dict) -> str:
    lines = _text(cell["source"]).strip().splitlines()
    return lines[0][:60] if lines else "(empty)"


def differences(stored: dict, fresh: dict) -> list[str]:
    """Readable descriptions of every cell whose outputs differ."""
    old, new = code_cells(stored), code_cells(fresh)
    if len(old) != len(new):
        return [f"{len(old)} code cells stored, {len(new)} run"]
    found = []
    for number, (before, after) in enumerate(zip(old, new), start=1):
        if not_run_by_build(before):
            continue
        if is_still(before):
            if not still_in_slider(before, after):
                found.append(f"code cell {number} "
                             f"({_first_line(before)!r}): the slider "
                             "does not come back with the stored still")
            continue
        want, got = cell_outputs(before), cell_outputs(after)
        if want != got:
            found.append(f"code cell {number} ({_first_line(before)!r}):\n"
                         f"  stored: {want!r:.600}\n"
                         f"  fresh:  {got!r:.600}")
    return found
