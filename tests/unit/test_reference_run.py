"""gdlab.reference_run: capture on the CPU, validate, load, render."""
import json

import pytest

from gdlab import reference_run


@pytest.fixture(scope="module")
def captured(tmp_path_factory):
    out = tmp_path_factory.mktemp("ref") / "gpu.json"
    assert reference_run.main(["capture", str(out), "--device", "cpu",
                               "--quick"]) == 0
    return out


def test_capture_writes_a_valid_file(captured):
    data = reference_run.load(captured)
    assert data["header"]["device"] == "cpu"
    assert "--quick" in data["header"]["command"]
    assert set(data["sections"]) >= {"memory", "timing", "out of memory",
                                     "determinism", "mixed precision"}
    oom = data["sections"]["out of memory"]["rows"][0]["message"]
    assert "can't allocate memory" in oom
    memory = data["sections"]["memory"]["rows"]
    assert memory[2]["kept bytes"] >= memory[2]["computed bytes"]


def test_render_names_the_machine_and_says_not_this_build(captured):
    data = reference_run.load(captured)
    text = reference_run.render(data, "memory")
    assert "measured on **no GPU (CPU only)**" in text
    assert "not on this build" in text
    assert text.count("\n|") == 2 + len(data["sections"]["memory"]["rows"])
    with pytest.raises(KeyError, match="memory"):
        reference_run.render(data, "no such section")


def test_show_prints_every_section(captured, capsys):
    assert reference_run.main(["show", str(captured)]) == 0
    assert capsys.readouterr().out.count("Reference run") >= 8


@pytest.mark.parametrize("change, message", [
    (lambda d: d.pop("header"), "exactly"),
    (lambda d: d["header"].update(gpu=""), "header"),
    (lambda d: d["sections"].clear(), "non-empty"),
    (lambda d: d["sections"]["timing"].update(rows=[]), "rows"),
    (lambda d: d["sections"]["timing"]["rows"][0].update(extra=1),
     "same columns"),
    (lambda d: d["sections"]["timing"]["rows"][0].update(ms=[1]),
     "finite number"),
])
def test_validate_refuses_malformed_data(captured, change, message):
    data = json.loads(captured.read_text())
    change(data)
    with pytest.raises(ValueError, match=message):
        reference_run.validate(data)


def test_load_without_a_shipped_file_gives_none_or_valid_data():
    data = reference_run.load()
    assert data is None or reference_run.validate(data) is data


def test_markdown_table_formats_numbers():
    text = reference_run.markdown_table([{"a": 1234567, "b": 0.000123456,
                                          "c": None, "d": "x|y"}])
    assert text.splitlines()[2] == "| 1,234,567 | 0.000123 | – | x\\|y |"
    with pytest.raises(ValueError, match="non-empty"):
        reference_run.markdown_table([])


def test_reading_and_rendering_need_no_torch():
    # the format lives apart from the capture, which imports torch
    import subprocess
    import sys

    code = ("import sys, gdlab.reference_run as r; "
            "print(r.markdown_table([{'a': 1}]).count('|'), "
            "'torch' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], check=True,
                          capture_output=True, text=True)
    assert done.stdout.split() == ["6", "False"]
    from gdlab import reference_capture

    assert reference_capture.validate is reference_run.validate
