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
