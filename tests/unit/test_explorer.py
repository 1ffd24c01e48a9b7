import html
import re

import matplotlib.pyplot as plt
import pytest

from gdlab import explorer


def frames(n):
    out = {}
    for i in range(n):
        fig, ax = plt.subplots(figsize=(2, 2))
        ax.plot([0, 1], [0, i])
        out[f"slope = {i}"] = fig
    return out


def describe(name):
    return f"a line rising with {name.split()[-1]} units per unit"


def alts(snippet):
    return [html.unescape(a) for a in
            re.findall(r'class="explorer-frame" data-index="\d+" '
                       r'alt="([^"]*)"', snippet)]


@pytest.fixture(autouse=True)
def no_figures_left():
    yield
    assert plt.get_fignums() == [], "slider left figures open"
    plt.close("all")


def test_slider_embeds_every_frame_and_shows_one():
    snippet = explorer.slider(frames(3), "slope", start=1,
                              alt=describe).data
    assert snippet.count('class="explorer-frame"') == 3
    assert snippet.count(" hidden") == 2
    assert 'max="2"' in snippet and 'value="1"' in snippet
    assert "<output>slope = 1</output>" in snippet
    assert 'aria-valuetext="slope = 1"' in snippet
    assert snippet.count("data:image/png;base64,") == 3
    assert plt.get_fignums() == []                # figures were closed


def test_each_frame_gets_its_own_description():
    described = {f"slope = {i}": text for i, text in
                 enumerate(["flat", "rising", "steep & \"quoted\""])}
    snippet = explorer.slider(frames(3), "slope", alt=described).data
    assert alts(snippet) == [f"{name}: {text}"
                             for name, text in described.items()]
    by_function = explorer.slider(frames(3), "slope", alt=describe).data
    assert alts(by_function) == [f"slope = {i}: " + describe(f"s = {i}")
                                 for i in range(3)]
    assert "<output>slope = 0</output>" in by_function


def test_descriptions_are_tidied_to_one_line():
    text = "  first line\n   second  line "
    snippet = explorer.slider(frames(2), "slope", alt=lambda n: text).data
    assert alts(snippet)[0] == "slope = 0: first line second line"


def test_slider_ids_are_deterministic():
    a = explorer.slider(frames(2), "slope", alt=describe).data
    b = explorer.slider(frames(2), "slope", alt=describe).data
    assert a.split('id="')[1][:20] == b.split('id="')[1][:20]


def test_slider_bad_input():
    with pytest.raises(ValueError, match="at least two"):
        explorer.slider(frames(1), "x", alt=describe)
    with pytest.raises(ValueError, match="start"):
        explorer.slider(frames(2), "x", start=5, alt=describe)
    bad = {"a|b": None, "c": None}
    with pytest.raises(ValueError, match="must not contain '|'"):
        explorer.slider(bad, "x", alt=describe)


def test_slider_needs_a_description_of_every_frame():
    with pytest.raises(TypeError, match="slider needs alt="):
        explorer.slider(frames(2), "x")
    with pytest.raises(TypeError, match="dict or a callable"):
        explorer.slider(frames(2), "x", alt="{name}")
    with pytest.raises(ValueError, match=r"missing \['slope = 1'\]"):
        explorer.slider(frames(2), "x", alt={"slope = 0": "flat"})
    with pytest.raises(ValueError, match=r"not frames \['slope = 9'\]"):
        explorer.slider(frames(2), "x", alt={
            "slope = 0": "flat", "slope = 1": "up", "slope = 9": "up"})
    with pytest.raises(TypeError, match="'slope = 0' must be a str"):
        explorer.slider(frames(2), "x", alt=lambda name: None)
    for empty in ("", "   ", "slope = 0", "Slope = 0."):
        with pytest.raises(ValueError, match="empty or only its name"):
            explorer.slider(frames(2), "x", alt=lambda name: empty)
    with pytest.raises(ValueError, match="at most 300 characters"):
        explorer.slider(frames(2), "x", alt=lambda name: "long " * 61)


def test_slider_width_sets_the_displayed_size():
    snippet = explorer.slider(frames(2), "slope", dpi=140, width=300,
                              alt=describe).data
    assert snippet.count('style="width: 300px; max-width: 100%"') == 2
    assert "style=" not in explorer.slider(frames(2), "slope",
                                           alt=describe).data
    with pytest.raises(TypeError, match="width must be an integer"):
        explorer.slider(frames(2), "x", width=2.5, alt=describe)
    with pytest.raises(ValueError, match="dpi must be >= 10"):
        explorer.slider(frames(2), "x", dpi=0, alt=describe)
