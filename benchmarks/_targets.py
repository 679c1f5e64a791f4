"""Every benchmark's targets (targets.toml) and the report each prints against them.

A benchmark adds its figures to a Report; finish() prints them beside their targets, hands them
to benchmarks/run.py (through the JSON-lines file named by BENCH_RESULTS, when set) and exits
non-zero when any figure is past its target."""

import json
import os
import sys
import tomllib
from pathlib import Path

TARGETS_FILE = Path(__file__).resolve().parent / "targets.toml"
RESULTS_ENV = "BENCH_RESULTS"


def load_targets(benchmark=None):
    targets = tomllib.loads(TARGETS_FILE.read_text())
    return targets if benchmark is None else targets.get(benchmark, {})


def describe(target):
    """ "<= 100", ">= 0.6", or "" for a figure without a target (a baseline)."""
    if not target:
        return ""
    if "max" in target:
        return f"<= {target['max']:g}"
    return f">= {target['min']:g}"


def past(value, target):
    """Whether a figure is past its target (a baseline has none). A figure that could not be
    measured (NaN) is past it."""
    if not target:
        return False
    if value != value:
        return True
    if "max" in target:
        return value > target["max"]
    return value < target["min"]


class Report:
    def __init__(self, benchmark):
        self.benchmark = benchmark
        self.targets = load_targets(benchmark)
        self.figures = []  # (name, value, target)

    def add(self, name, value, target_name=None, baseline=False):
        """A figure, with its target in targets.toml under `target_name` (by default its own
        name; one target can serve several figures, e.g. each corpus size). A baseline, what
        the portal is compared with, has none."""
        key = target_name or name
        target = None if baseline else self.targets.get(key)
        if not baseline and target is None:
            sys.exit(f"benchmarks/targets.toml: [{self.benchmark}] has no target {key!r}")
        self.figures.append((name, value, target))

    def finish(self):
        width = max((len(name) for name, _, _ in self.figures), default=10)
        print(f"\n{'figure':{width}} {'value':>10} {'target':>10}")
        failed = []
        for name, value, target in self.figures:
            status = "PAST TARGET" if past(value, target) else ("baseline" if not target else "ok")
            print(f"{name:{width}} {value:10.3f} {describe(target):>10}  {status}")
            if past(value, target):
                failed.append(f"{name} {value:.3f} (target {describe(target)})")
        path = os.environ.get(RESULTS_ENV)
        if path:
            with open(path, "a") as results:
                for name, value, target in self.figures:
                    row = {"benchmark": self.benchmark, "figure": name, "value": value}
                    row["target"] = describe(target)
                    row["past"] = past(value, target)
                    results.write(json.dumps(row) + "\n")
        if failed:
            sys.exit(f"{self.benchmark}: past target: " + "; ".join(failed))
