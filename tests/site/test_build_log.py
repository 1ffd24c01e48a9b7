"""The last build's console output holds no warning a reader must wonder
about (``_build/build.log``, written by ``make book`` and ``make
strict-book``; what counts is in ``tests/build_log.py``)."""
import pytest
from build_log import unexpected_lines

from toc import HTML


def test_the_build_printed_no_unexpected_warning():
    log = HTML.parent / "build.log"
    if not log.exists():
        pytest.fail("no _build/build.log: build with `make book` or "
                    "`make strict-book`")
    text = log.read_text()
    assert "build succeeded" in text, "the log is not a finished build's"
    assert unexpected_lines(text) == []
