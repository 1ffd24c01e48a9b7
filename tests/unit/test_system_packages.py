"""The system-package step (.ci/system_packages.py, run first by make).

Each test runs the step in a scratch folder whose PATH holds only what the
test puts there, so the packages are absent even on a machine that has
them. `apt-get` is a stand-in that records its arguments and "installs" a
package by creating an executable of its name. The path without root runs
as the user `nobody` when the tests run as root.
"""
from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOBODY = 65534
AS_ROOT = os.geteuid() == 0
SYSTEM_PYTHON = Path("/usr/bin/python3")
FAKE_APT_GET = """#!{python}
import os, sys
from pathlib import Path
here = Path(sys.argv[0]).parent
with open(here.parent / "apt.log", "a") as log:
    log.write(os.environ.get("DEBIAN_FRONTEND", "-") + " "
              + " ".join(sys.argv[1:]) + "\\n")
if sys.argv[1] == "install":
    if {fail}:
        sys.exit("E: Unable to locate package chromium")
    for name in sys.argv[2:]:
        if not name.startswith("-"):
            (here / name).write_text("#!/bin/sh\\n")
            (here / name).chmod(0o755)
"""


@pytest.fixture
def scratch():
    """A folder anyone may use (the non-root path runs as nobody), with
    the step, its manifest and an empty bin/ for PATH."""
    base = Path(tempfile.mkdtemp(prefix="gdlab-system-"))
    base.chmod(0o777)
    for name in ("system_packages.py", "system-packages.txt"):
        shutil.copy(ROOT / ".ci" / name, base / name)
    (base / "bin").mkdir(mode=0o777)
    (base / "bin").chmod(0o777)
    yield base
    shutil.rmtree(base)


def put(base: Path, name: str, text: str = "#!/bin/sh\n") -> Path:
    path = base / "bin" / name
    path.write_text(text)
    path.chmod(0o755)
    return path


def fake_apt_get(base: Path, fail: bool = False) -> None:
    put(base, "apt-get", FAKE_APT_GET.format(python=sys.executable,
                                             fail=fail))


def apt_calls(base: Path) -> list[str]:
    log = base / "apt.log"
    return log.read_text().splitlines() if log.exists() else []


def run_step(base: Path, target: str, as_root: bool = True, **env):
    """Run the step with PATH = base/bin only, as root or as a user."""
    python = sys.executable
    user = None
    if AS_ROOT and not as_root:
        if not os.access(SYSTEM_PYTHON, os.X_OK):
            pytest.skip("no /usr/bin/python3 to run as nobody")
        python, user = str(SYSTEM_PYTHON), NOBODY
    elif as_root and not AS_ROOT:
        pytest.skip("the install path needs the tests to run as root")
    return subprocess.run(
        [python, str(base / "system_packages.py"), target],
        capture_output=True, text=True, timeout=60, user=user, cwd=base,
        env={"PATH": str(base / "bin"), "HOME": str(base), **env})


def test_everything_present_prints_nothing_and_installs_nothing(scratch):
    fake_apt_get(scratch)
    put(scratch, "npm")
    put(scratch, "chromium")
    done = run_step(scratch, "test")
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert apt_calls(scratch) == []


def test_as_root_apt_get_installs_what_is_missing_once(scratch):
    fake_apt_get(scratch)
    done = run_step(scratch, "test")
    assert done.returncode == 0, done.stderr
    assert apt_calls(scratch) == [
        "noninteractive update -qq",
        "noninteractive install -y -qq chromium npm"]
    assert "chromium npm" in done.stdout
    again = run_step(scratch, "test")
    assert again.returncode == 0 and len(apt_calls(scratch)) == 2


def test_book_does_not_need_the_browser(scratch):
    fake_apt_get(scratch)
    done = run_step(scratch, "book")
    assert done.returncode == 0, done.stderr
    assert apt_calls(scratch)[-1] == "noninteractive install -y -qq npm"
    assert not (scratch / "bin" / "chromium").exists()


