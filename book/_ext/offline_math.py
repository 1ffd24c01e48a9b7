"""Sphinx extension: typeset math when the book is built, with MathJax.

``make`` installs MathJax 3 from the npm registry (pinned in
``.ci/package.json``) and copies its script and fonts into
``book/_static/mathjax``; without that copy the build stops and says how
to make it.

Pages arrive with their math already typeset. After an HTML (or one-page)
build, one Node process (``tex2chtml.js`` next to this file) turns the TeX
that Sphinx writes into pages, ``<span class="math ...">\\(...\\)</span>``
and ``<div class="math ...">\\[...\\]</div>`` (after a numbered
equation's number), into MathJax's CommonHTML with the MathML that screen
readers read, and writes MathJax's stylesheet once into the site, as
``_static/mathjax-chtml.css`` with the site's own fonts. Pages link that
stylesheet instead of loading MathJax's script (1 MB that typeset math
a second after the text showed, so the text jumped). Nothing on a page
needs the script later: Thebe's live outputs never used the page's MathJax
(``local_thebe.py`` turns Thebe's own off). A formula MathJax cannot
typeset stops the build, naming the page and the TeX, instead of leaving
raw TeX on the page. Only pages with TeX left are typeset, so a rebuild
typesets just the pages Sphinx wrote again; typeset math is left alone.
Downloadable notebooks keep their TeX (they are not HTML pages).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import time
from pathlib import Path

from sphinx.errors import ExtensionError
from sphinx.util import logging
from static_copy import require

logger = logging.getLogger(__name__)

SCRIPT = "mathjax/tex-mml-chtml.js"
FONTS = "mathjax/output/chtml/fonts/woff-v2"   # under _static, like SCRIPT
STYLESHEET = "mathjax-chtml.css"               # written into _static
TYPESETTER = Path(__file__).with_name("tex2chtml.js")
MATHJAX = Path(__file__).resolve().parents[2] / ".ci/node_modules/mathjax"
BUILDERS = {"html", "singlehtml", "dirhtml"}

# Sphinx's markup of one formula (sphinx.ext.mathjax): its element, the
# element's attributes and what it holds. Formulas hold no elements of
# their own kind, so the first closing tag ends them.
MATH = re.compile(
    r'<(?P<tag>span|div)(?P<attrs>[^>]*\bclass="[^"]*'
    r'\bmath notranslate nohighlight\b[^"]*"[^>]*)>'
    r'(?P<body>.*?)</(?P=tag)>', re.DOTALL)
# A numbered equation's number comes before its TeX.
NUMBER = re.compile(r'\s*<span class="eqno">.*?</span>', re.DOTALL)


def use_local_mathjax(app, config):
    require(app, config, SCRIPT, "MathJax with npm from .ci/package.json")
    config.mathjax_path = SCRIPT


def formulas(page: str, inline=(r"\(", r"\)"), display=(r"\[", r"\]")):
    """The formulas of a page that are still TeX: for each, where it is
    (start and end of the element's content), the TeX, whether it is
    displayed, and what stays before it (a numbered equation's number).

    ``inline`` and ``display`` are Sphinx's ``mathjax_inline`` and
    ``mathjax_display``; a displayed formula written without them
    (``nowrap``, as for amsmath environments) is TeX as it stands.
    """
    found = []
    for match in MATH.finditer(page):
        body = match.group("body")
        if "<mjx-container" in body:
            continue                    # typeset already
        number = NUMBER.match(body) if match["tag"] == "div" else None
        keep = number.group(0) if number else ""
        tex = body[len(keep):].strip()
        marks = inline if match["tag"] == "span" else display
        if tex.startswith(marks[0]) and tex.endswith(marks[1]):
            tex = tex[len(marks[0]):-len(marks[1])]
        found.append({"start": match.start("body"), "end": match.end("body"),
                      "tex": html.unescape(tex),
                      "display": match["tag"] == "div", "keep": keep})
    return found


def replace(page: str, found: list[dict], typeset: list[str]) -> str:
    """The page with each formula of ``found`` (from :func:`formulas`)
    replaced by its typeset HTML."""
    parts, done = [], 0
    for formula, markup in zip(found, typeset, strict=True):
        parts += [page[done:formula["start"]], formula["keep"], markup]
        done = formula["end"]
    return "".join(parts) + page[done:]


def compact(css: str) -> str:
    """MathJax's stylesheet without its comments and indentation."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    return re.sub(r"\s*\n\s*", "", css)


def typeset(tex_list: list[tuple[str, bool]], font_url: str = FONTS,
            mathjax: Path = MATHJAX) -> tuple[list, list, str]:
    """Typeset formulas (TeX, displayed?) in one Node process.

    Returns the HTML of each (None where it failed), the failures as
    (index, MathJax's message), and the stylesheet the HTML needs.
    """
    node = shutil.which("node")
    if node is None or not (mathjax / "es5").is_dir():
        raise ExtensionError(
            "typesetting math needs Node.js and MathJax in "
            f"{mathjax}: install Node.js (with npm) and run `make book`, "
            "which installs MathJax with npm from .ci/package.json")
    request = {"fontURL": font_url,
               "formulas": [{"tex": tex, "display": shown}
                            for tex, shown in tex_list]}
    done = subprocess.run([node, str(TYPESETTER), str(mathjax)],
                          input=json.dumps(request), capture_output=True,
                          text=True, encoding="utf-8", check=False)
    if done.returncode != 0:
        raise ExtensionError(f"MathJax (node {TYPESETTER.name}) failed:\n"
                             f"{done.stderr.strip()}")
    answer = json.loads(done.stdout)
    # MathJax in the browser scales math so that its x-height matches
    # the surrounding text's, which it measures; the stylesheet says the
    # same in CSS (1ex is the text's x-height), for every reader's font.
    fit = (f'mjx-container[jax="CHTML"]{{font-size:calc(1ex / '
           f'{answer["xHeight"]})}}')
    failures = [(e["index"], e["message"]) for e in answer["errors"]]
    return ([focusable(markup) if markup and shown else markup
             for markup, (_, shown) in zip(answer["html"], tex_list)],
            failures, compact(answer["css"]) + fit)


def focusable(markup: str) -> str:
    """A displayed formula that a keyboard can reach: too wide for the
    screen it scrolls sideways (as MathJax's menu made it in the browser,
    which set tabindex on every formula)."""
    return markup.replace("<mjx-container ", '<mjx-container tabindex="0" ',
                          1)


def typeset_pages(outdir: Path, inline, display) -> int:
    """Typeset the formulas still in TeX in the HTML pages under
    ``outdir`` and write the stylesheet; returns how many were typeset."""
    pages, any_math = {}, False
    for path in sorted(outdir.rglob("*.html")):
        if path.relative_to(outdir).parts[0] in ("_static", "_sources"):
            continue
        text = path.read_text(encoding="utf-8")
        if "math notranslate nohighlight" not in text:
            continue
        any_math = True
        found = formulas(text, inline, display)
        if found:
            pages[path] = (text, found)
    stylesheet = outdir / "_static" / STYLESHEET
    if not pages and (stylesheet.exists() or not any_math):
        return 0
    queue = [(f["tex"], f["display"])
             for _, found in pages.values() for f in found]
    typeset_html, failures, css = typeset(queue)
    if failures:
        where = [(path, f) for path, (_, found) in pages.items()
                 for f in found]
        lines = [f"{where[i][0].relative_to(outdir)}: {message}: "
                 f"{where[i][1]['tex'].strip()!r}" for i, message in failures]
        raise ExtensionError("MathJax could not typeset "
                             f"{len(failures)} formula(s):\n"
                             + "\n".join(lines))
    stylesheet.parent.mkdir(parents=True, exist_ok=True)
    stylesheet.write_text(css, encoding="utf-8")
    done = 0
    for path, (text, found) in pages.items():
        markup = typeset_html[done:done + len(found)]
        path.write_text(replace(text, found, markup), encoding="utf-8")
        done += len(found)
    return done


def is_mathjax(app, script) -> bool:
    filename = str(getattr(script, "filename", "") or "")
    body = str(getattr(script, "attributes", {}).get("body", "") or "")
    return (filename.split("?")[0].endswith(app.config.mathjax_path)
            or body.startswith(("window.MathJax", "MathJax.Hub")))


def link_stylesheet(app, pagename, templatename, context, doctree):
    """A page that Sphinx gave MathJax's script (it has math) links the
    stylesheet of typeset math instead."""
    if app.builder.name not in BUILDERS:
        return
    scripts = context.get("script_files", [])
    if not any(is_mathjax(app, js) for js in scripts):
        return
    scripts[:] = [js for js in scripts if not is_mathjax(app, js)]
    app.builder.add_css_file(STYLESHEET, priority=900)


def typeset_after_build(app, exception):
    if exception is not None or app.builder.name not in BUILDERS:
        return
    start = time.monotonic()
    count = typeset_pages(Path(app.outdir), app.config.mathjax_inline,
                          app.config.mathjax_display)
    if count:
        logger.info(f"offline_math: typeset {count} formulas in "
                    f"{time.monotonic() - start:.1f} s")


def setup(app):
    app.connect("config-inited", use_local_mathjax, priority=900)
    # after sphinx.ext.mathjax (500) adds its script to a page with math
    app.connect("html-page-context", link_stylesheet, priority=900)
    app.connect("build-finished", typeset_after_build)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
