"""MyST to plain Jupyter Markdown: one case per role and directive kind,
each with its input and the exact output a reader should see."""

import pytest

from plain_markdown import LEFTOVERS, Refs, convert, leftovers

SITE = "https://owner.github.io/book/"


@pytest.fixture
def refs():
    return Refs(
        site=SITE,
        terms={"loss": "book/glossary.html#term-loss",
               "fisher information": "book/glossary.html#term-fisher"},
        citations={"cauchy1847": ("Cauchy", "1847", "book/bib.html#id2"),
                   "hastie2009": ("Hastie et al.", "2009",
                                  "book/bib.html#id3")},
        labels={"ch-x": ("Chapter X", "book/x.html#ch-x")},
        numbers={"eq-data": ("displaymath", "1.1",
                             "book/x.html#equation-eq-data"),
                 "fig-data": ("figure", "1.2", "book/x.html#fig-data"),
                 "ex-a": ("exercise", "1.3", "book/x.html#ex-a")},
        glue={"final_b": {"text/plain": "1.023456"},
              "name": {"text/plain": "'adam'"},
              "word": {"text/markdown": "**steeper**, see {term}`loss`"}})


def link(text, target):
    return f"[{text}]({SITE}{target})"


ROLE_CASES = [
    ("b = {glue:text}`final_b:.2f`.", "b = 1.02."),
    ("{glue:text}`name`", "adam"),
    ("{glue}`final_b`", "1.023456"),
    ("it is {glue:md}`word:myst`",
     f"it is **steeper**, see {link('loss', 'book/glossary.html#term-loss')}"),
    ("the {term}`loss`",
     f"the {link('loss', 'book/glossary.html#term-loss')}"),
    ("{term}`Fisher <Fisher information>`",
     link("Fisher", "book/glossary.html#term-fisher")),
    ("{term}`Fisher\ninformation`",
     link("Fisher information", "book/glossary.html#term-fisher")),
    ("{cite:p}`cauchy1847`",
     f"({link('Cauchy, 1847', 'book/bib.html#id2')})"),
    ("{cite:p}`cauchy1847,hastie2009`",
     f"({link('Cauchy, 1847', 'book/bib.html#id2')}; "
     f"{link('Hastie et al., 2009', 'book/bib.html#id3')})"),
    ("{cite}`hastie2009`",
     f"({link('Hastie et al., 2009', 'book/bib.html#id3')})"),
    ("{cite:t}`cauchy1847`", link("Cauchy (1847)", "book/bib.html#id2")),
    ("{eq}`eq-data`", link("(1.1)", "book/x.html#equation-eq-data")),
    ("{ref}`ch-x`", link("Chapter X", "book/x.html#ch-x")),
    ("{ref}`this chapter <ch-x>`", link("this chapter", "book/x.html#ch-x")),
    ("{numref}`fig-data`", link("Fig. 1.2", "book/x.html#fig-data")),
    ("{numref}`Figure %s <fig-data>`",
     link("Figure 1.2", "book/x.html#fig-data")),
]


@pytest.mark.parametrize("myst, plain", ROLE_CASES)
def test_roles(refs, myst, plain):
    assert convert(myst, refs) == plain


def test_exercise_becomes_a_numbered_heading(refs):
    myst = ("```{exercise} Find the {term}`loss`\n:label: ex-a\n\n"
            "Compute $L$.\n```")
    title = link("loss", "book/glossary.html#term-loss")
    assert convert(myst, refs) == (f"### Exercise 1.3 (Find the {title})"
                                   "\n\nCompute $L$.")


def test_solution_markers_become_a_heading(refs):
    convert("```{exercise} Title\n:label: ex-a\nText\n```", refs)
    start = "Before.\n\n```{solution-start} ex-a\n:class: dropdown\n```"
    assert convert(start, refs) == ("Before.\n\n"
                                    "#### Solution to Exercise 1.3 (Title)")
    assert convert("```{solution-end}\n```\n\nAfter.", refs) == "After."


def test_note_becomes_a_block_quote(refs):
    myst = "```{note}\nSkip this, or read {eq}`eq-data`.\n```"
    eq = link("(1.1)", "book/x.html#equation-eq-data")
    assert convert(myst, refs) == (f"> **Note**\n>\n"
                                   f"> Skip this, or read {eq}.")


def test_colon_fence_admonition_keeps_its_title(refs):
    myst = ":::{admonition} Timings\n:class: note\nThey vary.\n:::"
    assert convert(myst, refs) == "> **Timings**\n>\n> They vary."


def test_nested_directives(refs):
    myst = "````{exercise} T\n:label: ex-a\n```{note}\nHint.\n```\n````"
    assert convert(myst, refs) == ("### Exercise 1.3 (T)\n\n"
                                   "> **Note**\n>\n> Hint.")


def test_label_lines_go(refs):
    assert convert("(ch-x)=\n# Title\n\n(sec-y)=\n## Part", refs) == (
        "# Title\n\n## Part")


def test_labelled_equation_gets_its_number(refs):
    myst = "$$\ny = b + w x\n$$ (eq-data)\n\nand $$ z $$ (eq-data)"
    assert convert(myst, refs) == ("$$\ny = b + w x\n\\tag{1.1} $$\n\n"
                                   "and $$ z \\tag{1.1} $$")


def test_plain_markdown_is_unchanged(refs):
    text = ("# T\n\nSome `code`, a [link](x.html) and $a_{1}$.\n\n"
            "```python\nx = {1: 2}\n```")
    assert convert(text, refs) == text


@pytest.mark.parametrize("myst, message", [
    ("{foo}`bar`", "unsupported MyST role {foo}"),
    ("```{glossary}\nx\n```", "unsupported MyST directive {glossary}"),
    ("```{note}\nnever closed", "never closes"),
    ("{glue:text}`nope:.2f`", "no glued text/plain value named 'nope'"),
    ("{term}`gradient`", "'gradient' is not in the glossary"),
    ("{cite:p}`nobody2000`", "no bibliography entry 'nobody2000'"),
    ("{ref}`nowhere`", "no label 'nowhere'"),
    ("{eq}`eq-none`", "no numbered label 'eq-none'"),
])
def test_unknown_constructs_fail_loudly(refs, myst, message):
    with pytest.raises(ValueError, match=message.replace("{", r"\{")
                       .replace("}", r"\}")):
        convert(myst, refs)


def test_missing_labels_can_be_reported_instead(refs):
    reported = []
    refs.on_missing = reported.append
    assert convert("{ref}`nowhere` and {numref}`fig-none`", refs) == (
        "nowhere and fig-none")
    assert reported == ["{ref}: no label 'nowhere'",
                        "{numref}: no numbered label 'fig-none'"]


RAW = ("(ch-x)=\n# T\n\nThe {term}`loss`.\n\n```{exercise} E\n:label: ex-a\n"
       "Do it.\n```\n\n:::{note}\nN\n:::\n\n$$\nx\n$$ (eq-data)\n")


def test_leftovers_finds_every_kind():
    kinds = {item.split(" at ")[0] for item in leftovers(RAW)}
    assert kinds == {kind for kind, _ in LEFTOVERS}


def test_converted_text_has_no_leftovers(refs):
    assert leftovers(convert(RAW, refs)) == []
