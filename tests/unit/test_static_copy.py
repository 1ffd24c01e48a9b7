"""The build requires the site's own copies of MathJax and Thebe."""
from types import SimpleNamespace

import pytest
from offline_math import use_local_mathjax
from sphinx.errors import ExtensionError
from static_copy import STATIC, require


def test_a_missing_copy_stops_the_build_and_says_how(tmp_path):
    app = SimpleNamespace(srcdir=str(tmp_path))
    config = SimpleNamespace(html_static_path=[])
    with pytest.raises(ExtensionError, match="make book.*npm"):
        require(app, config, "x/y.js", "X with npm")
    with pytest.raises(ExtensionError, match="mathjax/tex-mml-chtml.js"):
        use_local_mathjax(app, SimpleNamespace(html_static_path=[]))


def test_a_present_copy_is_served_once(tmp_path):
    script = tmp_path / STATIC / "mathjax" / "tex-mml-chtml.js"
    script.parent.mkdir(parents=True)
    script.write_text("")
    app = SimpleNamespace(srcdir=str(tmp_path))
    config = SimpleNamespace(html_static_path=["other"], mathjax_path="cdn")
    use_local_mathjax(app, config)
    require(app, config, "mathjax/tex-mml-chtml.js", "again")
    assert config.html_static_path == ["other", STATIC]
    assert config.mathjax_path == "mathjax/tex-mml-chtml.js"
