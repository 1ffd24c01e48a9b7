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
    assert accessibility.first_paragraphs(doctree, enough=10) == \
        "The first real paragraph."


def test_first_paragraphs_join_short_openings():
    doctree = publish_doctree("Title\n=====\n\nUsed in chapter 9.\n\n"
                              "Losses written out by hand.\n\nMore.\n")
    assert accessibility.first_paragraphs(doctree, enough=30) == \
        "Used in chapter 9. Losses written out by hand."


def test_icon_only_toggles_are_named_after_their_entry():
    from bs4 import BeautifulSoup
    tree = BeautifulSoup(
        '<ul><li><a href="api.html">API reference</a><details><summary>'
        '<span role="presentation"><i></i></span></summary></details></li>'
        '<li><details><summary><p>Part I</p></summary></details></li></ul>',
        "html.parser")
    accessibility.with_named_toggles(lambda: tree)()
    named, captioned = tree.select("summary")
    assert named["aria-label"] == "Pages under API reference"
    assert not captioned.get("aria-label")       # its text names it
