"""Sphinx extension: typeset math from a local MathJax when one is there.

``make`` installs MathJax 3 from the npm registry and copies the one
script and its fonts that the book uses into ``book/_static/mathjax``.
When that copy exists, pages load it instead of the CDN, so math renders
with the site read offline; without it (no npm), the CDN default stays.
"""

from __future__ import annotations

from pathlib import Path

STATIC = "book/_static"
SCRIPT = "mathjax/tex-mml-chtml.js"


def use_local_mathjax(app, config):
    if (Path(app.srcdir) / STATIC / SCRIPT).exists():
        config.html_static_path = [*config.html_static_path, STATIC]
        config.mathjax_path = SCRIPT


def setup(app):
    app.connect("config-inited", use_local_mathjax, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
