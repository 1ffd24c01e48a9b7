"""The torchrun training script: trains, snapshots, resumes, fails clearly.

Two tests launch real ``torchrun`` jobs of two gloo processes (one plain,
one whose rank 1 is killed and restarted); the others call the script's
``main`` in this process as a group of one, which is fast and counts
towards coverage.
"""
import os
import re
import socket
import subprocess
import sys

import numpy as np
import pytest
import torch

import gdlab
from gdlab import ddp_script

RESULT = re.compile(r"epoch (\d+): validation MSE ([\d.]+)\n"
                    r"b = ([\d.]+), w = ([\d.]+)\s*$")


def torchrun(folder, *args, succeed=True, **variables):
    env = {**os.environ, "GLOO_SOCKET_IFNAME": "lo", "OMP_NUM_THREADS": "1"}
    env.pop("GDLAB_CRASH", None)
    env.update(variables)
    # torchrun is `python -m torch.distributed.run`; this form needs no
    # console script next to the interpreter
    done = subprocess.run([sys.executable, "-m", "torch.distributed.run",
                           "--standalone", "--nproc-per-node=2", *args,
                           "-m", "gdlab.ddp_script", "--checkpoint",
                           "snapshot.pt"], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=180)
    assert (done.returncode == 0) == succeed, done.stderr[-3000:]
    return done


@pytest.fixture(scope="module")
def plain_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("plain")
    return torchrun(folder), folder


def validation_mse(b, w):
    data = gdlab.linear_data()
    return float(np.mean((b + w * data.x_val - data.y_val) ** 2))


def test_torchrun_trains_the_line(plain_run):
    done, folder = plain_run
    assert done.stdout.startswith("world size 2, backend gloo, starting at "
                                  "epoch 1 of 30\n")
    # different draws on the two ranks; DDP copies rank 0's to rank 1
    line = re.search(r"w on each rank: \[(.*)\] before DDP, \[(.*)\] "
                     r"after", done.stdout)
    before = [float(v) for v in line[1].split(",")]
    after = [float(v) for v in line[2].split(",")]
    assert before[0] != before[1] and after == [before[0], before[0]]
    found = RESULT.search(done.stdout)
    assert found, done.stdout
    data = gdlab.linear_data()
    b_ls, w_ls = gdlab.closed_form(data.x_train, data.y_train)
    b, w = float(found[3]), float(found[4])
    assert abs(b - b_ls) < 0.02 and abs(w - w_ls) < 0.03
    # the all-reduced metric equals the one-process MSE of the snapshot
    state = gdlab.load_checkpoint(folder / "snapshot.pt")
    assert state["epochs_done"] == 30
    b_s = state["model"]["bias"].item()
    w_s = state["model"]["weight"].item()
    assert abs(b_s - b) < 1e-6 and abs(w_s - w) < 1e-6
    assert abs(float(found[2]) - validation_mse(b_s, w_s)) < 2e-6


def test_a_killed_worker_is_restarted_and_resumes(plain_run, tmp_path):
    plain, plain_folder = plain_run
    done = torchrun(tmp_path, "--max-restarts=1", GDLAB_CRASH="1:16")
    assert "rank 1: simulated crash at the start of epoch 16" in done.stdout
    assert "starting at epoch 16 of 30" in done.stdout
    assert RESULT.search(done.stdout)[0] == RESULT.search(plain.stdout)[0]
    a = gdlab.load_checkpoint(plain_folder / "snapshot.pt")
    b = gdlab.load_checkpoint(tmp_path / "snapshot.pt")
    assert a["epochs_done"] == b["epochs_done"] == 30
    for key in a["model"]:
        torch.testing.assert_close(b["model"][key], a["model"][key])
    for key, state in a["optimizer"]["state"].items():
        torch.testing.assert_close(
            b["optimizer"]["state"][key]["momentum_buffer"],
            state["momentum_buffer"])


def test_without_max_restarts_a_killed_worker_ends_the_job(tmp_path):
    done = torchrun(tmp_path, GDLAB_CRASH="1:2", succeed=False)
    assert "simulated crash at the start of epoch 2" in done.stdout
    assert "starting at epoch 2" not in done.stdout
    assert "b = " not in done.stdout
    assert gdlab.load_checkpoint(tmp_path / "snapshot.pt")[
        "epochs_done"] == 1


