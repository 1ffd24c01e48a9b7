"""A stored doctree holds its own page only (book/_ext/lean_doctrees.py)."""
import pickle

from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser
from docutils.utils import new_document

from lean_doctrees import adopt_nodes, foreign_documents


def page_with_nested_parse():
    """A page holding a paragraph whose inner node still points at another
    document, one that carries a large setting, as the nodes of MyST's
    nested parse of autodoc content do."""
    page = new_document("page.md", get_default_settings(Parser))
    page += nodes.paragraph(text="own text")
    nested_settings = get_default_settings(Parser)
    nested_settings.env = {"everything": "x" * 200_000}
    nested = new_document("page.md", nested_settings)
    emphasis = nodes.emphasis(text="elsewhere")
    emphasis.document = nested
    paragraph = nodes.paragraph("", "parsed ", emphasis)
    page += paragraph
    return page


def test_nodes_made_elsewhere_are_adopted_and_the_pickle_shrinks():
    page = page_with_nested_parse()
    assert foreign_documents(page) > 0
    before = len(pickle.dumps(page))
    adopt_nodes(None, page)
    assert foreign_documents(page) == 0
    after = len(pickle.dumps(page))
    assert before > 200_000 > 20 * after
    assert page.astext() == "own text\n\nparsed elsewhere"
    assert page.children[1].children[1].document is page
