"""The book as one PDF (make pdf): read through its text layer.

`pdftotext` (Debian's poppler-utils) gives the words a reader could
search for. The checks: the page count fits the book; every chapter
starts a page under its title; every figure is there under its number
with its caption; numbered references were filled in (no "??"); every
cited work is in the bibliography; the math was typeset rather than left
as TeX; and the front page links to the PDF where the site serves it.
Run `make pdf` first (`make pdf-check` runs these).
"""
from __future__ import annotations

import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[2]
PDF = ROOT / "_build" / "pdf" / "gdlab-book.pdf"
SINGLE = ROOT / "_build" / "singlehtml"
HTML = ROOT / "_build" / "html"
CELL = re.compile(r"^```\{code-cell\}[^\n]*\n---\n(.*?)\n---\n",
                  re.MULTILINE | re.DOTALL)
CITE = re.compile(r"\{cite(?::\w+)?\}`([^`]+)`")
# MyST that does not reach the page as the words written: math, roles
# (references become numbers or titles) and emphasis markers.
MARKUP = re.compile(r"\$[^$]*\$|\{[\w:-]+\}`[^`]*`")


def words(text: str) -> str:
    """Lower-case words and numbers joined by single spaces: what two
    renderings of the same prose share (quotes, dashes, line breaks and
    hyphenation at line ends aside)."""
    text = re.sub(r"-\n", "-", text)
    return " ".join(re.findall(r"[^\W_]+", text.lower()))


@pytest.fixture(scope="session")
def pages() -> list[str]:
    """The text of each page of the PDF."""
    if not PDF.exists():
        pytest.fail(f"no {PDF.relative_to(ROOT)}: run `make pdf` first")
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is not installed: `make pdf-check` run as "
                    "root installs it (Debian's poppler-utils)")
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(PDF), "-"],
                          capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]          # the text ends with a page break


@pytest.fixture(scope="session")
def book(pages) -> str:
    return words("\n".join(pages))


def toc() -> dict:
    return yaml.safe_load((ROOT / "_toc.yml").read_text())


def chapters() -> list[tuple[str, bool]]:
    """Each chapter of the table of contents (no nested pages), with
    whether its part is numbered."""
    return [(chapter["file"], part.get("numbered", False))
            for part in toc()["parts"] for chapter in part["chapters"]]


@cache
def source(page: str) -> str:
    return (ROOT / f"{page}.md").read_text()


def title(page: str) -> str:
    found = re.search(r"^# (.+)$", source(page), re.MULTILINE)
    assert found, f"{page}: no title"
    return found.group(1).strip()


def figures(page: str) -> list[tuple[str, str]]:
    """(name, caption) of each captioned figure a page's cells declare."""
    found = []
    for header in CELL.findall(source(page)):
        meta = yaml.safe_load(header) or {}
        figure = (meta.get("mystnb") or {}).get("figure") or {}
        if figure.get("caption"):
            found.append((figure.get("name", ""), figure["caption"]))
    return found


def opening_words(caption: str, n: int = 10) -> str:
    """Up to ``n`` words of a caption's longest stretch of plain text."""
    stretches = [words(part) for part in MARKUP.split(caption)]
    longest = max(stretches, key=lambda s: len(s.split()))
    return " ".join(longest.split()[:n])


def numbered_figures() -> list[tuple[str, str, str]]:
    """(page, "fig N.K", caption) for every figure of a numbered chapter,
    N the chapter's number and K the figure's place in it."""
    found, number = [], 0
    for page, numbered in chapters():
        if not numbered:
            continue
        number += 1
        for k, (_, caption) in enumerate(figures(page), 1):
            found.append((page, f"fig {number} {k}", caption))
    return found


def test_page_count_fits_the_book(pages):
    n = len(chapters())
    assert 8 * n <= len(pages) <= 40 * n, \
        f"{len(pages)} pages for {n} chapters"


