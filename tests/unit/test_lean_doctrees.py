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


def test_exercise_registry_keeps_a_detached_title_and_attributes():
    from types import SimpleNamespace

    from lean_doctrees import lean_exercise_registry

    page = page_with_nested_parse()
    section = nodes.section()
    page += section
    solution = nodes.container(label="sol-a", target_label="ex-a")
    solution += nodes.title(text="Solution to")
    solution += nodes.paragraph(text="x" * 100_000)
    section += solution
    other = nodes.container(label="ex-b")
    env = SimpleNamespace(docname="page", sphinx_exercise_registry={
        "sol-a": {"docname": "page", "node": solution},
        "ex-b": {"docname": "elsewhere", "node": other}})
    lean_exercise_registry(SimpleNamespace(env=env), page)
    kept = env.sphinx_exercise_registry["sol-a"]["node"]
    assert type(kept) is nodes.container and kept is not solution
    assert kept["label"] == "sol-a" and kept["target_label"] == "ex-a"
    assert kept.astext() == "Solution to" and kept.parent is None
    assert all(node.document is None for node in kept.findall())
    assert len(pickle.dumps(kept)) < 2_000
    assert env.sphinx_exercise_registry["ex-b"]["node"] is other
    assert solution.parent is section            # the page is untouched
