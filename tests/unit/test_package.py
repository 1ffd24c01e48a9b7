"""The top-level package: lazy submodules and re-exported names."""

import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import gdlab

ROOT = Path(__file__).resolve().parents[2]


def test_submodules_list_every_module_of_the_package():
    found = {m.name for m in pkgutil.iter_modules(gdlab.__path__)}
    assert found == set(gdlab.SUBMODULES)


def test_every_export_comes_from_its_named_submodule():
    for name, module in gdlab.EXPORTS.items():
        obj = getattr(gdlab, name)
        assert obj is getattr(getattr(gdlab, module), name)


def test_import_is_lazy():
    code = ("import sys, gdlab; "
            "print(sorted(m for m in sys.modules if m.startswith('gdlab') "
            "or m in ('torch', 'matplotlib')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True,
                          text=True, check=True)
    assert done.stdout.strip() == "['gdlab']"


def test_unknown_name_gets_a_clear_error():
    with pytest.raises(AttributeError, match="gdlab.__all__"):
        gdlab.no_such_thing                                   # noqa: B018
    assert "closed_form" in dir(gdlab)


def test_every_submodule_has_its_api_page():
    """book/api/NAME.md documents gdlab.NAME, book/api.md links it and
    _toc.yml lists it under the API reference (tests/site checks the
    built pages)."""
    api = ROOT / "book" / "api"
    assert {p.stem for p in api.glob("*.md")} == set(gdlab.SUBMODULES)
    landing = (ROOT / "book" / "api.md").read_text()
    assert "automodule" not in landing
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    entry = next(chapter for part in toc["parts"]
                 for chapter in part["chapters"]
                 if chapter["file"] == "book/api")
    listed = [section["file"] for section in entry.get("sections", [])]
    assert sorted(listed) == sorted(f"book/api/{name}"
                                    for name in gdlab.SUBMODULES)
    for name in gdlab.SUBMODULES:
        text = (api / f"{name}.md").read_text()
        assert text.startswith(f"(api-{name})=\n# gdlab.{name}\n"), name
        assert f".. automodule:: gdlab.{name}\n" in text, name
        assert f"](api/{name}.md)" in landing, \
            f"book/api.md does not link book/api/{name}.md"
