"""Sphinx extension: include each script only once per page.

Some extensions loaded by Jupyter Book (sphinx-thebe, sphinx-togglebutton)
can register the same script twice in one build, and declaring the same
``const`` twice is a JavaScript error in the reader's console. After the
build this drops exact repeats of a ``<script>`` line from each page's
``<head>``.
"""

from __future__ import annotations

from pathlib import Path


def drop_repeated_scripts(html: str) -> str:
    head, sep, rest = html.partition("</head>")
    seen, kept = set(), []
    for line in head.splitlines(keepends=True):
        tag = line.strip()
        if tag.startswith("<script") and tag.endswith("</script>"):
            if tag in seen:
                continue
            seen.add(tag)
        kept.append(line)
    return "".join(kept) + sep + rest


def clean_pages(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    for page in Path(app.outdir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        cleaned = drop_repeated_scripts(text)
        if cleaned != text:
            page.write_text(cleaned, encoding="utf-8")


def setup(app):
    app.connect("build-finished", clean_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
