"""The top-level package: lazy submodules and re-exported names."""

import pkgutil
import subprocess
import sys

import pytest

import gdlab


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
