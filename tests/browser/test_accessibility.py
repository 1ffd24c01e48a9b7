"""Every page checked by axe-core, in light and in dark mode.

axe-core (Deque) tests a rendered page against the WCAG 2.1 A and AA
rules. It is pinned in .ci/package.json and installed by ``make`` (npm);
the page loads it from the local copy, so the check runs offline. The
site follows the reader's system colour scheme, so both schemes are
checked, and neither may log a console error: every rule in light mode,
and in dark mode the one rule that depends on the colours (contrast).
The pages are visited once for all browser checks (visit.py).
"""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_accessibility_violations(visits, scheme):
    found = {name: v.violations[scheme] for name, v in visits.items()
             if v.violations[scheme]}
    assert not found, f"axe found, in {scheme} mode: {found}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_pages_follow_the_system_colour_scheme(visits, scheme):
    wrong = {name: v.theme[scheme] for name, v in visits.items()
             if v.theme[scheme] != scheme}
    assert not wrong, f"pages not in {scheme} mode on a {scheme} " \
        f"system: {wrong}"
    errors = {name: v.errors[scheme] for name, v in visits.items()
              if v.errors[scheme]}
    assert not errors, f"console errors in {scheme} mode: {errors}"
