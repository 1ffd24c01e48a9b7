"""The pages of the book, as listed in _toc.yml (shared by the site and
browser checks)."""
from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"


def toc_files(node) -> list[str]:
    """Every ``file:`` (and the root) named in a jb-book ``_toc.yml``,
    ``sections:`` (the API reference's pages) included, in order."""
    found = []
    if isinstance(node, dict):
        found += [node[key] for key in ("root", "file") if key in node]
        for value in node.values():
            found += toc_files(value)
    elif isinstance(node, list):
        for item in node:
            found += toc_files(item)
    return found


def toc_pages() -> list[str]:
    return toc_files(yaml.safe_load((ROOT / "_toc.yml").read_text()))
