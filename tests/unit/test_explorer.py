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


def test_slider_embeds_every_frame_and_shows_one():
    snippet = explorer.slider(frames(3), "slope", start=1).data
    assert snippet.count('class="explorer-frame"') == 3
    assert snippet.count(" hidden") == 2
    assert 'max="2"' in snippet and 'value="1"' in snippet
    assert "<output>slope = 1</output>" in snippet
    assert snippet.count("data:image/png;base64,") == 3
    assert plt.get_fignums() == []                # figures were closed


def test_slider_ids_are_deterministic():
    a = explorer.slider(frames(2), "slope").data
    b = explorer.slider(frames(2), "slope").data
    assert a.split('id="')[1][:20] == b.split('id="')[1][:20]


def test_slider_bad_input():
    with pytest.raises(ValueError, match="at least two"):
        explorer.slider(frames(1), "x")
    with pytest.raises(ValueError, match="start"):
        explorer.slider(frames(2), "x", start=5)


def test_slider_width_sets_the_displayed_size():
    snippet = explorer.slider(frames(2), "slope", dpi=140, width=300).data
    assert snippet.count('style="width: 300px; max-width: 100%"') == 2
    assert "style=" not in explorer.slider(frames(2), "slope").data
    with pytest.raises(TypeError, match="width must be an integer"):
        explorer.slider(frames(2), "x", width=2.5)
    with pytest.raises(ValueError, match="dpi must be >= 10"):
        explorer.slider(frames(2), "x", dpi=0)
