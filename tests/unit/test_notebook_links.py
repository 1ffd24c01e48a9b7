"""The set-up cell of a downloaded notebook and Binder's requirements."""

import importlib.metadata
import json
import os
import subprocess
from types import SimpleNamespace

import pytest

from notebook_links import SETUP_CODE, SETUP_TAG, _requirements, \
    _setup_cells, site

URL, COMMIT = "https://github.com/o/gdlab", "a" * 40


class Dist:
    """An installed gdlab, from git at ``commit`` or not from git."""

    def __init__(self, commit):
        self.commit = commit

    def read_text(self, name):
        assert name == "direct_url.json"
        if self.commit is None:
            return json.dumps({"url": "file:///src", "dir_info": {}})
        return json.dumps({"url": URL, "vcs_info": {"vcs": "git",
                                                    "commit_id": self.commit}})


def run_setup(monkeypatch, installed, after=None):
    """Run the set-up cell; return the pip commands it ran."""
    state = {"dist": installed}
    calls = []

    def distribution(name):
        assert name == "gdlab"
        if state["dist"] is None:
            raise importlib.metadata.PackageNotFoundError(name)
        return state["dist"]

    def check_call(command):
        calls.append(command)
        state["dist"] = after

    monkeypatch.setattr(importlib.metadata, "distribution", distribution)
    monkeypatch.setattr(subprocess, "check_call", check_call)
    exec(SETUP_CODE.format(url=URL, commit=COMMIT), {})
    return calls


def test_missing_gdlab_is_installed_at_the_commit(monkeypatch, capsys):
    calls = run_setup(monkeypatch, None, after=Dist(COMMIT))
    assert calls[0][-1] == f"gdlab[notebook] @ git+{URL}@{COMMIT}"
    assert "--force-reinstall" not in calls[0]
    assert capsys.readouterr().out == ""       # recognised as the commit
    assert "GDLAB_COMMIT" not in os.environ


def test_gdlab_from_another_commit_is_replaced(monkeypatch, capsys):
    calls = run_setup(monkeypatch, Dist("b" * 40), after=Dist(COMMIT))
    assert "--force-reinstall" in calls[0] and calls[0][-1].endswith(COMMIT)
    assert capsys.readouterr().out == ""       # recognised as the commit
    assert "GDLAB_COMMIT" not in os.environ


def test_gdlab_at_the_commit_is_kept(monkeypatch, capsys):
    assert run_setup(monkeypatch, Dist(COMMIT)) == []
    assert capsys.readouterr().out == ""       # recognised as the commit
    assert "GDLAB_COMMIT" not in os.environ


def test_gdlab_not_from_git_is_used_and_said(monkeypatch, capsys):
    assert run_setup(monkeypatch, Dist(None)) == []
    assert "not from git" in capsys.readouterr().out
    assert "GDLAB_COMMIT" not in os.environ


def test_setup_cells_carry_a_tag_and_short_lines():
    note, cell = _setup_cells(URL, COMMIT)
    assert note.metadata["tags"] == cell.metadata["tags"] == [SETUP_TAG]
    assert COMMIT[:12] in note.source
    assert max(map(len, cell.source.splitlines())) <= 79


@pytest.mark.parametrize("pins, line", [(True, "-c constraints.txt"),
                                        (False, None)])
def test_requirements_pin_to_the_constraints(tmp_path, pins, line):
    if pins:
        (tmp_path / ".ci").mkdir()
        (tmp_path / ".ci" / "constraints.txt").write_text("torch==2.13.0\n")
    text = _requirements(URL, COMMIT, str(tmp_path))
    assert text.splitlines()[-1] == f"gdlab[notebook] @ git+{URL}@{COMMIT}"
    assert (line in text.splitlines()) if line else "-c" not in text


def fake_app(site_url):
    config = SimpleNamespace(gdlab_site_url=site_url, html_theme_options={
        "repository_url": "https://github.com/Gdlab-Book/gdlab"})
    return SimpleNamespace(config=config)


@pytest.mark.parametrize("configured, expected", [
    ("", "https://gdlab-book.github.io/gdlab/"),
    ("https://example.org/book", "https://example.org/book/")])
def test_links_point_at_the_published_site(monkeypatch, configured,
                                           expected):
    monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
    assert site(fake_app(configured)) == expected
