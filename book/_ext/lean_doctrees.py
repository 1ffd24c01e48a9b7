"""Sphinx extension: a page's stored doctree holds that page and no more.

Sphinx pickles each page's doctree after reading it and unpickles it
again for every later step that needs it (figure numbering walks every
page, writing loads each one). Before pickling, Sphinx detaches the build
environment from the page's document. But the API pages' autodoc content
is parsed by MyST into a second, nested ``document`` whose settings still
point at the environment, and the nodes it made keep a reference to it.
Each API doctree therefore carried a copy of the whole environment (every
chapter's source and glued outputs): about 5 MB per page, 160 MB for the
API reference, which figure numbering then read back page by page.

On ``doctree-read`` (after every transform, before the pickle) this
extension points every such node back at the page's own document, so
nothing reaches the nested one. Nodes ask their document only for
``settings``, ``reporter`` and ids, which the page's document provides.

The environment is pickled too, once per page when pages are read in
parallel (``parallel_read``): each worker sends the whole of it back.
sphinx-exercise keeps every exercise and solution node in it
(``env.sphinx_exercise_registry``), and a node leads, through its parent
and its document, to the whole page: 4 of the environment's 5.7 MB. What
sphinx-exercise reads from those nodes later is their class, attributes
and title, so :func:`lean_exercise_registry` keeps a detached copy of
just that.
"""

from __future__ import annotations

from docutils import nodes


def foreign_documents(doctree: nodes.document) -> int:
    """How many nodes hold a reference to a document other than the page's."""
    return sum(1 for node in doctree.findall()
               if getattr(node, "_document", None) not in (None, doctree))


def adopt_nodes(app, doctree: nodes.document) -> None:
    for node in doctree.findall():
        if getattr(node, "_document", None) not in (None, doctree):
            node.document = doctree


def summary(node: nodes.Element) -> nodes.Element:
    """A copy of ``node`` with its attributes and first child (its title)
    only, tied to no parent and no document."""
    copy = node.copy()
    if node.children:
        copy += node.children[0].deepcopy()
    for each in copy.findall():
        each.document = None
    return copy


def lean_exercise_registry(app, doctree: nodes.document) -> None:
    """Replace this page's nodes in sphinx-exercise's registry by their
    :func:`summary`."""
    registry = getattr(app.env, "sphinx_exercise_registry", None) or {}
    for entry in registry.values():
        node = entry.get("node")
        if entry.get("docname") == app.env.docname and isinstance(
                node, nodes.Element):
            entry["node"] = summary(node)


def setup(app):
    app.connect("doctree-read", adopt_nodes, priority=900)
    app.connect("doctree-read", lean_exercise_registry, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
