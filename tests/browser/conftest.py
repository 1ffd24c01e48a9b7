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


def cores() -> int:
    """The CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:                       # macOS, Windows
        return os.cpu_count() or 1


# Pages visited at the same time: a page's visit keeps one core busy (its
# renderer runs axe-core) except while it waits for the network, so one
# page more than there are cores, and no more than four.
PAGES_AT_ONCE = min(4, cores() + 1)


@pytest.fixture(scope="session")
def base_url():
    if not (HTML / "index.html").exists():
        pytest.fail("no built site in _build/html: run `make book` first")
    server, url = serve(HTML)                       # loopback only
    yield url
    server.shutdown()
    server.server_close()


def chromium() -> dict:
    """Playwright's options to launch the Chromium the checks use."""
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") \
        or shutil.which("chromium-browser")
    if not path:
        pytest.fail("Chromium is not installed: `make test` run as root "
                    "installs it (Debian's chromium package); or set "
                    "$CHROMIUM to a Chrome or Chromium binary")
    return {"executable_path": path, "args": FLAGS}


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright
    options = chromium()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(**options)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def toc_pages():
    return toc.toc_pages()


@pytest.fixture(scope="session")
def visits(base_url, toc_pages):
    """Each page (the search page and every page in the table of
    contents) visited once, PAGES_AT_ONCE at a time: see visit.py."""
    from visit import AXE, visit_all
    if not AXE.exists():
        pytest.fail(f"{AXE.relative_to(ROOT)} is missing: run `make "
                    "browser-check` (it installs .ci/package.json with npm)")
    return visit_all(chromium(), base_url, ["search", *toc_pages],
                     PAGES_AT_ONCE)
