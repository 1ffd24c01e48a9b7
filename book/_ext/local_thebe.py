"""Sphinx extension: the "Live code" button loads the site's own Thebe.

With ``launch_buttons: {thebe: true}`` every chapter gets a "Live code"
button (sphinx-book-theme) that turns its code cells into runnable cells
backed by a Binder kernel (sphinx-thebe). sphinx-thebe writes the address
of the Thebe bundle into every page as a CDN address on unpkg.com. This
extension points it at the copy that ``make`` installs from the npm
registry into ``book/_static/thebe`` (pinned in ``.ci/package.json``), so
the site serves its own JavaScript and fonts, and a page asks no
other host for anything until a reader chooses live code (then only the
Binder service and the kernel it starts). Without the copy the build stops
and says how to make it.

Thebe would also fetch MathJax 2 from a CDN to typeset LaTeX outputs of
live cells. The build typesets the pages' math (``offline_math.py``), so
pages carry no MathJax that Thebe could drive, and the page's Thebe
configuration turns Thebe's off (``mathjaxUrl: false``): such outputs
show as plain text, and live code needs no host but Binder.

Thebe 0.9 (the version on the npm registry) pairs the n-th code cell with
the n-th output on the page, while sphinx-thebe marks outputs only where a
cell has one: after the first cell without output, every result would
appear under another cell. ``OUTPUT_SLOTS`` gives each such cell an empty
output just before sphinx-thebe prepares the page for Thebe.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx.builders.html._assets import _JavaScript
from static_copy import require

SCRIPT = "thebe/index.js"
CDN_URL = re.compile(r'const THEBE_JS_URL = "https?://[^"]*"')
PAGE_CONFIG = '<script type="text/x-thebe-config">'
NO_MATHJAX = "mathjaxUrl: false,"


# Wraps sphinx-thebe's initThebe() (defined by an async script, hence
# after `load`) so that every code cell has an output for Thebe to fill.
OUTPUT_SLOTS = """window.addEventListener("load", () => {
  const initThebe = window.initThebe;
  if (typeof initThebe !== "function") return;
  window.initThebe = () => {
    document.querySelectorAll(thebe_selector).forEach(cell => {
      const input = cell.querySelector(thebe_selector_input);
      if (input && !cell.querySelector(thebe_selector_output)) {
        const slot = document.createElement("div");
        slot.className = "cell_output";
        input.insertAdjacentElement("afterend", slot);
      }
    });
    initThebe();
  };
});"""


def require_local_copy(app, config):
    require(app, config, SCRIPT, "Thebe from the npm registry at the "
            "version pinned in .ci/package.json")


def point_at(body: str, url: str) -> str:
    """Replace the Thebe address in sphinx-thebe's inline script."""
    return CDN_URL.sub(f'const THEBE_JS_URL = "{url}"', body)


def local_scripts(scripts: list, url: str) -> list:
    """The page's scripts, with Thebe's address replaced by ``url``."""
    result = []
    for script in scripts:
        body = getattr(script, "attributes", {}).get("body", "")
        if CDN_URL.search(body):
            attributes = {**script.attributes, "body": point_at(body, url)}
            script = _JavaScript(script.filename, priority=script.priority,
                                 **attributes)
        result.append(script)
    return result


def without_mathjax(config: str) -> str:
    """sphinx-thebe's page configuration, with Thebe's MathJax off."""
    if PAGE_CONFIG not in config or NO_MATHJAX in config:
        return config
    start = config.index("{", config.index(PAGE_CONFIG)) + 1
    return f"{config[:start]}\n        {NO_MATHJAX}{config[start:]}"


def no_thebe_mathjax(app, doctree, docname):
    for node in list(doctree.findall(nodes.raw)):
        text = node.astext()
        if PAGE_CONFIG in text:
            node.replace_self(nodes.raw(text=without_mathjax(text),
                                        format="html"))


def use_local_thebe(app, pagename, templatename, context, doctree):
    if "script_files" not in context or "pathto" not in context:
        return
    url = context["pathto"](f"_static/{SCRIPT}", 1)
    context["script_files"] = local_scripts(context["script_files"], url)


def setup(app):
    app.connect("config-inited", require_local_copy, priority=900)
    app.connect("html-page-context", use_local_thebe)
    app.add_js_file(None, body=OUTPUT_SLOTS)
    # after sphinx-thebe (priority 500) has added its page configuration
    app.connect("doctree-resolved", no_thebe_mathjax, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
