"""A clone of this repository alone runs its tests: nothing reads files outside the checkout."""

import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

from tests import services

ROOT = Path(__file__).resolve().parent.parent.parent
# A path that climbs out of the checkout to the sample data kept beside it on our machines.
OUTSIDE = re.compile(r"\.\./shared/data|parent\.parent\.parent\s*/\s*[\"']shared")


def tracked_files():
    """The files a commit of the working tree would hold: tracked ones and new ones git does
    not ignore."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    return [name for name in listed.decode().split("\0") if name]


def test_no_code_reads_from_beside_the_checkout():
    offenders = [
        name
        for name in tracked_files()
        if name.endswith(".py")
        and name != "tests/portal/test_self_contained.py"
        and OUTSIDE.search((ROOT / name).read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_data_reading_tests_pass_in_a_copy_of_the_tracked_files_alone(tmp_path):
    services.require_postgres()
    # Nothing beside the copy: a shared/ folder next to it would hide a dependency on it.
    checkout = tmp_path / "clone" / "checkout"
    for name in tracked_files():
        source = ROOT / name
        if source.is_file():
            target = checkout / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    assert not (checkout.parent / "shared").exists()
    env = {
        **os.environ,
        "SPE_TEST_DATABASE": f"spe_clone_{uuid.uuid4().hex[:8]}",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "tests/practice/test_import.py",
            "tests/events/test_import.py",
            "tests/taxonomy/test_taxonomy.py",
        ],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert " passed" in run.stdout
