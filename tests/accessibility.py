"""The one axe-core check every browser test uses."""

from axe_playwright_python.sync_playwright import Axe

# axe-core tags for WCAG 2.0, 2.1 and 2.2 at levels A and AA, plus axe's best practices.
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def assert_no_violations(page, context=None):
    """Fail naming each violated rule, its impact and up to three offending elements. `context`
    (a CSS selector) limits the check to part of the page, e.g. what our code draws inside the
    Wagtail admin."""
    results = Axe().run(page, context, options={"runOnly": {"type": "tag", "values": WCAG_AA}})
    violations = results.response["violations"]
    details = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
    ]
    assert violations == [], "\n".join(details)
