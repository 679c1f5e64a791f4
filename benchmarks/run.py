"""Run every benchmark with its default arguments, one after another (`make bench`), and end
with a table of every figure against its target (benchmarks/targets.toml).

Each benchmark is also a script of its own with its own options; see its docstring. Exits
non-zero when a benchmark is missing, fails, or has a figure past its target.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from _targets import RESULTS_ENV

HERE = Path(__file__).resolve().parent
# In the order they are worth reading.
BENCHMARKS = [
    "pages.py",
    "relevance.py",
    "search_speed.py",
    "registration.py",
    "email_fanout.py",
    "sitemap.py",
    "insight.py",
]


def table(rows, outcomes):
    """Every figure with its target, then how each benchmark ended."""
    width = max([len(f"{row['benchmark']}: {row['figure']}") for row in rows] + [20])
    lines = [f"\n{'figure':{width}} {'value':>10} {'target':>10}"]
    for row in rows:
        status = "PAST TARGET" if row["past"] else ("ok" if row["target"] else "baseline")
        name = f"{row['benchmark']}: {row['figure']}"
        lines.append(f"{name:{width}} {row['value']:10.3f} {row['target']:>10}  {status}")
    lines.append("")
    lines += [f"{name:24} {outcome}" for name, outcome in outcomes.items()]
    return "\n".join(lines)


def main():
    outcomes = {}
    with tempfile.TemporaryDirectory() as scratch:
        results = Path(scratch) / "figures.jsonl"
        results.touch()
        environment = {**os.environ, RESULTS_ENV: str(results)}
        for name in BENCHMARKS:
            script = HERE / name
            if not script.exists():
                outcomes[name] = "MISSING"
                continue
            print(f"\n==> {name}", flush=True)
            code = subprocess.run(
                [sys.executable, str(script)], cwd=HERE, env=environment, check=False
            ).returncode
            outcomes[name] = "ok" if code == 0 else f"FAILED (exit {code})"
        rows = [json.loads(line) for line in results.read_text().splitlines() if line]
    print(table(rows, outcomes))
    failed = [name for name, outcome in outcomes.items() if outcome != "ok"]
    if failed:
        sys.exit(f"Failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