# --- the script in this process, as a group of one -----------------------

class Crash(Exception):
    pass


@pytest.fixture
def group_of_one(monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    for name, value in (("RANK", "0"), ("WORLD_SIZE", "1"),
                        ("LOCAL_RANK", "0"), ("MASTER_ADDR", "127.0.0.1"),
                        ("MASTER_PORT", str(port)),
                        ("GLOO_SOCKET_IFNAME", "lo")):
        monkeypatch.setenv(name, value)
    for name in ("TORCHELASTIC_RESTART_COUNT", "TORCHELASTIC_USE_AGENT_STORE",
                 "GDLAB_CRASH"):
        monkeypatch.delenv(name, raising=False)

    def crash(code):
        raise Crash(code)
    monkeypatch.setattr(ddp_script.os, "_exit", crash)
    return monkeypatch


def run(monkeypatch, *argv):
    """main() in a fresh group of one (new port each time)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        monkeypatch.setenv("MASTER_PORT", str(s.getsockname()[1]))
    ddp_script.main(list(argv))
    assert not torch.distributed.is_initialized()


def test_main_in_one_process_trains_and_continues(group_of_one, tmp_path,
                                                  capsys):
    snap = str(tmp_path / "snap.pt")
    run(group_of_one, "--epochs", "20", "--checkpoint", snap)
    out = capsys.readouterr().out
    assert out.startswith("world size 1, backend gloo, starting at epoch 1 "
                          "of 20\nw on each rank: [")
    assert "\nepoch 10: validation MSE" in out
    run(group_of_one, "--epochs", "25", "--checkpoint", snap)
    out = capsys.readouterr().out
    assert out.startswith("world size 1, backend gloo, starting at epoch 21 "
                          "of 25\n")
    found = RESULT.search(out)
    assert found[1] == "25"
    state = gdlab.load_checkpoint(snap)
    assert state["epochs_done"] == 25
    mse = validation_mse(state["model"]["bias"].item(),
                         state["model"]["weight"].item())
    assert abs(float(found[2]) - mse) < 2e-6


def test_resumed_run_equals_uninterrupted_run(group_of_one, tmp_path,
                                              capsys):
    whole, broken = str(tmp_path / "whole.pt"), str(tmp_path / "broken.pt")
    run(group_of_one, "--epochs", "8", "--checkpoint", whole)
    group_of_one.setenv("GDLAB_CRASH", "0:5")
    with pytest.raises(Crash):
        run(group_of_one, "--epochs", "8", "--checkpoint", broken)
    assert "simulated crash at the start of epoch 5" in capsys.readouterr().out
    assert gdlab.load_checkpoint(broken)["epochs_done"] == 4
    group_of_one.setenv("TORCHELASTIC_RESTART_COUNT", "1")  # no crash now
    run(group_of_one, "--epochs", "8", "--checkpoint", broken)
    assert "starting at epoch 5 of 8" in capsys.readouterr().out
    a, b = gdlab.load_checkpoint(whole), gdlab.load_checkpoint(broken)
    for key in a["model"]:
        torch.testing.assert_close(b["model"][key], a["model"][key],
                                   rtol=0, atol=0)
    for key, state in a["optimizer"]["state"].items():
        assert torch.equal(b["optimizer"]["state"][key]["momentum_buffer"],
                           state["momentum_buffer"])


def test_without_torchrun_the_error_says_how_to_start(monkeypatch):
    monkeypatch.delenv("RANK", raising=False)
    with pytest.raises(RuntimeError, match="RANK.*not set: start this "
                       "script with torchrun"):
        ddp_script.main([])


def test_run_without_torchrun_fails_with_the_hint():
    env = {k: v for k, v in os.environ.items()
           if k not in ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")}
    done = subprocess.run([sys.executable, "-m", "gdlab.ddp_script"],
                          capture_output=True, text=True, env=env,
                          timeout=120)
    assert done.returncode == 1
    assert "start this script with torchrun" in done.stderr


def test_global_batch_must_divide_by_the_processes(group_of_one):
    group_of_one.setenv("WORLD_SIZE", "3")
    with pytest.raises(ValueError, match="--global-batch 16 is not "
                       "divisible by the 3 processes"):
        ddp_script.main([])
    assert not torch.distributed.is_initialized()


@pytest.mark.parametrize("argv, message", [
    (["--epochs", "0"], "--epochs: must be > 0, got 0"),
    (["--lr", "-0.1"], "--lr: must be > 0, got -0.1"),
    (["--global-batch", "two"], "--global-batch: invalid"),
    (["--timeout", "0"], "--timeout: must be > 0"),
    (["--no-such-option"], "unrecognized arguments"),
    (["--checkpoint", "no/such/folder/a.pt"],
     "--checkpoint: the folder of no/such/folder/a.pt does not exist"),
])
def test_bad_arguments_are_refused_clearly(argv, message, capsys):
    with pytest.raises(SystemExit):
        ddp_script.parse_args(argv)
    assert message in capsys.readouterr().err


def test_parse_args_defaults_and_values():
    assert ddp_script.parse_args([]) == ddp_script.Config()
    cfg = ddp_script.parse_args(["--epochs", "3", "--lr", "0.2",
                                 "--global-batch", "8", "--checkpoint",
                                 "a.pt", "--timeout", "5"])
    assert (cfg.n_epochs, cfg.lr, cfg.global_batch, cfg.checkpoint,
            cfg.timeout) == (3, 0.2, 8, "a.pt", 5.0)


def test_each_attempt_sees_only_its_own_keys(group_of_one):
    """A restarted attempt must not read what a failed one left behind."""
    from datetime import timedelta
    server = torch.distributed.TCPStore("127.0.0.1", 0, 1, is_master=True)
    group_of_one.setenv("MASTER_PORT", str(server.port))
    group_of_one.setenv("TORCHELASTIC_USE_AGENT_STORE", "True")  # a client
    first = ddp_script._attempt_store(0, 1, timedelta(seconds=10))
    first.set("rank_0", "address of a dead process")
    group_of_one.setenv("TORCHELASTIC_RESTART_COUNT", "1")
    second = ddp_script._attempt_store(0, 1, timedelta(seconds=10))
    assert not second.check(["rank_0"])
    second.set("rank_0", "a new address")
    assert first.get("rank_0") == b"address of a dead process"
    assert server.check(["attempt-0/rank_0", "attempt-1/rank_0"])


@pytest.mark.parametrize("asked", ["1", "one:2", "1:2:3", ":"])
def test_a_malformed_crash_request_is_refused(asked, monkeypatch):
    monkeypatch.setenv("GDLAB_CRASH", asked)
    with pytest.raises(ValueError, match="GDLAB_CRASH must be RANK:EPOCH"):
        ddp_script.crash_if_asked(0, 1)


def test_crash_only_on_the_named_rank_epoch_and_first_attempt(group_of_one):
    group_of_one.setenv("GDLAB_CRASH", "1:3")
    ddp_script.crash_if_asked(0, 3)                  # another rank
    ddp_script.crash_if_asked(1, 2)                  # another epoch
    group_of_one.setenv("TORCHELASTIC_RESTART_COUNT", "1")
    ddp_script.crash_if_asked(1, 3)                  # a restarted attempt
    group_of_one.setenv("TORCHELASTIC_RESTART_COUNT", "0")
    with pytest.raises(Crash):
        ddp_script.crash_if_asked(1, 3)


def test_the_exercise_checker_rejects_the_mean_of_means():
    data = gdlab.linear_data()
    x, y = data.x_val[:18], data.y_val[:18]
    squared = ((1.0 + 2.0 * x - y) ** 2).ravel()
    parts = [squared[rank::4] for rank in range(4)]
    right = sum(p.sum() for p in parts) / sum(len(p) for p in parts)
    gdlab.exercises.check_mse(right, x, y, 1.0, 2.0)
    with pytest.raises(AssertionError, match="MSE: expected"):
        gdlab.exercises.check_mse(np.mean([p.mean() for p in parts]), x, y,
                                  1.0, 2.0)


def test_the_sampler_exercise_checker_rejects_a_global_shuffle():
    from torch.utils.data import DistributedSampler

    def epoch_order(seed):
        sampler = DistributedSampler(range(80), num_replicas=2, rank=1,
                                     seed=seed)
        sampler.set_epoch(3)
        return torch.tensor(list(sampler))

    def global_order(seed):
        torch.manual_seed(seed)
        return torch.randperm(80)[1::2]

    gdlab.exercises.check_seeded(epoch_order)
    with pytest.raises(AssertionError, match="global random state"):
        gdlab.exercises.check_seeded(global_order)
