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


def setup(app):
    app.connect("doctree-read", adopt_nodes, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
