"""A reference run: the format of the GPU chapter's GPU measurements.

The book is built on CPUs, so facts that need a GPU come from a run
captured once on a real GPU (by :mod:`gdlab.reference_capture`) and
shipped with the package as ``gdlab/reference_data/gpu.json``::

    python -m gdlab.reference_run capture OUT.json [--device cuda]
    python -m gdlab.reference_run show OUT.json

To ship a run, capture it on the GPU into
``src/gdlab/reference_data/gpu.json`` and commit that file; the wheel
includes it (``[tool.setuptools.package-data]`` in ``pyproject.toml``)
and the chapter shows its tables beside its own results.

The data is a dict: a ``header`` (which GPU, when, which versions, which
command) and ``sections``, each a list of rows with the same columns.

* :func:`validate` checks that format, :func:`load` reads the shipped
  file (``None`` when there is none) with ``importlib.resources``;
* :func:`render` turns one section into Markdown that says where and when
  it was measured; :func:`markdown_table` formats rows as a table.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from importlib import resources
from pathlib import Path

HEADER = ("gpu", "date", "torch", "cuda", "device", "command")
VALUE_TYPES = (str, int, float, bool, type(None))
SHIPPED = "reference_data/gpu.json"


def validate(data) -> dict:
    """``data`` if it has the reference format, else ``ValueError``."""
    if not isinstance(data, dict) or set(data) != {"header", "sections"}:
        raise ValueError("reference data must be a dict with exactly the "
                         "keys 'header' and 'sections'")
    header = data["header"]
    if not isinstance(header, dict) or set(header) != set(HEADER) or \
            not all(isinstance(v, str) and v for v in header.values()):
        raise ValueError(f"the header needs the non-empty strings "
                         f"{', '.join(HEADER)}")
    if not isinstance(data["sections"], dict) or not data["sections"]:
        raise ValueError("'sections' must be a non-empty dict")
    for name, section in data["sections"].items():
        rows = section.get("rows") if isinstance(section, dict) else None
        if not isinstance(rows, list) or not rows or \
                not all(isinstance(r, dict) for r in rows):
            raise ValueError(f"section {name!r} needs a non-empty list of "
                             "'rows' (dicts)")
        if any(list(r) != list(rows[0]) for r in rows):
            raise ValueError(f"the rows of section {name!r} must have the "
                             "same columns in the same order")
        for row in rows:
            for key, value in row.items():
                bad = isinstance(value, float) and not math.isfinite(value)
                if not isinstance(value, VALUE_TYPES) or bad:
                    raise ValueError(f"section {name!r}, column {key!r}: "
                                     f"{value!r} is not a finite number, "
                                     "a string, a bool or None")
    return data


def load(path=None) -> dict | None:
    """The validated reference data in ``path``, or the file shipped with
    gdlab; ``None`` when no file was shipped."""
    if path is None:
        shipped = resources.files("gdlab").joinpath(SHIPPED)
        if not shipped.is_file():
            return None
        text = shipped.read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    return validate(json.loads(text))


def _cell(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def render(data: dict, section: str) -> str:
    """One section as Markdown: a sentence saying on which GPU and when it
    was measured, then its rows as a table."""
    data = validate(data)
    if section not in data["sections"]:
        raise KeyError(f"no section {section!r}; the reference data has "
                       f"{', '.join(data['sections'])}")
    h = data["header"]
    return (f"**Reference run**: measured on **{h['gpu']}** "
            f"({h['device']}) on {h['date']} with torch {h['torch']} and "
            f"CUDA {h['cuda']}, not on this build.\n\n"
            + markdown_table(data["sections"][section]["rows"]))


def markdown_table(rows: list[dict]) -> str:
    """``rows`` (dicts with the same keys) as a Markdown table; floats
    with three significant digits, integers with thousands separators."""
    if not isinstance(rows, (list, tuple)):
        raise TypeError(f"rows must be a list of dicts, got "
                        f"{type(rows).__name__}")
    if not rows or not all(isinstance(r, dict) for r in rows):
        raise ValueError("rows must be a non-empty list of dicts")
    lines = ["| " + " | ".join(map(str, rows[0])) + " |",
             "|" + "---|" * len(rows[0])]
    lines += ["| " + " | ".join(_cell(v) for v in row.values()) + " |"
              for row in rows]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gdlab.reference_run")
    sub = parser.add_subparsers(dest="action", required=True)
    cap = sub.add_parser("capture", help="measure and write a JSON file")
    cap.add_argument("out", type=Path)
    cap.add_argument("--device", default=None)
    cap.add_argument("--quick", action="store_true")
    show = sub.add_parser("show", help="validate a file and print it")
    show.add_argument("path", type=Path)
    args = parser.parse_args(argv)
    if args.action == "capture":
        from .reference_capture import capture    # it imports this module

        command = "python -m gdlab.reference_run " + " ".join(
            sys.argv[1:] if argv is None else argv)
        data = capture(args.device, quick=args.quick, command=command)
        args.out.write_text(json.dumps(data, indent=1) + "\n")
        print(f"wrote {args.out}")
    else:
        data = load(args.path)
        for name in data["sections"]:
            print(f"## {name}\n\n{render(data, name)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
