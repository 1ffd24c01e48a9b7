"""The downloadable notebooks, run as a reader runs them.

Each built notebook (``_build/html/_notebooks``) is copied into a fresh
temporary folder outside the repository and executed with nbclient on a
kernel whose gdlab is an installed wheel of this working tree (see
reader_env.py), without network where ``unshare`` allows it. Its outputs
must equal the stored ones (compare.py says what may differ), and its
environment table must name the commit, not "unknown".
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import compare
import reader_env

EXECUTE = Path(__file__).with_name("execute.py")
TIMEOUT_S = 1200


def test_gdlab_is_the_installed_wheel(reader, tmp_path):
    where, commit = reader_env.gdlab_location(reader.venv, tmp_path)
    assert Path(where).resolve().is_relative_to(reader.venv.resolve())
    assert not Path(where).resolve().is_relative_to(reader_env.REPO)
    assert commit == reader.commit[:12]


def run(reader, source: Path, workdir: Path) -> dict:
    """``source`` executed in ``workdir``; the executed notebook."""
    target = workdir / "executed.ipynb"
    shutil.copy2(source, workdir / source.name)
    command = [*reader.prefix, sys.executable, str(EXECUTE),
               str(reader.kernels), source.name, str(target)]
    done = subprocess.run(command, cwd=workdir, env=reader.env, text=True,
                          capture_output=True, timeout=TIMEOUT_S)
    if done.returncode != 0:
        pytest.fail(f"{source.name} did not run:\n{done.stderr[-4000:]}")
    print(f"{source.name}: {done.stdout.strip()} s")
    return json.loads(target.read_text())


def test_notebook_runs_as_published(reader, notebook, tmp_path):
    source = reader_env.NOTEBOOKS / f"{notebook}.ipynb"
    stored = json.loads(source.read_text())
    fresh = run(reader, source, tmp_path)
    found = compare.differences(stored, fresh)
    assert not found, (f"{notebook}: outputs differ from the site's:\n"
                       + "\n".join(found))
    assert set(compare.commits(fresh)) <= {reader.commit[:12]}
    where, commit = reader_env.gdlab_location(reader.venv, tmp_path)
    assert commit == reader.commit[:12], "the set-up cell replaced gdlab"


def test_commit_of_a_git_install(tmp_path):
    """``pip install git+URL@COMMIT``, as the published notebooks do
    (here from a local repository holding the working tree's gdlab): the
    environment table's commit comes from pip's direct_url.json."""
    source = reader_env.copy_source(tmp_path / "repo")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "gdlab"]):
        subprocess.run([*git, *args], cwd=source, check=True,
                       capture_output=True)
    sha = reader_env._run("git", "rev-parse", "HEAD", cwd=source).strip()
    reader_env._run(sys.executable, "-m", "pip", "install", "--quiet",
                    "--no-deps", "--target",
                    tmp_path / "site", f"gdlab @ git+file://{source}@{sha}")
    shutil.rmtree(source)                   # no checkout left to ask
    env = {key: value for key, value in os.environ.items()
           if key != "GDLAB_COMMIT"}
    code = ("import gdlab, gdlab.environment as e; "
            "print(gdlab.__file__, e.commit())")
    out = reader_env._run(sys.executable, "-c", code, cwd=tmp_path,
                          env={**env, "PYTHONPATH": str(tmp_path / "site")})
    where, commit = out.split()
    assert Path(where).is_relative_to(tmp_path / "site")
    assert commit == sha[:12]


def test_offline_prefix_cuts_the_network():
    prefix = reader_env.offline_prefix()
    if not prefix:
        pytest.skip("unshare --net is not allowed here")
    code = ("import socket; s = socket.socket(); s.settimeout(5); "
            "s.connect(('1.1.1.1', 443))")
    done = subprocess.run([*prefix, sys.executable, "-c", code],
                          capture_output=True, text=True)
    assert done.returncode != 0 and "unreachable" in done.stderr.lower()


def test_reader_environ_leaves_the_project_out(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(reader_env.REPO / "src"))
    monkeypatch.setenv("GDLAB_COMMIT", "abc")
    monkeypatch.setenv("PATH", f"{reader_env.REPO / '.venv' / 'bin'}:/bin")
    env = reader_env.reader_environ(tmp_path)
    assert "PYTHONPATH" not in env and "GDLAB_COMMIT" not in env
    assert env["PATH"] == f"{tmp_path / 'bin'}:/bin"
    assert env["PIP_NO_INDEX"] == "1" and env["GIT_ALLOW_PROTOCOL"] == "file"


def test_environments_are_kept_outside_the_repository(monkeypatch):
    monkeypatch.setenv("GDLAB_READER_ENVS", str(reader_env.REPO / "x"))
    with pytest.raises(ValueError, match="outside"):
        reader_env.venv_root()


def test_environment_is_made_once_and_gdlab_each_time(tmp_path,
                                                      monkeypatch):
    calls = []

    def run(*command, **_):
        calls.append(command)
        if command[1:3] == ("-m", "venv"):
            Path(command[3]).mkdir(parents=True)
        return ""

    monkeypatch.setattr(reader_env, "_run", run)
    old = tmp_path / "old"
    old.mkdir()
    (old / reader_env.STAMP).write_text("{}")
    venv = reader_env.ensure_venv(Path("gdlab.whl"), root=tmp_path)
    assert venv == tmp_path / reader_env.venv_key()
    assert [c[1:3] for c in calls] == [("-m", "venv"), ("-m", "pip"),
                                       ("-m", "pip")]
    assert "--force-reinstall" in calls[-1] and not old.exists()
    calls.clear()
    reader_env.ensure_venv(Path("gdlab.whl"), root=tmp_path)
    assert len(calls) == 1 and "--force-reinstall" in calls[0]
