"""book/_ext/local_thebe.py: what it changes in a page, without a build."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from docutils import nodes
from docutils.utils import new_document
from local_thebe import (NO_MATHJAX, local_scripts, no_thebe_mathjax,
                         point_at, require_local_copy, without_mathjax)
from sphinx.builders.html._assets import _JavaScript
from sphinx.errors import ExtensionError

INLINE = ('const THEBE_JS_URL = "https://unpkg.com/thebe@0.8.2/lib/index.js"'
          '; const thebe_selector = ".thebe,.cell"')
PAGE_CONFIG = """
    <script type="text/x-thebe-config">
    {
        requestKernel: true,
        binderOptions: {repo: "gdlab-book/gdlab"},
    }
    </script>
"""


def test_point_at_replaces_only_the_address():
    body = point_at(INLINE, "../_static/thebe/index.js")
    assert body == ('const THEBE_JS_URL = "../_static/thebe/index.js"'
                    '; const thebe_selector = ".thebe,.cell"')


def test_local_scripts_rewrites_the_thebe_script_and_keeps_the_rest():
    scripts = [_JavaScript("a.js"), _JavaScript(None, body=INLINE),
               _JavaScript(None, priority=300, body="let x = 1")]
    result = local_scripts(scripts, "_static/thebe/index.js")
    assert result[0] is scripts[0] and result[2] is scripts[2]
    assert "unpkg.com" not in result[1].attributes["body"]
    assert '"_static/thebe/index.js"' in result[1].attributes["body"]
    assert result[1].priority == scripts[1].priority


def test_without_mathjax_turns_off_thebes_mathjax_once():
    once = without_mathjax(PAGE_CONFIG)
    assert once.count(NO_MATHJAX) == 1
    assert once.index(NO_MATHJAX) < once.index("requestKernel")
    assert without_mathjax(once) == once
    assert without_mathjax("<p>no config</p>") == "<p>no config</p>"


def test_the_page_configuration_in_a_doctree_loses_mathjax():
    doctree = new_document("page")
    doctree += nodes.raw(text="<p>other</p>", format="html")
    doctree += nodes.raw(text=PAGE_CONFIG, format="html")
    no_thebe_mathjax(None, doctree, "page")
    texts = [node.astext() for node in doctree.findall(nodes.raw)]
    assert texts == ["<p>other</p>", without_mathjax(PAGE_CONFIG)]


def test_a_missing_copy_stops_the_build_with_the_remedy(tmp_path):
    app = SimpleNamespace(srcdir=str(tmp_path))
    config = SimpleNamespace(html_static_path=[])
    with pytest.raises(ExtensionError, match="make book"):
        require_local_copy(app, config)
    script = tmp_path / "book" / "_static" / "thebe" / "index.js"
    script.parent.mkdir(parents=True)
    script.write_text("// thebe")
    require_local_copy(app, config)
    assert config.html_static_path == ["book/_static"]
