"""A local web server for _build/html and a headless Chromium to load it."""
from __future__ import annotations

import os
import shutil

import pytest
import toc
from server import serve
from toc import HTML, ROOT  # noqa: F401 (re-exported to the tests)

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def base_url():
    if not (HTML / "index.html").exists():
        pytest.fail("no built site in _build/html: run `make book` first")
    server, url = serve(HTML)                       # loopback only
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") \
        or shutil.which("chromium-browser")
    if not path:
        pytest.fail("Chromium is not installed: `make test` run as root "
                    "installs it (Debian's chromium package); or set "
                    "$CHROMIUM to a Chrome or Chromium binary")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=path, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def toc_pages():
    return toc.toc_pages()


@pytest.fixture(scope="session")
def visits(browser, base_url, toc_pages):
    """Each page (the search page and every page in the table of
    contents) visited once: see visit.py."""
    from visit import AXE, visit
    if not AXE.exists():
        pytest.fail(f"{AXE.relative_to(ROOT)} is missing: run `make "
                    "browser-check` (it installs .ci/package.json with npm)")
    context = browser.new_context(color_scheme="light",
                                  viewport={"width": 1350, "height": 940})
    found = {name: visit(context, f"{base_url}/{name}.html", name)
             for name in ["search", *toc_pages]}
    context.close()
    return found
