"""Sphinx extension: typeset math with the site's own copy of MathJax.

``make`` installs MathJax 3 from the npm registry (pinned in
``.ci/package.json``) and copies the one script and the fonts that the
book uses into ``book/_static/mathjax``. Pages load that copy instead of
a CDN, so math renders with the site read offline and the strict build
needs no network. Without the copy the build stops and says how to make
it, rather than quietly producing pages that load MathJax from a CDN.
"""

from __future__ import annotations

from static_copy import require

SCRIPT = "mathjax/tex-mml-chtml.js"


def use_local_mathjax(app, config):
    require(app, config, SCRIPT, "MathJax with npm from .ci/package.json")
    config.mathjax_path = SCRIPT


def setup(app):
    app.connect("config-inited", use_local_mathjax, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
