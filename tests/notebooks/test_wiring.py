"""Which notebooks run where: make test the quick ones, CI all of them."""

import re

import pytest
import yaml

import reader_env

NAMES = ["a", "b", "batch-sizes", "gpu", "tensors-autograd"]


def test_selection():
    assert reader_env.selected("all", NAMES) == NAMES
    assert reader_env.selected("", NAMES) == NAMES
    assert reader_env.selected("quick", NAMES) == list(reader_env.QUICK)
    assert reader_env.selected("b, a.ipynb", NAMES) == ["b", "a"]
    with pytest.raises(ValueError, match=r"no built notebook named \['c'\]"):
        reader_env.selected("a,c", NAMES)


def test_make_test_runs_the_quick_notebooks_after_the_build():
    makefile = (reader_env.REPO / "Makefile").read_text()
    rule = re.search(r"^lane-notebooks: (.*)\n\t(.*)$", makefile,
                     re.MULTILINE)
    assert rule[1].split() == ["lane-build"]
    assert rule[2] == ("$(call LANE,notebook-check GDLAB_NOTEBOOKS=quick,"
                       "notebooks)")
    build = re.search(r"^lane-build:\n\t(.*)$", makefile, re.MULTILINE)[1]
    assert build == "$(call LANE,strict-book,build)"
    recipe = re.search(r"^test:.*\n((\t.*\n)+)", makefile, re.MULTILINE)
    assert "lane-notebooks" in recipe[1].split()
    assert re.search(r"^GDLAB_NOTEBOOKS \?= all$", makefile, re.MULTILINE)


def test_ci_runs_all_notebooks_on_the_site_of_the_test_job():
    flow = yaml.safe_load((reader_env.REPO / ".github" / "workflows"
                           / "ci.yml").read_text())
    job = flow["jobs"]["notebooks"]
    assert job["needs"] == "test"
    runs = [step.get("run", "") for step in job["steps"]]
    assert "make notebook-check GDLAB_NOTEBOOKS=all" in runs
    site = [step for step in job["steps"]
            if "download-artifact" in step.get("uses", "")]
    assert site and site[0]["with"] == {"name": "site",
                                        "path": "_build/html"}
