"""Every page in a real (headless) browser: what a reader sees."""
from __future__ import annotations

import json
import urllib.request

from conftest import HTML, ROOT


def chapters(pages: list[str]) -> list[str]:
    """The pages with code cells: those with notebooks and figures."""
    return [name for name in pages if (ROOT / f"{name}.md").exists()
            and "```{code-cell}" in (ROOT / f"{name}.md").read_text()]


def open_page(browser, url):
    page = browser.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text)
            if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url, wait_until="load")
    return page, errors


def wait_for_math(page):
    """Math arrives typeset (book/_ext/offline_math.py): wait for its
    fonts."""
    page.evaluate("() => document.fonts.ready")


def test_every_page_loads_cleanly(visits):
    for name, v in visits.items():
        if name == "search":
            continue
        source = next((ROOT / f"{name}{s}") for s in (".md", ".ipynb")
                      if (ROOT / f"{name}{s}").exists())
        if "$" in source.read_text():
            assert v.measures["math"] > 0, f"{name}: math was not typeset"
        assert v.measures["raw_tex"] == 0, \
            f"{name}: {v.measures['raw_tex']} formulas left as TeX"
        mathjax = [url for url in v.requests if "tex-mml-chtml" in url]
        assert not mathjax, f"{name}: loads MathJax's script: {mathjax}"
        assert not v.broken_images, \
            f"{name}: images that did not load: {v.broken_images}"
        assert not v.errors["light"], f"{name}: console errors: {v.errors}"


def test_chapter_links_point_to_their_notebooks(visits, toc_pages):
    checked = 0
    for name in chapters(toc_pages):
        links = visits[name].links                 # absolute URLs
        if links["download"] is None:
            continue
        with urllib.request.urlopen(links["download"], timeout=20) as got:
            assert got.status == 200, f"{name}: notebook download failed"
            notebook = json.loads(got.read())
        assert notebook["nbformat"] == 4
        assert links["colab"].endswith(f"/blob/notebooks/{name}.ipynb"), \
            links["colab"]
        assert name.replace("/", "%2F") in links["binder"], links["binder"]
        checked += 1
    assert checked >= 12


def test_search_finds_gradient(browser, base_url):
    page, errors = open_page(browser, f"{base_url}/search.html?q=gradient")
    page.wait_for_selector("#search-results li", timeout=20000)
    assert page.locator("#search-results li").count() > 5
    assert not errors, errors
    page.close()


def test_explorers_respond_to_the_slider(browser, base_url, toc_pages):
    found = 0
    for name in chapters(toc_pages):
        if "explorer.slider" not in (ROOT / f"{name}.md").read_text():
            continue
        page, _ = open_page(browser, f"{base_url}/{name}.html")
        for i in range(page.locator(".explorer").count()):
            explorer = page.locator(".explorer").nth(i)
            slider = explorer.locator("input[type=range]")
            last = slider.get_attribute("max")
            slider.fill(last)
            visible = explorer.locator("img.explorer-frame:not([hidden])")
            assert visible.count() == 1
            assert visible.get_attribute("data-index") == last
            # the readout shows the frame's name; its alt describes it
            names = explorer.get_attribute("data-captions").split("|")
            name = explorer.locator("output").inner_text()
            assert name == names[int(last)]
            alt = visible.get_attribute("alt")
            assert alt.startswith(f"{name}: ") and len(alt) > len(name) + 10
            assert slider.get_attribute("aria-valuetext") == name
            found += 1
        page.close()
    assert found >= 3, "expected explorers in chapters 1, 6 and 7"


def test_screenshot_of_chapter_one(browser, base_url):
    page, _ = open_page(browser, f"{base_url}/book/gd-by-hand.html")
    wait_for_math(page)
    page.set_viewport_size({"width": 1280, "height": 1000})
    target = HTML.parent / "screenshots" / "gd-by-hand.png"
    target.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(target), full_page=False)
    assert target.stat().st_size > 10_000
    page.close()
