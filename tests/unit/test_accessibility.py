"""The accessibility extension's text transformations (book/_ext)."""
from __future__ import annotations

import sys
from pathlib import Path

from docutils.core import publish_doctree

sys.path.insert(0, str(Path(__file__).parents[2] / "book/_ext"))
import accessibility  # noqa: E402


def test_toggles_and_bibliography_entries_are_fixed():
    body = ('<details><summary aria-label="Toggle hidden content">'
            '<p>Show code cell source</p></summary></details>'
            '<div role="list" class="citation-list">'
            '<div class="citation" role="doc-biblioentry">A</div></div>')
    fixed = accessibility.fix_body(body)
    assert "aria-label" not in fixed and "<summary>" in fixed
    assert 'role="listitem"' in fixed and "doc-biblioentry" not in fixed


def test_shorten_cuts_at_a_word_and_marks_the_cut():
    text = "word " * 100
    short = accessibility.shorten(text, 40)
    assert len(short) <= 40 and short.endswith("…")
    assert short[:-1].split() == ["word"] * len(short[:-1].split())
    assert accessibility.shorten("  two\n words ") == "two words"


def test_first_paragraph_skips_boxes_and_notebook_links():
    doctree = publish_doctree(
        "Title\n=====\n\n.. note::\n\n   Not this.\n\n"
        "Run this chapter yourself: download it.\n\n"
        "The first real paragraph.\n\nThe second.\n")
    assert accessibility.first_paragraph(doctree) == \
        "The first real paragraph."
