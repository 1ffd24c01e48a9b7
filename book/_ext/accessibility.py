"""Sphinx extension: pages that every reader can use.

Fixes, in the project's own code, what the theme and the HTML writer do
that accessibility checkers (axe-core, tests/browser) and page-speed
audits flag, without turning any rule off:

* the theme's search and colour-mode buttons are named by what they show
  (templates in ``templates/`` override the two theme components);
* a hidden cell's toggle (``<summary>``) is named by its visible text
  ("Show code cell source") instead of a different ``aria-label``;
* the sidebar's buttons that open a part of the table of contents (an
  icon only) are named after the entry they open;
* the bibliography is a list of list items: docutils marks entries with
  the deprecated ``doc-biblioentry`` role inside a ``role="list"``;
* every page gets a ``<meta name="description">``: the page's
  ``description`` front matter, or else its first paragraph, shortened;
* every figure image gets its pixel ``width`` and ``height`` (the browser
  reserves its space, so the page does not jump while loading) and all but
  a page's first image load lazily (``loading="lazy"``);
* links in exercise boxes get a darker blue in light mode, for contrast
  (``static/accessibility.css``);
* the colour theme is settled before the first paint (``THEME_NOW``): the
  theme writes ``data-theme="auto"`` at once but turns it into "light" or
  "dark" only from its deferred scripts, so a first visit painted without
  the theme's colours and borders, and text moved when they arrived (a
  layout shift of 0.2 on the API page with an empty cache).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from docutils import nodes

TEMPLATES = str(Path(__file__).with_name("templates"))
STATIC = str(Path(__file__).with_name("static"))
DESCRIPTION_CHARS = 160
THEME_NOW = ('if (document.documentElement.dataset.theme === "auto") '
             'document.documentElement.dataset.theme = matchMedia('
             '"(prefers-color-scheme: dark)").matches ? "dark" : "light";')


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


def first_paragraphs(doctree, enough: int = DESCRIPTION_CHARS) -> str:
    """The first paragraphs of prose in ``doctree``, joined, until they
    reach ``enough`` characters.

    Skips paragraphs inside admonitions, figures, cells and the like, and
    the line of notebook links that some pages start with.
    """
    found = []
    for para in doctree.findall(nodes.paragraph):
        if not isinstance(para.parent, (nodes.section, nodes.document)):
            continue
        text = " ".join(para.astext().split())
        if text and not text.startswith("Run this chapter yourself"):
            found.append(text)
            if len(" ".join(found)) >= enough:
                break
    return " ".join(found)


def describe(app, pagename, doctree, title: str = "") -> str:
    """The page's meta description: its ``description`` front matter, or
    its title and opening prose, at most ``DESCRIPTION_CHARS`` long."""
    meta = app.env.metadata.get(pagename, {})
    if meta.get("description"):
        return shorten(str(meta["description"]))
    text = first_paragraphs(doctree) if doctree is not None else ""
    title = re.sub(r"<[^>]+>", "", html.unescape(title or "")).strip()
    return shorten(f"{title}: {text}" if title and text else
                   text or title or app.config.project)


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


def name_toggles(tree) -> None:
    """Name the icon-only ``<summary>`` toggles of a navigation tree."""
    for summary in tree.select("summary"):
        if summary.get_text(strip=True) or summary.get("aria-label"):
            continue
        item = summary.find_parent("li")
        link = item.find("a", recursive=False) if item else None
        entry = link.get_text(" ", strip=True) if link else "this entry"
        summary["aria-label"] = f"Pages under {entry}"


def with_named_toggles(generate):
    """Wrap the theme's ``generate_toctree_html`` to name its toggles."""
    def generate_named(*args, **kwargs):
        tree = generate(*args, **kwargs)
        if hasattr(tree, "select"):
            name_toggles(tree)
        return tree
    return generate_named


def page_context(app, pagename, templatename, context, doctree):
    if app.builder.format != "html":
        return
    if "generate_toctree_html" in context:
        context["generate_toctree_html"] = with_named_toggles(
            context["generate_toctree_html"])
    if "body" in context:
        context["body"] = size_images(app, pagename,
                                      fix_body(context["body"]))
    description = html.escape(
        describe(app, pagename, doctree, context.get("title", "")),
        quote=True)
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
    app.add_js_file(None, body=THEME_NOW)        # in <head>, before paint
    # after the theme (priority 500), which puts its functions in context
    app.connect("html-page-context", page_context, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
