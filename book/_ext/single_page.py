"""Sphinx extension: the whole book on one page (``singlehtml`` builder).

``make pdf`` prints the book from a ``singlehtml`` build, which places
every chapter on one page with numbered cross-references turned into
links within it. Sphinx gives a builder the visitors that extensions
registered for its name and falls back to those for its format ("html")
only when no extension registered any for that name. sphinx-exercise
registers visitors for ``singlehtml``, so every node that other
extensions (myst-nb's hidden-input cells, among others) registered for
"html" alone would stop the build as an unknown node type. When the
builder is ``singlehtml`` this gives it each "html" visitor that it
lacks; other builders are left alone.
"""
from __future__ import annotations

SINGLE = "singlehtml"


def borrow_html_visitors(handlers: dict[str, dict]) -> list[str]:
    """Copy into ``handlers[SINGLE]`` each "html" visitor it lacks.

    ``handlers`` maps a builder name to ``{node name: (visit, depart)}``,
    as in Sphinx's registry. Returns the names of the nodes copied.
    """
    single = handlers.get(SINGLE)
    if single is None:               # Sphinx itself falls back to "html"
        return []
    added = sorted(set(handlers.get("html", {})) - set(single))
    for name in added:
        single[name] = handlers["html"][name]
    return added


def complete_single_page(app) -> None:
    if app.builder.name == SINGLE:
        borrow_html_visitors(app.registry.translation_handlers)


def setup(app):
    app.connect("builder-inited", complete_single_page)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
