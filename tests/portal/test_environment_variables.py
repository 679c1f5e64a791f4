"""Every environment variable the portal's settings read is declared once, typed, in
portal/settings/base.py, so one place lists what an operator can set (the test settings' own
SPE_* switches are for the test suite only)."""

import re
from pathlib import Path

from portal.settings.base import env

SETTINGS = Path(__file__).resolve().parents[2] / "portal" / "settings"
READ = re.compile(r"\benv(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]*)\"")


def test_every_variable_read_is_declared():
    read = {
        (path.name, name)
        for path in SETTINGS.glob("*.py")
        if path.name != "test.py"
        for name in READ.findall(path.read_text())
    }
    assert read, "the pattern no longer finds how settings read the environment"
    undeclared = sorted((file, name) for file, name in read if name not in env.scheme)
    assert undeclared == []
