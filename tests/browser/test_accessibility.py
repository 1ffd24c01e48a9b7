"""Every page checked by axe-core, in light and in dark mode.

axe-core (Deque) tests a rendered page against the WCAG 2.1 A and AA
rules. It is pinned in .ci/package.json and installed by ``make`` (npm);
the page loads it from the local copy, so the check runs offline. The
site follows the reader's system colour scheme, so both schemes are
checked, and neither may log a console error: every rule in light mode,
and in dark mode the one rule that depends on the colours (contrast).
"""
from __future__ import annotations

import pytest
from conftest import ROOT

AXE = ROOT / ".ci/node_modules/axe-core/axe.min.js"
ONLY = {"light": {"type": "tag",
                  "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
        "dark": {"type": "rule", "values": ["color-contrast"]}}


def axe_violations(page, only: dict) -> list[dict]:
    """axe's violations on the loaded page of the rules ``only`` selects
    (axe's ``runOnly`` option)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "only => axe.run(document, {runOnly: only,"
        " resultTypes: ['violations']})", only)
    return [{"rule": v["id"], "impact": v["impact"], "help": v["help"],
             "where": [n["target"] for n in v["nodes"]][:3],
             "nodes": len(v["nodes"])} for v in result["violations"]]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_accessibility_violations(browser, base_url, toc_pages, scheme):
    if not AXE.exists():
        pytest.fail(f"{AXE.relative_to(ROOT)} is missing: run `make "
                    "browser-check` (it installs .ci/package.json with npm)")
    context = browser.new_context(color_scheme=scheme)
    found = {}
    for name in ["search", *toc_pages]:
        page = context.new_page()
        errors = []
        page.on("console", lambda m: errors.append(m.text)
                if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{base_url}/{name}.html", wait_until="load")
        theme = page.evaluate("document.documentElement.dataset.theme")
        assert theme == scheme, \
            f"{name}: the page shows {theme} mode to a {scheme} system"
        assert not errors, f"{name} in {scheme} mode: console errors " \
            f"{errors}"
        violations = axe_violations(page, ONLY[scheme])
        if violations:
            found[name] = violations
        page.close()
    context.close()
    assert not found, f"axe found, in {scheme} mode: {found}"
