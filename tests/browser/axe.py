"""The one axe-core check every browser test uses: no serious or critical accessibility violation."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

FAILING_IMPACTS = ("serious", "critical")

_axe = Axe()


def serious_violations(page) -> list[str]:
    """One readable line per serious or critical violation on the page as it is now."""
    results = _axe.run(page)
    lines = []
    for violation in results.response["violations"]:
        if violation["impact"] not in FAILING_IMPACTS:
            continue
        targets = [" ".join(map(str, node.get("target", []))) for node in violation["nodes"]]
        shown = ", ".join(targets[:3]) + (f" and {len(targets) - 3} more" if len(targets) > 3 else "")
        lines.append(
            f"{violation['impact']} {violation['id']}: {violation['help']} "
            f"({len(targets)} nodes: {shown}) {violation.get('helpUrl', '')}".rstrip()
        )
    return lines


def assert_accessible(page, context: str = "") -> None:
    """Fail with the page's address (and what the test was looking at) and every serious violation."""
    violations = serious_violations(page)
    if violations:
        where = f"{context} at {page.url}" if context else page.url
        raise AssertionError(
            f"{len(violations)} serious/critical accessibility violation(s) on {where}:\n  "
            + "\n  ".join(violations)
        )
