"""Per-assignment settings: ``suites/<assignment>/points.toml``.

Each table lists the module files a submission may contain, the worker's limits and,
for every test of the hidden suite, its points and visibility. Points add up to 100.
"""
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

SUITES = Path(__file__).resolve().parent / "suites"
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")


class ConfigError(Exception):
    """A broken points table (a bug in the autograder, not in a submission)."""


@dataclass
class TestEntry:
    name: str
    points: float
    visibility: str


@dataclass
class Assignment:
    name: str
    folder: Path
    modules: list          # files the student writes
    given: list            # files the student version hands out, copied too if present
    tests: dict            # test function name -> TestEntry
    memory_mb: int
    cpu_s: int
    call_timeout_s: float
    total_budget_s: float
    threads: int

    @property
    def allowed_files(self):
        return self.modules + self.given


def names():
    return sorted(p.name for p in SUITES.iterdir() if (p / "points.toml").is_file())


def load(name):
    """The settings of assignment ``name``; raises KeyError with a clear message if unknown."""
    folder = SUITES / name
    if not (folder / "points.toml").is_file():
        raise KeyError(f"unknown assignment {name!r}; known: {', '.join(names())}")
    with open(folder / "points.toml", "rb") as handle:
        table = tomllib.load(handle)
    tests = {}
    for test, entry in table.get("tests", {}).items():
        visibility = entry.get("visibility", "after_due_date")
        if visibility not in VISIBILITIES:
            raise ConfigError(f"{name}/points.toml: {test} has visibility {visibility!r}")
        tests[test] = TestEntry(test, float(entry["points"]), visibility)
    total = sum(t.points for t in tests.values())
    if abs(total - 100) > 1e-9:
        raise ConfigError(f"{name}/points.toml: points add up to {total}, not 100")
    limits = table.get("limits", {})
    return Assignment(
        name=name,
        folder=folder,
        modules=list(table["modules"]),
        given=list(table.get("given", [])),
        tests=tests,
        memory_mb=int(limits.get("memory_mb", 4096)),
        cpu_s=int(limits.get("cpu_s", 300)),
        call_timeout_s=float(os.environ.get("AUTOGRADER_CALL_TIMEOUT", limits.get("call_timeout_s", 20))),
        total_budget_s=float(os.environ.get("AUTOGRADER_TOTAL_BUDGET", limits.get("total_budget_s", 300))),
        threads=int(limits.get("threads", 1)),
    )
