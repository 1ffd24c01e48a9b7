"""Fixtures for checks on the built site (run after ``jupyter-book build``)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"


def toc_files(node) -> list[str]:
    """Every ``file:`` (and the root) named in a jb-book ``_toc.yml``."""
    found = []
    if isinstance(node, dict):
        for key in ("root", "file"):
            if key in node:
                found.append(node[key])
        for value in node.values():
            found += toc_files(value)
    elif isinstance(node, list):
        for item in node:
            found += toc_files(item)
    return found


def source_of(page: str) -> Path:
    for suffix in (".md", ".ipynb"):
        path = ROOT / (page + suffix)
        if path.exists():
            return path
    raise FileNotFoundError(f"no source for toc entry {page!r}")


def is_chapter(page: str) -> bool:
    """A chapter is a page with executable code cells."""
    return "```{code-cell}" in source_of(page).read_text()


@pytest.fixture(scope="session")
def pages() -> list[str]:
    if not (HTML / "index.html").exists():
        pytest.fail("no built site in _build/html: run `make book` first")
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return toc_files(toc)


@pytest.fixture(scope="session")
def soups(pages) -> dict[str, BeautifulSoup]:
    return {page: BeautifulSoup((HTML / f"{page}.html").read_text(),
                                "html.parser")
            for page in pages if (HTML / f"{page}.html").exists()}


def figure_names(page: str) -> list[str]:
    """Names of the captioned figures a chapter's cells declare."""
    text = source_of(page).read_text()
    return re.findall(r"mystnb:\n\s+figure:\n(?:\s+.*\n)*?\s+name:\s*(\S+)",
                      text)


def pasted_glue_roles(page: str) -> int:
    """How many ``{glue}`` and ``{glue:text}`` roles a page's prose uses.

    These render as ``span.pasted-text``/``span.pasted-inline``; ``glue:md``
    roles are parsed as Markdown and leave no such marker.
    """
    return len(re.findall(r"\{glue(?::text)?\}`", source_of(page).read_text()))
