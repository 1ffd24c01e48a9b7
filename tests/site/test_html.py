"""Checks on the built HTML: what a reader will actually see.

Run by ``make test`` after the strict build; they fail if a page is
missing, a figure did not render, a cell failed where it should not (or
did not fail where it should), or a glued number is missing.
"""
from __future__ import annotations

import re
import struct

from bs4 import BeautifulSoup

from conftest import (HTML, chapters, figure_names, pasted_glue_roles,
                      source_of)

MIN_FIGURES = {"book/gd-by-hand": 5}
BAD_VALUES = {"nan", "inf", "-inf", "None", ""}


def png_size(path):
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    return struct.unpack(">II", data[16:24])


HIDDEN_TAGS = {"remove-cell", "remove-input"}


def visible_code_cells(page: str) -> list:
    """The code cells whose source a reader sees (``hide-input`` cells
    count: a click shows them)."""
    from myst_nb.core.read import read_myst_markdown_notebook
    notebook = read_myst_markdown_notebook(source_of(page).read_text())
    return [cell for cell in notebook.cells if cell.cell_type == "code"
            and not HIDDEN_TAGS & set(cell.metadata.get("tags", []))]


def visible_cells_matching(pages, pattern: str) -> list[str]:
    """``page: first line`` of each visible code cell that matches."""
    found = re.compile(pattern, re.MULTILINE)
    return [f"{page}: {cell.source.strip().splitlines()[0][:70]!r}"
            for page in chapters(pages)
            for cell in visible_code_cells(page)
            if found.search(cell.source)]


def test_no_visible_cell_is_build_plumbing(pages):
    """Gluing numbers into the prose is the build's business: it lives
    in ``remove-cell`` cells, never in a cell the reader sees."""
    found = visible_cells_matching(pages, r"\bglue\(|myst_nb")
    assert not found, "visible cells that glue or import myst_nb:\n" + \
        "\n".join(found)


def test_no_visible_cell_asserts(pages):
    """The build's own checks (``assert`` against an independent
    reference) live in ``remove-cell`` cells; the cell a reader sees
    says the result in words, and an exercise checks an answer with a
    ``gdlab.exercises`` checker, whose message says what to try."""
    found = visible_cells_matching(pages, r"^\s*assert\b")
    assert not found, "visible cells with an assert statement:\n" + \
        "\n".join(found)


def test_every_toc_page_was_built(pages):
    missing = [p for p in pages if not (HTML / f"{p}.html").exists()]
    assert not missing, f"pages in _toc.yml without HTML: {missing}"
    assert (HTML / "index.html").exists()


def test_every_image_exists_and_has_pixels(soups):
    for page, soup in soups.items():
        for img in soup.select("main img"):
            src = img["src"]
            if src.startswith(("http:", "https:", "data:")):
                continue
            path = (HTML / page).parent / src
            assert path.exists(), f"{page}: image {src} is missing"
            if path.suffix == ".png":
                width, height = png_size(path)
                assert width > 50 and height > 50, f"{page}: {src} is tiny"


def alt_problem(img) -> str | None:
    """Why ``img``'s alt text does not describe it, or None if it may."""
    alt = " ".join((img.get("alt") or "").split())
    if not alt:
        return "no alt text"
    if re.search(r"\.(png|jpe?g|svg|gif)\b|_images/|^[0-9a-f]{16,}", alt):
        return f"alt text that is a file name: {alt[:60]!r}"
    if len(alt) < 25 or len(alt.split()) < 5:
        return f"alt text too short to describe the image: {alt!r}"
    return None


def test_every_image_has_alt_text_that_describes_it(soups):
    """Screen readers read an image's alt text in its place: a path or an
    empty alt tells a reader who cannot see the figure nothing. Frames of
    a slider count too; images inside links that name them (the logo)
    may leave it empty (decorative)."""
    bad = []
    for page, soup in soups.items():
        for img in soup.select("main img"):
            if img.find_parent("a") and img.get("alt") == "":
                continue
            problem = alt_problem(img)
            if problem:
                bad.append(f"{page}: {img.get('src', '')[:50]}: {problem}")
    assert not bad, "images without a useful description:\n" + \
        "\n".join(bad[:30])


def test_alt_check_catches_paths_and_empty_text():
    soup = BeautifulSoup(
        '<img alt="../_images/8c1f2e.png"><img alt="">'
        '<img alt="lr = 0.100"><img alt="Loss against epoch: the loss '
        'falls on a straight line in the log scale.">'
        '<img alt="GFLOP/s against flops per byte: the products sit higher '
        'and to the right."><img alt="figure_3.png">', "html.parser")
    problems = [alt_problem(img) for img in soup.find_all("img")]
    assert [p is None for p in problems] == [False, False, False, True,
                                             True, False]


