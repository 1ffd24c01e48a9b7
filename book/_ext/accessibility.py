"""Sphinx extension: pages that every reader can use.

Fixes, in the project's own code, what the theme and the HTML writer do
that accessibility checkers (axe-core, tests/browser) and page-speed
audits flag, without turning any rule off:

* the theme's search and colour-mode buttons are named by what they show
  (templates in ``templates/`` override the two theme components);
* a hidden cell's toggle (``<summary>``) is named by its visible text
  ("Show code cell source") instead of a different ``aria-label``;
* the bibliography is a list of list items: docutils marks entries with
  the deprecated ``doc-biblioentry`` role inside a ``role="list"``;
* every page gets a ``<meta name="description">``: the page's
  ``description`` front matter, or else its first paragraph, shortened;
* every figure image gets its pixel ``width`` and ``height`` (the browser
  reserves its space, so the page does not jump while loading) and all but
  a page's first image load lazily (``loading="lazy"``);
* links in exercise boxes get a darker blue in light mode, for contrast
  (``static/accessibility.css``).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from docutils import nodes

TEMPLATES = str(Path(__file__).with_name("templates"))
STATIC = str(Path(__file__).with_name("static"))
DESCRIPTION_CHARS = 160


def fix_body(body: str) -> str:
    """The page body with the toggles and the bibliography fixed."""
    body = body.replace('<summary aria-label="Toggle hidden content">',
                        "<summary>")
    return body.replace('role="doc-biblioentry"', 'role="listitem"')


def shorten(text: str, limit: int = DESCRIPTION_CHARS) -> str:
    """``text`` on one line, cut at a word boundary to at most ``limit``."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def first_paragraph(doctree) -> str:
    """The text of the first paragraph of prose in ``doctree``.

    Skips paragraphs inside admonitions, figures, cells and the like, and
    the line of notebook links that some pages start with.
    """
    for para in doctree.findall(nodes.paragraph):
        parent = para.parent
        if not isinstance(parent, (nodes.section, nodes.document)):
            continue
        text = para.astext().strip()
        if text and not text.startswith("Run this chapter yourself"):
            return text
    return ""


def describe(app, pagename, doctree) -> str:
    meta = app.env.metadata.get(pagename, {}) if pagename in \
        app.env.all_docs else {}
    if meta.get("description"):
        return shorten(str(meta["description"]))
    if doctree is not None:
        text = first_paragraph(doctree)
        if text:
            return shorten(text)
    return shorten(f"{app.config.project}: {pagename.split('/')[-1]}")


IMG = re.compile(r'<img\b[^>]*>')
SRC = re.compile(r'\bsrc="([^"]+)"')


def size_images(app, pagename, body: str) -> str:
    """Add ``width``/``height`` and lazy loading to the page's images."""
    by_name = {dest: src for src, dest in app.builder.images.items()}
    seen = 0

    def one(match):
        nonlocal seen
        tag = match.group(0)
        src = SRC.search(tag)
        if not src or src.group(1).startswith("data:"):
            return tag
        seen += 1
        name = src.group(1).rsplit("/", 1)[-1]
        extra = ""
        if " width=" not in tag and " height=" not in tag \
                and " style=" not in tag and name in by_name:
            from PIL import Image
            with Image.open(Path(app.srcdir) / by_name[name]) as image:
                width, height = image.size
            extra += f' width="{width}" height="{height}"'
        if seen > 1 and "loading=" not in tag:
            extra += ' loading="lazy"'
        return tag[:-1].rstrip("/").rstrip() + extra + \
            (" />" if tag.endswith("/>") else ">")

    return IMG.sub(one, body)


def page_context(app, pagename, templatename, context, doctree):
    if app.builder.format != "html":
        return
    if "body" in context:
        context["body"] = size_images(app, pagename,
                                      fix_body(context["body"]))
    description = html.escape(describe(app, pagename, doctree), quote=True)
    context["metatags"] = context.get("metatags", "") + \
        f'\n<meta name="description" content="{description}" />'


def add_templates(app, config):
    if TEMPLATES not in config.templates_path:
        config.templates_path.insert(0, TEMPLATES)
    if STATIC not in config.html_static_path:
        config.html_static_path.append(STATIC)


def setup(app):
    app.connect("config-inited", add_templates)
    app.add_css_file("accessibility.css")
    app.connect("html-page-context", page_context)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
