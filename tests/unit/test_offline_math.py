"""Math is typeset when the book is built (book/_ext/offline_math.py)."""
import shutil
from types import SimpleNamespace

import pytest
from offline_math import (MATHJAX, STYLESHEET, formulas, link_stylesheet,
                          replace, typeset, typeset_pages)
from sphinx.errors import ExtensionError

# What Sphinx writes for inline math, a numbered equation and a display.
PAGE = """<html><head></head><body>
<p>Let <span class="math notranslate nohighlight">\\(a &lt; b\\)</span>.</p>
<div class="math notranslate nohighlight" id="equation-eq-x">
<span class="eqno">(1.1)<a class="headerlink" href="#equation-eq-x" \
title="Link to this equation">#</a></span>\\[
x_{t+1} = x_t - \\eta \\nabla f(x_t)
\\]</div>
<div class="output text_latex math notranslate nohighlight">
\\begin{align*}a &amp;= \\mathbf{b}\\end{align*}</div>
<pre>\\(not math\\)</pre>
</body></html>"""

node = pytest.mark.skipif(
    shutil.which("node") is None or not (MATHJAX / "es5").is_dir(),
    reason="needs Node.js and MathJax in .ci/node_modules (`make`)")


def test_formulas_are_found_with_their_tex_and_numbers():
    found = formulas(PAGE)
    assert [f["tex"].strip() for f in found] == [
        "a < b", r"x_{t+1} = x_t - \eta \nabla f(x_t)",
        r"\begin{align*}a &= \mathbf{b}\end{align*}"]
    assert [f["display"] for f in found] == [False, True, True]
    assert found[1]["keep"].strip().startswith('<span class="eqno">(1.1)')
    assert found[0]["keep"] == found[2]["keep"] == ""


def test_replacing_keeps_numbers_and_everything_else():
    found = formulas(PAGE)
    page = replace(PAGE, found, ["<mjx-container>A</mjx-container>",
                                 "<mjx-container>B</mjx-container>",
                                 "<mjx-container>C</mjx-container>"])
    assert "\\(a" not in page and "\\[" not in page
    assert ('title="Link to this equation">#</a></span>'
            '<mjx-container>B</mjx-container></div>') in page
    assert "<pre>\\(not math\\)</pre>" in page
    assert formulas(page) == []          # typeset math is left alone


@node
def test_node_typesets_tex_with_mathml_for_screen_readers():
    html, failures, css = typeset([(r"\frac{a}{b}", False),
                                   (r"x \tag{3}", True)])
    assert failures == []
    assert all(h.startswith('<mjx-container ') and 'jax="CHTML"' in h
               for h in html)
    assert '<mjx-assistive-mml' in html[0] and "<mfrac>" in html[0]
    assert 'display="true"' in html[1] and "mjx-mtd" in html[1]
    assert 'tabindex="0"' in html[1] and "tabindex" not in html[0]
    assert "MathJax_Main-Regular.woff" in css and "font-size:calc(1ex" in css


@node
def test_bad_tex_fails_and_says_which():
    html, failures, _ = typeset([("x", False), (r"\frac{1}{", False),
                                 (r"\notamacro", False)])
    assert html[0] and html[1] is None and html[2] is None
    assert [i for i, _ in failures] == [1, 2]
    assert "notamacro" in failures[1][1]


@node
def test_a_site_is_typeset_once_and_a_failure_stops_the_build(tmp_path):
    page = tmp_path / "book" / "page.html"
    page.parent.mkdir()
    page.write_text(PAGE)
    assert typeset_pages(tmp_path, (r"\(", r"\)"), (r"\[", r"\]")) == 3
    once = page.read_text()
    assert once.count("<mjx-container") == 3 and "\\(a" not in once
    assert (tmp_path / "_static" / STYLESHEET).exists()
    assert typeset_pages(tmp_path, (r"\(", r"\)"), (r"\[", r"\]")) == 0
    assert page.read_text() == once

    bad = tmp_path / "bad.html"
    bad.write_text('<span class="math notranslate nohighlight">'
                   '\\(\\frac{1}{\\)</span>')
    with pytest.raises(ExtensionError, match=r"bad.html.*\\\\frac\{1\}\{"):
        typeset_pages(tmp_path, (r"\(", r"\)"), (r"\[", r"\]"))
    assert "\\frac" in bad.read_text()


def test_pages_with_math_link_the_stylesheet_instead_of_mathjax():
    added = []
    app = SimpleNamespace(
        config=SimpleNamespace(mathjax_path="mathjax/tex-mml-chtml.js"),
        builder=SimpleNamespace(name="html",
                                add_css_file=lambda f, **k: added.append(f)))
    script = SimpleNamespace(filename="_static/other.js", attributes={})
    mathjax = [SimpleNamespace(filename="", attributes={
                   "body": 'window.MathJax = {"options": {}}'}),
               SimpleNamespace(filename="_static/mathjax/tex-mml-chtml.js",
                               attributes={"defer": "defer"})]
    context = {"script_files": [script, *mathjax]}
    link_stylesheet(app, "page", "page.html", context, None)
    assert context["script_files"] == [script] and added == [STYLESHEET]
    link_stylesheet(app, "other", "page.html", {"script_files": [script]},
                    None)
    assert added == [STYLESHEET]         # no math, no stylesheet
