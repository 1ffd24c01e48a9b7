"""The one-page build (make pdf) gets the "html" visitors it lacks."""
from types import SimpleNamespace

from single_page import borrow_html_visitors, complete_single_page


def visit(self, node):
    pass


def depart(self, node):
    pass


def handlers():
    return {"html": {"HideCodeCellNode": (visit, depart),
                     "exercise_node": (visit, None)},
            "singlehtml": {"exercise_node": (depart, depart)}}


def test_missing_html_visitors_are_copied_and_own_ones_kept():
    table = handlers()
    assert borrow_html_visitors(table) == ["HideCodeCellNode"]
    assert table["singlehtml"]["HideCodeCellNode"] == (visit, depart)
    assert table["singlehtml"]["exercise_node"] == (depart, depart)
    assert borrow_html_visitors(table) == []          # nothing left to copy


def test_nothing_to_do_when_no_extension_registered_singlehtml():
    table = {"html": {"HideCodeCellNode": (visit, depart)}}
    assert borrow_html_visitors(table) == []
    assert "singlehtml" not in table


def test_only_the_singlehtml_builder_is_changed():
    for name, copied in (("html", False), ("latex", False),
                         ("singlehtml", True)):
        table = handlers()
        app = SimpleNamespace(builder=SimpleNamespace(name=name),
                              registry=SimpleNamespace(
                                  translation_handlers=table))
        complete_single_page(app)
        assert ("HideCodeCellNode" in table["singlehtml"]) == copied, name
