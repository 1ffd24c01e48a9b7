"""gdlab.environment.commit: the commit of a checkout and of an install.

An installed gdlab (from a wheel or from ``git+URL@COMMIT``) is checked
end to end by tests/notebooks; here each source of the commit is tested
on its own, offline.
"""

import json
import shutil
import subprocess
import sys
import types

import pytest

from gdlab import environment

SHA = "0123456789abcdef0123456789abcdef01234567"
needs_git = pytest.mark.skipif(shutil.which("git") is None,
                               reason="git is not installed")


def _git(*args, cwd):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t",
                    *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path):
    """A git repository with one commit and a ``src/gdlab`` folder."""
    (tmp_path / "src" / "gdlab").mkdir(parents=True)
    (tmp_path / "src" / "gdlab" / "x.py").write_text("")
    _git("init", "-q", cwd=tmp_path)
    _git("add", ".", cwd=tmp_path)
    _git("commit", "-q", "-m", "one", cwd=tmp_path)
    return tmp_path


def _head(path):
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=path, text=True,
                          capture_output=True, check=True).stdout.strip()


@needs_git
def test_checkout_gives_its_head(repo):
    package = (repo / "src" / "gdlab").resolve()
    assert environment._from_checkout(package) == _head(repo)


@needs_git
def test_package_inside_another_repository_is_not_a_checkout(repo):
    elsewhere = repo / "venv" / "site-packages" / "gdlab"
    elsewhere.mkdir(parents=True)
    assert environment._from_checkout(elsewhere.resolve()) is None


def test_no_git_is_not_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))          # no git on PATH
    assert environment._from_checkout(tmp_path) is None


@pytest.mark.parametrize("text, expected", [
    (json.dumps({"url": "https://github.com/o/gdlab",
                 "vcs_info": {"vcs": "git", "commit_id": SHA}}), SHA),
    (json.dumps({"url": "file:///w/gdlab.whl", "archive_info": {}}), None),
    (json.dumps({"url": "file:///w", "dir_info": {"editable": True}}),
     None),
    (json.dumps({"vcs_info": "git"}), None),
    (json.dumps(["not", "a", "dict"]), None),
    ("{broken", None),
    (None, None),
])
def test_vcs_commit_of_direct_url(text, expected):
    assert environment.vcs_commit(text) == expected


def test_commit_order(monkeypatch):
    """$GDLAB_COMMIT, checkout, build, direct_url: the first answer wins
    and is cut to 12 digits."""
    answers = {"_from_checkout": None, "_from_build": None,
               "_from_direct_url": SHA}
    for name, value in answers.items():
        monkeypatch.setattr(environment, name, lambda v=value: v)
    monkeypatch.delenv("GDLAB_COMMIT", raising=False)
    assert environment.commit() == SHA[:12]
    monkeypatch.setattr(environment, "_from_build", lambda: "f" * 40)
    assert environment.commit() == "f" * 12
    monkeypatch.setattr(environment, "_from_direct_url", lambda: None)
    monkeypatch.setattr(environment, "_from_build", lambda: None)
    assert environment.commit() == "unknown"
    monkeypatch.setenv("GDLAB_COMMIT", "abc")
    assert environment.commit() == "abc"


def test_commit_written_by_a_build(monkeypatch):
    module = types.ModuleType("gdlab._commit")
    module.COMMIT = SHA
    monkeypatch.setitem(sys.modules, "gdlab._commit", module)
    assert environment._from_build() == SHA
    module.COMMIT = ""
    assert environment._from_build() is None


def test_no_commit_written_by_a_build():
    assert environment._from_build() is None     # src/ has no _commit.py


def test_direct_url_of_the_running_gdlab_only(monkeypatch, tmp_path):
    """A gdlab distribution found by importlib.metadata whose files are
    not the running module's is not asked."""
    class Dist:
        def __init__(self, root):
            self.root = root

        def locate_file(self, name):
            return self.root / name

        def read_text(self, name):
            return json.dumps({"vcs_info": {"commit_id": SHA}})

    monkeypatch.setattr(environment.metadata, "distribution",
                        lambda name: Dist(tmp_path))
    assert environment._from_direct_url() is None
    monkeypatch.setattr(environment.metadata, "distribution",
                        lambda name: Dist(environment.PACKAGE_DIR.parent))
    assert environment._from_direct_url() == SHA


def test_no_distribution(monkeypatch):
    def missing(name):
        raise environment.metadata.PackageNotFoundError(name)
    monkeypatch.setattr(environment.metadata, "distribution", missing)
    assert environment._from_direct_url() is None


@needs_git
def test_this_checkout(monkeypatch):
    monkeypatch.delenv("GDLAB_COMMIT", raising=False)
    found = environment._from_checkout()
    if found is None:                  # tests run on an installed gdlab
        pytest.skip("gdlab is not running from a git checkout")
    assert environment.commit() == found[:12]
