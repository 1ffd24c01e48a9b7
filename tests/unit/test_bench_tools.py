"""The measuring helpers of ``make bench`` (tests/bench/bench.py)."""

import importlib.util
import json
from pathlib import Path

spec = importlib.util.spec_from_file_location(
    "bench", Path(__file__).parents[1] / "bench" / "bench.py")
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


def test_page_weight_counts_html_and_local_images(tmp_path):
    (tmp_path / "_images").mkdir()
    (tmp_path / "_images" / "a.png").write_bytes(b"x" * 300_000)
    page = '<img src="_images/a.png"><img src="https://x/y.png">'
    (tmp_path / "p.html").write_text(page)
    (tmp_path / "search.html").write_text("x" * 10)
    weights = bench.page_weights(tmp_path)
    assert list(weights) == ["p.html"]
    assert weights["p.html"] == (300_000 + len(page)) / 1e6


def test_text_outputs_leave_out_timing_lines(tmp_path):
    folder = tmp_path / "_build" / "jupyter_execute"
    folder.mkdir(parents=True)
    nb = {"cells": [{"cell_type": "code", "outputs": [
        {"output_type": "stream", "text": ["loss 0.1\n", "[timing] 3 ms\n"]},
        {"output_type": "execute_result",
         "data": {"text/plain": "42", "image/png": "..."}}]}]}
    (folder / "c.ipynb").write_text(json.dumps(nb))
    assert bench.text_outputs(tmp_path) == {"c.ipynb": ["loss 0.1", "42"]}


def test_edit_changes_only_the_last_code_cell(tmp_path):
    page = tmp_path / "c.md"
    page.write_text("```{code-cell} ipython3\na = 1\n```\n\ntext\n\n"
                    "```{code-cell} ipython3\nb = 2\n```\n")
    bench.edit_last_code_cell(page)
    assert page.read_text().endswith(
        "b = 2\n# edited by make bench\n```\n")
    assert page.read_text().startswith("```{code-cell} ipython3\na = 1\n```")


def test_make_test_time_is_recorded_with_its_commit(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location(
        "make_test_time",
        Path(__file__).parents[1] / "bench" / "make_test_time.py")
    timer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(timer)
    monkeypatch.setattr(timer, "git", lambda *args: (
        "abc123" if args[0] == "rev-parse" else ""))
    start, out = tmp_path / "start", tmp_path / "out.json"
    start.write_text("1000.25\n")
    monkeypatch.setattr(timer.time, "time", lambda: 1412.0)
    timer.main(str(start), str(out))
    entry = json.loads(out.read_text())
    assert entry["seconds"] == 411.8 and entry["commit"] == "abc123"
    assert entry["changed_files"] is False


def test_bench_reports_make_test_only_for_the_current_commit(tmp_path,
                                                             monkeypatch):
    (tmp_path / ".cache").mkdir()
    record = {"seconds": 280.0, "commit": "c1", "changed_files": False}
    (tmp_path / ".cache" / "make-test.json").write_text(json.dumps(record))
    monkeypatch.setattr(bench, "ROOT", tmp_path)

    def head(commit):
        monkeypatch.setattr(bench.subprocess, "run", lambda *a, **k: type(
            "Done", (), {"stdout": commit + "\n"})())
        results = {}
        bench.bench_make_test(results)
        return results["make_test_s"]

    assert head("c1") == 280.0
    assert head("c2") is None
    record["changed_files"] = True
    (tmp_path / ".cache" / "make-test.json").write_text(json.dumps(record))
    assert head("c1") is None
