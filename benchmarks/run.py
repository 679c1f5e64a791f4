"""Run every benchmark with its default arguments, one after another (`make bench`).

Each benchmark is also a script of its own with its own options; see its docstring.
"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# In the order they are worth reading; ones not written yet are skipped.
BENCHMARKS = [
    "pages.py",
    "relevance.py",
    "search_speed.py",
    "registration.py",
    "email_fanout.py",
    "sitemap.py",
    "load.py",
]


def main():
    failed = []
    for name in BENCHMARKS:
        script = HERE / name
        if not script.exists():
            continue
        print(f"\n==> {name}", flush=True)
        if subprocess.run([sys.executable, str(script)], cwd=HERE, check=False).returncode:
            failed.append(name)
    if failed:
        sys.exit(f"Failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