def test_a_failing_apt_get_is_reported_not_hidden(scratch):
    fake_apt_get(scratch, fail=True)
    done = run_step(scratch, "test")
    assert done.returncode == 1
    assert "E: Unable to locate package chromium" in done.stderr
    assert "apt-get install -y -qq chromium npm` failed (exit status " \
           "1)" in done.stderr


def test_without_root_it_stops_and_names_the_command(scratch):
    fake_apt_get(scratch)
    done = run_step(scratch, "test", as_root=False)
    assert done.returncode == 1
    command = "sudo sh -c 'apt-get update && apt-get install -y "
    assert command in done.stderr
    packages = done.stderr.split(command)[1].split("'")[0].split()
    assert {"chromium", "npm"} <= set(packages)
    assert "the browser checks" in done.stderr
    assert apt_calls(scratch) == []


def test_an_environment_variable_may_name_the_command(scratch):
    chrome = put(scratch, "google-chrome")
    put(scratch, "npm")
    done = run_step(scratch, "test", as_root=False, CHROMIUM=str(chrome))
    assert done.returncode == 0, done.stderr
    missing = run_step(scratch, "test", as_root=False,
                       CHROMIUM=str(scratch / "no-such-browser"))
    assert missing.returncode == 1 and "chromium" in missing.stderr


def test_an_unknown_target_or_a_malformed_manifest_is_refused(scratch):
    assert run_step(scratch, "docs").returncode == 2
    (scratch / "system-packages.txt").write_text("lint ruff\n")
    done = run_step(scratch, "test")
    assert done.returncode == 1 and "system-packages.txt:1" in done.stderr


@pytest.mark.parametrize("target", ["book", "test", "pdf"])
def test_make_stops_before_any_other_work(scratch, target):
    """`make book`/`make test` in a copy of the project, with no npm and
    no Chromium on PATH: the first thing make does is the system step,
    which stops (as nobody: needs root; as root: no apt-get here)."""
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    (scratch / ".ci").mkdir(mode=0o777)
    for name in ("system_packages.py", "system-packages.txt",
                 "constraints.txt", "package.json", "package-lock.json"):
        shutil.copy(ROOT / ".ci" / name, scratch / ".ci" / name)
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(ROOT / name, scratch / name)
    for path in [scratch, scratch / ".ci"]:
        path.chmod(0o777)
    user, python = None, sys.executable
    if AS_ROOT:
        if not os.access(SYSTEM_PYTHON, os.X_OK):
            pytest.skip("no /usr/bin/python3 to run as nobody")
        user, python = NOBODY, str(SYSTEM_PYTHON)
    done = subprocess.run(
        [make, "--no-print-directory", target, f"PYTHON={python}"],
        cwd=scratch, capture_output=True, text=True, timeout=60, user=user,
        env={"PATH": str(scratch / "bin"), "HOME": str(scratch)})
    assert done.returncode != 0
    assert f"make {target} needs system packages" in done.stderr
    command = "apt-get update && apt-get install -y "
    assert command in done.stderr
    packages = done.stderr.split(command)[1].split("'")[0].split()
    assert "npm" in packages
    assert ("chromium" in packages) == (target in {"test", "pdf"})
    assert ("poppler-utils" in packages) == (target == "pdf")
    made = {path.name for path in scratch.iterdir()}
    assert made == {".ci", "bin", "Makefile", "pyproject.toml",
                    "system_packages.py", "system-packages.txt"}, \
        "make did other work before the system step stopped it"


def test_the_readme_lists_every_system_package():
    sys.path.insert(0, str(ROOT / ".ci"))
    try:
        import system_packages
    finally:
        sys.path.pop(0)
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## System packages", 1)[1].split("\n## ", 1)[0]
    for req in system_packages.read_manifest():
        assert f"`{req.package}`" in section, req.package
    assert stat.S_IMODE((ROOT / ".ci" / "run").stat().st_mode) & 0o100
    assert "apt-get" not in (ROOT / ".ci" / "run").read_text()