def test_every_chapter_starts_a_page_under_its_title(pages):
    tops = [words(" ".join(page.strip().splitlines()[:3]))
            for page in pages]
    for page, _ in chapters():
        heading = words(title(page))
        assert any(heading in top for top in tops), \
            f"{page}: no page starts with its title {title(page)!r}"


def test_every_figure_is_there_with_its_number_and_caption(book):
    figs = numbered_figures()
    assert figs, "no captioned figures found in the chapters"
    for page, number, caption in figs:
        assert f"{number} " in book, f"{page}: no {number!r} in the PDF"
        start = words(MARKUP.split(caption)[0])
        if len(start.split()) >= 3:       # caption opens with plain text
            expected = f"{number} " + " ".join(start.split()[:10])
        else:
            expected = opening_words(caption)
        assert expected in book, \
            f"{page}: figure caption not in the PDF: {expected!r}"


def test_numbered_references_are_filled_in(pages, book):
    text = "\n".join(pages)
    assert "??" not in text, "an unresolved reference (??) in the PDF"
    # every caption number once, and the text refers to figures by number
    captions = len(numbered_figures())
    mentions = len(re.findall(r"\bFig\.\s+\d+\.\d+", text))
    assert mentions > captions, \
        f"{mentions} 'Fig. N.K' in the PDF for {captions} captions: " \
        "the text's references to figures are missing"


def test_every_cited_work_is_in_the_bibliography(pages):
    from pybtex.database import parse_file
    from pybtex.richtext import Text

    bib = parse_file(str(ROOT / "book" / "references.bib"))
    cited = {key.strip() for page, _ in chapters()
             for keys in CITE.findall(source(page))
             for key in keys.split(",")}
    assert cited, "no citations found in the chapters"
    start = next((i for i, page in enumerate(pages)
                  if words(page).startswith("bibliography")), None)
    assert start is not None, "no page starts with the bibliography"
    listing = words("\n".join(pages[start:]))
    for key in sorted(cited):
        entry = bib.entries[key]
        title = Text.from_latex(entry.fields["title"]).render_as("text")
        expected = " ".join(words(title.split("$")[0]).split()[:6])
        assert expected in listing, \
            f"{key}: not in the bibliography ({expected!r})"


def test_math_was_typeset(pages):
    """Every formula of the one-page build is absent as TeX source (with
    its delimiters) from the PDF, and the symbols the formulas use are
    there as symbols."""
    page = SINGLE / "book" / "index.html"
    if not page.exists():
        pytest.fail(f"no {page.relative_to(ROOT)}: run `make pdf` first")
    soup = BeautifulSoup(page.read_text(), "html.parser")
    formulas = [el.get_text() for el in soup.select(".math")]
    assert len(formulas) > 100, "the book has suspiciously little math"
    text = " ".join(" ".join(pages).split())
    raw = [tex for tex in formulas
           if " ".join(tex.split()) in text and "\\" in tex]
    assert not raw, f"{len(raw)} formulas left as TeX, e.g. {raw[:3]}"
    assert "$$" not in text
    symbols = {r"\eta": "η", r"\nabla": "∇", r"\lambda": "λ",
               r"\kappa": "κ", r"\sum": "∑"}
    for command, symbol in symbols.items():
        if any(command in tex for tex in formulas):
            assert symbol in text, f"{command} used but no {symbol} in PDF"


def test_front_page_links_to_the_pdf():
    """The front page links to gdlab-book.pdf at the root of the site,
    where make pdf puts a copy (and the publish workflow uploads it with
    the site)."""
    front = HTML / "book" / "index.html"
    if not HTML.exists():
        pytest.skip("no site in _build/html (make book) to check the link "
                    "of")
    link = BeautifulSoup(front.read_text(), "html.parser").select_one(
        "a.pdf-download")
    assert link is not None, "the front page has no link to the PDF"
    target = (front.parent / link["href"]).resolve()
    assert target == (HTML / PDF.name).resolve(), link["href"]
    assert target.exists(), f"{link['href']}: no PDF there (make pdf " \
        "copies it into _build/html)"
    assert target.read_bytes() == PDF.read_bytes()
