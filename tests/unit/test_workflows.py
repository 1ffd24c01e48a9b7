"""The CI workflows parse and keep their safety properties."""
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def load(name):
    data = yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text())
    data["on"] = data.pop(True)           # YAML 1.1 reads `on` as True
    return data


def test_test_workflow_runs_the_readme_command():
    flow = load("ci.yml")
    assert {"push", "pull_request"} <= set(flow["on"])
    steps = flow["jobs"]["test"]["steps"]
    assert any("bash .ci/run" in step.get("run", "") for step in steps)
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    assert flow["permissions"] == {"contents": "read"}


def test_gpu_workflow_never_runs_fork_code():
    flow = load("gpu.yml")
    job = flow["jobs"]["gpu"]
    assert "gpu" in job["runs-on"] and "self-hosted" in job["runs-on"]
    assert "pull_request_target" not in flow["on"]
    assert "head.repo.full_name == github.repository" in job["if"]
    assert "run-gpu" in job["if"]
    assert job["env"]["GDLAB_DEVICE"] == "cuda"
    assert "schedule" in flow["on"] and "push" in flow["on"]


def test_every_action_is_pinned_by_sha_and_no_workflow_trusts_forks():
    import re
    for path in (ROOT / ".github" / "workflows").glob("*.yml"):
        text = path.read_text()
        assert "pull_request_target" not in text, path.name
        for ref in re.findall(r"uses:\s*(\S+)", text):
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", ref), \
                f"{path.name}: {ref} is not pinned to a commit SHA"
        flow = load(path.name)
        assert flow["permissions"] == {"contents": "read"}, path.name
    assert (ROOT / ".github" / "dependabot.yml").exists()


def test_publish_deploys_with_minimal_permissions():
    flow = load("publish.yml")
    jobs = flow["jobs"]
    assert jobs["deploy"]["permissions"] == {"pages": "write",
                                             "id-token": "write"}
    assert jobs["notebooks"]["permissions"] == {"contents": "write"}
    assert "permissions" not in jobs["build"]
    assert flow["concurrency"]["group"] == "publish"