def test_pages_are_described_and_images_sized(soups):
    """What search engines show (a meta description) and what keeps a
    page from jumping while it loads (image sizes): added by
    book/_ext/accessibility.py."""
    for page, soup in soups.items():
        meta = soup.find("meta", attrs={"name": "description"})
        assert meta and len(meta.get("content", "")) > 40, \
            f"{page}: no useful meta description"
        images = [img for img in soup.select("main img")
                  if not img["src"].startswith("data:")]
        for i, img in enumerate(images):
            assert img.get("width") and img.get("height"), \
                f"{page}: {img['src']} has no width and height"
            width, height = png_size((HTML / page).parent / img["src"])
            assert (int(img["width"]), int(img["height"])) == \
                (width, height), f"{page}: {img['src']} has wrong sizes"
            assert (img.get("loading") == "lazy") == (i > 0), \
                f"{page}: only images after the first should load lazily"


def test_chapters_show_their_captioned_figures(pages, soups):
    assert chapters(pages), "no chapter pages found in _toc.yml"
    for page in chapters(pages):
        soup, names = soups[page], figure_names(page)
        assert len(names) >= MIN_FIGURES.get(page, 1), \
            f"{page} declares only {len(names)} figures"
        for name in names:
            fig = soup.find(id=name)
            assert fig is not None, f"{page}: figure {name} not rendered"
            assert fig.find("img"), f"{page}: figure {name} has no image"
            caption = fig.find("figcaption")
            assert caption and len(caption.get_text(strip=True)) > 20, \
                f"{page}: figure {name} lacks a caption"


def test_tracebacks_only_in_cells_tagged_raises_exception(soups):
    for page, soup in soups.items():
        for tb in soup.select(".output.traceback"):
            cell = tb.find_parent(class_="cell")
            assert cell is not None and \
                "tag_raises-exception" in cell["class"], \
                f"{page}: unexpected traceback:\n{tb.get_text()[:500]}"
        assert "Traceback (most recent call last)" not in \
            " ".join(s.get_text() for s in soup.select(
                ".cell:not(.tag_raises-exception) .cell_output")), \
            f"{page}: a traceback was printed outside a tagged cell"
        assert not soup.select(".output.stderr"), \
            f"{page}: a cell wrote to stderr"


def test_cells_tagged_raises_exception_really_raise(soups):
    for page, soup in soups.items():
        for cell in soup.select(".cell.tag_raises-exception"):
            tb = cell.select_one(".output.traceback")
            assert tb is not None, \
                f"{page}: a cell tagged raises-exception raised nothing"
            assert "Error" in tb.get_text(), f"{page}: no error message"


def test_every_glue_role_was_filled(pages, soups):
    for page in pages:
        soup = soups[page]
        text = soup.select_one("main").get_text()
        assert "{glue" not in text, f"{page}: an unresolved glue role"
        pasted = [s.get_text(strip=True)
                  for s in soup.select(".pasted-text, .pasted-inline")]
        bad = [v for v in pasted if v in BAD_VALUES]
        assert not bad, f"{page}: glued values {bad}"
        n_roles = pasted_glue_roles(page)
        assert len(pasted) == n_roles, \
            f"{page}: {n_roles} glue roles, {len(pasted)} filled"


def test_math_and_references_resolved(soups):
    for page, soup in soups.items():
        main = soup.select_one("main")
        text = main.get_text()
        assert "???" not in text, f"{page}: an unresolved reference"
        for ref in main.select("a.reference.internal"):
            assert ref.get("href"), f"{page}: a link without a target"
        # math is typeset by the build (book/_ext/offline_math.py): no
        # page runs MathJax, and a page with math links its stylesheet
        scripts = [tag.get("src") or tag.text[:60]
                   for tag in soup.find_all("script")
                   if "mathjax" in tag.get("src", "").lower()
                   or "window.MathJax" in tag.text]
        assert not scripts, f"{page}: loads MathJax: {scripts}"
        raw = [m.get_text()[:60] for m in main.select(".math")
               if not m.find("mjx-container")]
        assert not raw, f"{page}: formulas left as TeX: {raw}"
        if "$" in source_of(page).read_text():
            assert main.find("mjx-assistive-mml"), \
                f"{page}: uses math but none is typeset with its MathML"
            assert soup.find("link", href=re.compile(
                r"_static/mathjax-chtml\.css")), \
                f"{page}: typeset math without its stylesheet"


def test_typeset_math_uses_the_sites_own_fonts():
    css = (HTML / "_static" / "mathjax-chtml.css").read_text()
    fonts = re.findall(r'url\("([^"]+)"\)', css)
    assert fonts and all("://" not in font for font in fonts)
    missing = [f for f in fonts if not (HTML / "_static" / f).exists()]
    assert not missing, f"fonts the math stylesheet names are missing: " \
        f"{missing}"


