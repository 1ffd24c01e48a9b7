"""compare.py: what counts as the same output, and what does not."""

import copy

import compare


def notebook(*outputs_per_cell):
    cells = [{"cell_type": "markdown", "source": "# title"}]
    cells += [{"cell_type": "code", "source": f"cell_{n}()",
               "execution_count": n + 1, "outputs": list(outputs)}
              for n, outputs in enumerate(outputs_per_cell)]
    return {"cells": cells}


def stream(text, name="stdout"):
    return {"output_type": "stream", "name": name, "text": text}


def display(data, kind="display_data"):
    return {"output_type": kind, "data": data, "metadata": {}}


TABLE = "| component | version |\n| --- | --- |\n| commit | `{}` |"


def test_equal_outputs_have_no_differences():
    nb = notebook([stream("loss 0.25\n")], [display({"text/plain": "3"})])
    assert compare.differences(nb, copy.deepcopy(nb)) == []


def test_a_changed_number_is_reported_with_its_cell():
    found = compare.differences(notebook([stream("loss 0.25\n")]),
                                notebook([stream("loss 0.26\n")]))
    assert len(found) == 1
    assert "code cell 1 ('cell_0()')" in found[0] and "0.26" in found[0]


def test_timing_lines_are_ignored_and_only_they():
    old = notebook([stream("[timing] 1.2 s\nloss 1\n")])
    assert compare.differences(
        old, notebook([stream("[timing] 9.9 s\nloss 1\n")])) == []
    assert compare.differences(
        old, notebook([stream("[timing] 1.2 s\nloss 2\n")]))
    assert compare.differences(
        notebook([stream("took [timing] 1\n")]),
        notebook([stream("took [timing] 2\n")]))


def test_the_commit_in_the_table_is_masked_and_read():
    old = notebook([display({"text/markdown": TABLE.format("aaaa")})])
    new = notebook([display({"text/markdown": TABLE.format("unknown")})])
    assert compare.differences(old, new) == []
    assert compare.commits(new) == ["unknown"]
    assert compare.commits(old) == ["aaaa"]


def test_images_compare_by_presence():
    old = notebook([display({"image/png": "AAA", "text/plain": "<Fig>"})])
    for same in ({"image/png": "BBB"}, {"image/jpeg": "/9j/"}):
        fresh = notebook([display({**same, "text/plain": "<Fig>"})])
        assert compare.differences(old, fresh) == []
    assert compare.differences(
        old, notebook([display({"text/plain": "<Fig>"})]))


def test_split_streams_are_joined_but_stderr_is_not_stdout():
    old = notebook([stream("a\nb\n")])
    assert compare.differences(
        old, notebook([stream("a\n"), stream(["b", "\n"])])) == []
    assert compare.differences(
        old, notebook([stream("a\n"), stream("b\n", "stderr")]))


def test_errors_compare_name_and_message_not_traceback():
    def error(name, value, where):
        return {"output_type": "error", "ename": name, "evalue": value,
                "traceback": [f"File {where}"]}
    old = notebook([error("RuntimeError", "grad", "/build/x.py")])
    assert compare.differences(
        old, notebook([error("RuntimeError", "grad", "/tmp/y.py")])) == []
    assert compare.differences(
        old, notebook([error("ValueError", "grad", "/build/x.py")]))


def test_a_missing_or_extra_output_is_a_difference():
    old = notebook([stream("x\n")])
    assert compare.differences(old, notebook([]))
    assert compare.differences(
        old, notebook([stream("x\n"), display({"text/plain": "1"})]))


def test_execute_result_and_display_data_differ():
    old = notebook([display({"text/plain": "1"}, "execute_result")])
    assert compare.differences(old, notebook([display({"text/plain": "1"})]))


def test_html_and_latex_texts_are_compared():
    old = notebook([display({"text/html": "<b>1</b>"})])
    assert compare.differences(
        old, notebook([display({"text/html": "<b>2</b>"})]))


def test_different_numbers_of_code_cells():
    found = compare.differences(notebook([], []), notebook([]))
    assert found == ["2 code cells stored, 1 run"]


def test_cells_the_build_did_not_run_are_not_compared():
    old, new = notebook([]), notebook([stream("Using the gdlab here\n")])
    assert compare.differences(old, new)
    old["cells"][1]["execution_count"] = None
    assert compare.differences(old, new) == []


def slider(*captions):
    frames = "".join(f'<img class="explorer-frame" alt="{c}" src="x">'
                     for c in captions)
    return display({"text/html": [f'<div class="explorer">{frames}</div>'],
                    "text/plain": "<HTML>"}, "execute_result")


def test_a_stored_still_must_come_back_as_its_slider():
    old = notebook([display({"image/png": "AAA", "text/plain": "lr = 0.1"})])
    old["cells"][1]["metadata"] = {"gdlab": {"slider_still": True}}
    assert compare.differences(
        old, notebook([slider("lr = 0.01", "lr = 0.1")])) == []
    for fresh in ([slider("lr = 0.01", "lr = 0.2")],
                  [display({"image/png": "AAA", "text/plain": "lr = 0.1"})],
                  []):
        found = compare.differences(old, notebook(fresh))
        assert found and "slider" in found[0]


def test_a_still_caption_is_matched_as_html():
    old = notebook([display({"image/png": "A", "text/plain": "a < b"})])
    old["cells"][1]["metadata"] = {"gdlab": {"slider_still": True}}
    assert compare.differences(old, notebook([slider("a &lt; b")])) == []
