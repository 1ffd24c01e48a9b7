"""Print the one-page build of the book (_build/singlehtml) to a PDF.

Usage: python .ci/print_pdf.py [SINGLEHTML_DIR] [OUTPUT_PDF]
(defaults: _build/singlehtml and _build/pdf/gdlab-book.pdf)

`make pdf` runs it after `jupyter-book build . --builder singlehtml`. It
serves the build on loopback, opens it in headless Chromium (Debian's
`chromium`, or the browser $CHROMIUM names) through Playwright, waits
until every image and font (MathJax's, for the math that the build
typeset) has loaded, and prints with the stylesheet print.css next to
this file: A4, page numbers in the footer, the title and contents on
the first page, each part and chapter on a new page, no navigation.
Before printing it puts each part's title before its chapters (the
one-page build drops them), opens the exercise solutions (a PDF cannot
open a dropdown) and turns links within the book into links within the
PDF. The PDF's bookmarks follow the headings. It stops with a message
when a formula is not typeset or an image fails to load.
"""
from __future__ import annotations

import functools
import os
import re
import shutil
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CSS = Path(__file__).with_name("print.css")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]
ENTRY = "/book-for-print.html"
FOOTER = ('<div style="width: 100%; font-size: 8pt; text-align: center; '
          'color: #555;"><span class="pageNumber"></span></div>')
MARGIN = {"top": "16mm", "bottom": "18mm", "left": "17mm", "right": "17mm"}


def master_page(site: Path) -> Path:
    """The page of the one-page build: the root index.html redirects to
    it (the book's root document lives in book/)."""
    redirect = (site / "index.html").read_text()
    found = re.search(r'url=([^"\'>\s]+)', redirect)
    return site / found.group(1) if found else site / "index.html"


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") \
        or shutil.which("chromium-browser")
    if not path:
        sys.exit("print_pdf: Chromium is not installed: `make pdf` run as "
                 "root installs it (Debian's chromium package); or set "
                 "$CHROMIUM to a Chrome or Chromium binary")
    return path


def serve(site: Path, page: Path) -> ThreadingHTTPServer:
    """A loopback server for the build, with the one page at ENTRY.

    Sphinx writes the page's links to images and styles relative to the
    build's root although the page itself is in book/, so it is served
    from the root.
    """
    class Handler(SimpleHTTPRequestHandler):
        def translate_path(self, path):
            if path.split("?", 1)[0] == ENTRY:
                return str(page)
            return super().translate_path(path)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# Runs in the page once it has loaded; returns what went wrong, if anything.
PREPARE = """async (entry) => {
    const problems = [];
    // the build typesets math (book/_ext/offline_math.py); a page that
    // still typesets it in the browser is waited for
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
        await MathJax.startup.promise;
    }
    for (const math of document.querySelectorAll('.math')) {
        if (!math.querySelector('mjx-container')) {
            problems.push('a formula is not typeset: ' +
                          math.textContent.trim().slice(0, 80));
        }
    }
    for (const error of document.querySelectorAll('mjx-merror')) {
        problems.push('a formula failed: ' + error.textContent.slice(0, 80));
    }
    // part titles before their chapters, as in the contents the theme
    // prints on the first page (the one-page build leaves them out)
    const parts = [...document.querySelectorAll(
        '#jb-print-toc p.caption')].map(p => p.textContent.trim());
    const root = document.querySelector('article.bd-article > section');
    const wrappers = root ? root.querySelectorAll(
        ':scope > div.toctree-wrapper') : [];
    wrappers.forEach((wrapper, i) => {
        if (!parts[i]) return;
        const title = document.createElement('h1');
        title.className = 'part-title';
        title.textContent = parts[i];
        wrapper.before(title);
    });
    // solutions are dropdowns on the site; a PDF shows them
    document.querySelectorAll('.toggle-hidden').forEach(
        el => el.classList.remove('toggle-hidden'));
    // links within the book become links within the PDF
    for (const a of document.querySelectorAll('a[href]')) {
        const url = new URL(a.href, document.baseURI);
        if (url.origin === location.origin && url.hash &&
                (url.pathname.endsWith('/book/index.html') ||
                 url.pathname === entry)) {
            a.setAttribute('href', url.hash);
        }
    }
    // every image now: the site lets images below the fold load lazily
    for (const img of document.images) img.loading = 'eager';
    await Promise.race([
        Promise.all([...document.images].map(img => img.decode().catch(
            () => null))),
        new Promise(done => setTimeout(done, 60000))]);
    for (const img of document.images) {
        if (!(img.complete && img.naturalWidth > 0)) {
            problems.push('an image did not load: ' + img.src.slice(0, 80));
        }
    }
    await document.fonts.ready;
    return problems;
}"""


def print_pdf(site: Path, out: Path) -> int:
    from playwright.sync_api import sync_playwright

    page_file = master_page(site)
    if not page_file.exists():
        sys.exit(f"print_pdf: no one-page build in {site}: run `jupyter-book "
                 f"build . --builder singlehtml` (make pdf does)")
    server = serve(site, page_file)
    url = f"http://127.0.0.1:{server.server_address[1]}{ENTRY}"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium_path(),
                                         args=FLAGS)
            page = browser.new_page(viewport={"width": 1000, "height": 1400})
            errors = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            start = time.monotonic()
            page.goto(url, wait_until="load", timeout=120_000)
            page.add_style_tag(content=CSS.read_text())
            page.emulate_media(media="print")
            page.set_default_timeout(120_000)
            problems = page.evaluate(PREPARE, ENTRY)
            problems += [f"a script failed: {e}" for e in errors]
            ready = time.monotonic()
            if problems:
                print("print_pdf: the page is not ready to print:\n  "
                      + "\n  ".join(problems), file=sys.stderr)
                return 1
            out.parent.mkdir(parents=True, exist_ok=True)
            page.pdf(path=str(out), format="A4", margin=MARGIN,
                     print_background=True, display_header_footer=True,
                     header_template="<span></span>",
                     footer_template=FOOTER, outline=True, tagged=True)
            printed = time.monotonic()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    print(f"print_pdf: wrote {out} ({out.stat().st_size / 1e6:.1f} MB; "
          f"page ready in {ready - start:.0f} s, printed in "
          f"{printed - ready:.0f} s)")
    return 0


def main(argv: list[str]) -> int:
    site = Path(argv[0]) if argv else ROOT / "_build" / "singlehtml"
    out = Path(argv[1]) if len(argv) > 1 else \
        ROOT / "_build" / "pdf" / "gdlab-book.pdf"
    return print_pdf(site, out)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
