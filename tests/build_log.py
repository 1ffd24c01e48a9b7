"""What the console of a book build may show (shared by the site check of
``_build/build.log`` and its unit test).

A reader who runs ``make book`` should see the build's own progress and
nothing to wonder about: a line that says WARNING, a Python warning
(``UserWarning:`` and its kind), a traceback or Sphinx's notice that a
copy overwrites different data fails the check unless it
is listed in ``EXPECTED`` with the reason it may appear.
"""
from __future__ import annotations

import re

ALARMS = re.compile(r"WARNING|Traceback|\w+Warning:|will overwrite data")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
# (pattern, why it may appear): nothing today.
EXPECTED: list[tuple[str, str]] = []


def unexpected_lines(text: str) -> list[str]:
    """The lines of a build's console output that raise an alarm and are
    not expected, without terminal colours."""
    lines = (ANSI.sub("", line).rstrip() for line in text.splitlines())
    return [line for line in lines if ALARMS.search(line)
            and not any(re.search(pattern, line)
                        for pattern, _ in EXPECTED)]