def test_every_chapter_has_exercises_with_executed_solutions(pages, soups):
    for page in chapters(pages):
        soup = soups[page]
        exercises = soup.select(".exercise")
        solutions = soup.select(".solution")
        assert len(exercises) >= 2 and len(solutions) >= len(exercises), \
            f"{page}: {len(exercises)} exercises, {len(solutions)} solutions"
        executed = [s for s in solutions if s.select(".cell_output")]
        assert executed, f"{page}: no solution shows executed output"
        unchecked = [s.get("id") for s in solutions
                     if "exercises.check_" not in s.get_text()]
        assert not unchecked, \
            f"{page}: solutions without a gdlab.exercises checker: {unchecked}"


def test_api_reference_documents_every_module(pages, soups):
    """The API reference is a landing page, book/api.md, that links one
    page per submodule, book/api/NAME.md; that page documents gdlab.NAME
    and its own submodules (gdlab.optim.sgd on book/api/optim), no
    other."""
    from conftest import ROOT
    landing = soups.get("book/api")
    assert landing is not None, "the API reference page is not in _toc.yml"
    assert not landing.select("[id^='module-gdlab']"), \
        "book/api.md documents a module itself; it should only link pages"
    links = {a["href"].split("#")[0]
             for a in landing.select("article a.reference.internal")}
    package = ROOT / "src" / "gdlab"
    modules = set()
    for path in package.rglob("*.py"):
        parts = path.relative_to(package).with_suffix("").parts
        parts = parts[:-1] if parts[-1] == "__init__" else parts
        if parts and not any(p.startswith("_") for p in parts):
            modules.add(".".join(("gdlab",) + parts))
    names = sorted({m.split(".")[1] for m in modules})
    functions = 0
    for name in names:
        page = f"book/api/{name}"
        soup = soups.get(page)
        assert soup is not None, \
            f"gdlab.{name} has no page {page}.md under book/api in _toc.yml"
        documented = {tag["id"].removeprefix("module-") for tag in
                      soup.select("article [id^='module-gdlab']")}
        expected = {m for m in modules if m.split(".")[1] == name}
        assert documented == expected, \
            f"{page}: documents {sorted(documented)}, not {sorted(expected)}"
        assert f"api/{name}.html" in links, \
            f"book/api.md does not link the page of gdlab.{name}"
        functions += len(soup.select("dl.py.function"))
    assert functions > 20
    strays = [p for p in pages if p.startswith("book/api/")
              and p.removeprefix("book/api/") not in names]
    assert not strays, f"API pages of no gdlab module: {strays}"


def test_every_chapter_ends_with_its_environment(pages, soups):
    import torch
    for page in chapters(pages):
        tables = soups[page].select("table")
        assert tables, f"{page}: no environment table"
        text = tables[-1].get_text(" ", strip=True)
        assert "torch" in text and torch.__version__ in text, \
            f"{page}: the last table is not the environment fingerprint"
        assert "commit" in text and "device" in text


def test_chapters_offer_their_executed_notebook_and_launch_links(pages,
                                                                  soups):
    import json
    for page in chapters(pages):
        soup = soups[page]
        download = soup.select_one("a.nb-download")
        assert download is not None, f"{page}: no notebook download link"
        path = (HTML / page).parent / download["href"]
        assert path.resolve() == (HTML / "_notebooks" / f"{page}.ipynb"
                                  ).resolve() and path.exists()
        nb = json.loads(path.read_text())
        assert nb["nbformat"] == 4
        setup = "".join(nb["cells"][1]["source"])
        assert "pip" in setup and "gdlab[notebook] @ git+" in setup
        assert any(cell.get("outputs") for cell in nb["cells"][2:]), \
            f"{page}: the notebook has no executed outputs"
        assert not any("".join(cell["source"]).startswith("# execution key")
                       for cell in nb["cells"]), \
            f"{page}: the notebook carries the build's cache-key cell"
        colab = soup.select_one("a.nb-colab")["href"]
        binder = soup.select_one("a.nb-binder")["href"]
        assert colab.startswith("https://colab.research.google.com/github/")
        assert colab.endswith(f"/blob/notebooks/{page}.ipynb")
        assert binder.startswith("https://mybinder.org/v2/gh/")
        assert binder.endswith("labpath=" + page.replace("/", "%2F")
                               + ".ipynb")
    assert (HTML / "_notebooks" / "requirements.txt").exists()


def test_every_glossary_term_is_used_by_a_chapter(pages, soups):
    glossary = soups.get("book/glossary")
    assert glossary is not None, "the glossary page is not in _toc.yml"
    terms = {dt.get("id") for dt in glossary.select("dl.glossary dt")}
    assert len(terms) >= 30, f"only {len(terms)} glossary terms"
    linked = set()
    for page in chapters(pages):
        for a in soups[page].select("a.reference"):
            href = a.get("href", "")
            if "glossary.html#term-" in href:
                linked.add(href.split("#", 1)[1])
    assert not terms - linked, \
        f"glossary terms no chapter links to: {sorted(terms - linked)}"
