"""Fixtures for checks on the built site (run after ``jupyter-book build``)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from toc import HTML, ROOT, toc_pages  # noqa: F401 (re-exported)


def source_of(page: str) -> Path:
    for suffix in (".md", ".ipynb"):
        path = ROOT / (page + suffix)
        if path.exists():
            return path
    raise FileNotFoundError(f"no source for toc entry {page!r}")


def is_chapter(page: str) -> bool:
    """A chapter is a page with executable code cells."""
    return "```{code-cell}" in source_of(page).read_text()


def chapters(pages: list[str]) -> list[str]:
    return [page for page in pages if is_chapter(page)]


@pytest.fixture(scope="session")
def pages() -> list[str]:
    if not (HTML / "index.html").exists():
        pytest.fail("no built site in _build/html: run `make book` first")
    return toc_pages()


@pytest.fixture(scope="session")
def soups(pages) -> dict[str, BeautifulSoup]:
    return {page: BeautifulSoup((HTML / f"{page}.html").read_text(),
                                "html.parser")
            for page in pages if (HTML / f"{page}.html").exists()}


def figure_names(page: str) -> list[str]:
    """Names of the captioned figures a chapter's cells declare."""
    text = source_of(page).read_text()
    return re.findall(r"mystnb:\n(?:[ \t]+.*\n)*?[ \t]+figure:\n"
                      r"(?:[ \t]+.*\n)*?[ \t]+name:[ \t]*(\S+)", text)


def pasted_glue_roles(page: str) -> int:
    """How many ``{glue}`` and ``{glue:text}`` roles a page's prose uses.

    These render as ``span.pasted-text``/``span.pasted-inline``; ``glue:md``
    roles are parsed as Markdown and leave no such marker.
    """
    return len(re.findall(r"\{glue(?::text)?\}`", source_of(page).read_text()))
