"""Helpers shared by every hidden suite.

From the grading session (the runner's pytest plugin, autograder/grading/plugin.py):

``student``:    the submission, reached only through the sandboxed worker (see grading/remote.py).
``input_seed``: this submission's seed (variants.py: course secret + submission sha256).

Defined here:

``cases``:      partial credit by declared weights. A test first declares its checks and
                what each is worth, ``cases.plan({"Sigmoid.forward": 1, ...})``; then each
                ``with cases.check("Sigmoid.forward"):`` block is one check. A failed check
                (an assertion or any exception inside the block) is recorded and the test
                goes on. The test earns points × (weight of the passed checks) / (weight of
                the plan), however often a loop runs and wherever the test stops.
                ``with cases.setup("what", needed_by=[labels]):`` wraps set-up that several
                checks depend on: if it raises, those checks fail with a message saying so,
                and the test goes on with the others.
                If anything outside a check or a set-up raises, the test stops there: the
                checks it did not reach fail, "not run", and the ones already passed keep
                their weight (``pytest_runtest_call`` below).
                The misconceptions its failures matched (misconceptions.py) go to
                ``extra_data.misconceptions``.
``rng``:        the test's own numpy Generator under that seed: hidden inputs are drawn
                from it, so every submission gets its own; lecture examples stay fixed.
"""
from collections import Counter

import pytest

from autograder import variants

MAX_FAILURE_TEXT = 1500


@pytest.fixture
def rng(request, input_seed):
    return variants.rng_for(input_seed, request.node.originalname)


def error_text(error):
    """What a student reads about an exception: an assertion's own message, otherwise its type too."""
    text = str(error) if isinstance(error, AssertionError) else f"{type(error).__name__}: {error}"
    text = text.split("\nassert ")[0] if not text.startswith("assert ") else text
    return text.strip()[:MAX_FAILURE_TEXT]


class PlanError(Exception):
    """The suite itself is wrong: a check that is not in its test's plan, or run twice."""


class Cases:
    """The checks of one test, their declared weights and their outcomes.

    The plugin reads ``passed`` and ``total`` (weights: the test earns passed / total of
    its points), ``failures``, ``summary()`` and ``named``.
    """

    def __init__(self):
        self.weights = {}    # label -> declared weight, in the plan's order
        self.outcome = {}    # label -> None (passed) or the failure text
        self.decided = set()  # labels failed by a set-up or a stop before their check ran
        self.stopped = None  # why the test stopped before the end of its plan
        self.named = Counter()  # misconception name -> number of failed checks that matched it

    def plan(self, weights):
        """Declare every check of the test and its weight (any positive numbers; a check's
        share of the test's points is its weight over the sum)."""
        if self.weights:
            raise PlanError("cases.plan() is called once per test")
        for label, weight in weights.items():
            if not weight > 0:
                raise PlanError(f"check {label!r} has weight {weight!r}: weights are positive")
        self.weights = dict(weights)

    @property
    def total(self):
        return float(sum(self.weights.values()))

    @property
    def passed(self):
        return float(sum(self.weights[label] for label, text in self.outcome.items() if text is None))

    @property
    def failures(self):
        """(label, text) of every failed check; a planned check that never ran counts as failed."""
        failed = [(label, text) for label, text in self.outcome.items() if text is not None]
        return failed + [(label, "not run: the test never reached this check.") for label in self.weights
                         if label not in self.outcome]

    def share(self, label):
        return 100.0 * self.weights[label] / self.total

    def check(self, label):
        if label not in self.weights:
            raise PlanError(f"check {label!r} is not in the plan of its test "
                            f"({', '.join(map(repr, self.weights)) or 'no plan declared'})")
        if label in self.outcome and label not in self.decided:
            raise PlanError(f"check {label!r} runs twice: every check of a plan runs once")
        return _Check(self, label)

    def setup(self, what, needed_by):
        unknown = [label for label in needed_by if label not in self.weights]
        if unknown:
            raise PlanError(f"set-up {what!r} names checks that are not in the plan: {unknown}")
        return _Setup(self, what, list(needed_by))

    def fail_unrun(self, labels, text):
        """Record ``labels`` (those not run yet) as failed with ``text``."""
        for label in labels:
            if label not in self.outcome:
                self.outcome[label] = text
                self.decided.add(label)

    def stop(self, error):
        """The test raised outside its checks: what it did not reach fails, "not run"."""
        self.stopped = error_text(error)
        self.fail_unrun([label for label in self.weights if label not in self.outcome],
                        "not run: the test stopped before this check (see below).")

    def summary(self):
        count = len(self.weights)
        passed = sum(1 for text in self.outcome.values() if text is None)
        head = f"{passed} of {count} checks passed ({100 * self.passed / self.total:.0f} % of this test's points)."
        lines = [head] + [f"- {label} ({self.share(label):.0f} % of the points): {text}"
                          for label, text in self.failures]
        if self.stopped is not None:
            lines.append(f"The test stopped early, outside its checks: {self.stopped}\n"
                         f"The checks it had passed keep their points; the ones it did not reach count as failed.")
        return "\n".join(lines)


class _Check:
    def __init__(self, cases, label):
        self.cases, self.label = cases, label

    def __enter__(self):
        return self

    def __exit__(self, kind, error, tb):
        if self.label in self.cases.decided:  # its failed set-up decided it: the body's outcome is dropped
            return kind is None or issubclass(kind, Exception)
        if kind is None:
            self.cases.outcome[self.label] = None
            return False
        if not issubclass(kind, Exception) or issubclass(kind, PlanError):
            return False
        self.cases.outcome[self.label] = error_text(error)
        self.cases.named.update(getattr(error, "misconceptions", ()))
        return True


class _Setup:
    """Set-up that the checks ``needed_by`` depend on; ``ok`` is False once it has failed."""

    def __init__(self, cases, what, needed_by):
        self.cases, self.what, self.needed_by, self.ok = cases, what, needed_by, True

    def __enter__(self):
        return self

    def __exit__(self, kind, error, tb):
        if kind is None:
            return False
        if not issubclass(kind, Exception) or issubclass(kind, PlanError):
            return False
        self.ok = False
        unrun = [label for label in self.needed_by if label not in self.cases.outcome]
        self.cases.fail_unrun(unrun[:1], f"not run: it needs {self.what}, which failed: {error_text(error)}")
        self.cases.fail_unrun(unrun[1:], f"not run: it needs {self.what}, which failed (see above).")
        return True


@pytest.fixture
def cases():
    return Cases()  # the plugin reads it after the test: score, summary, misconceptions


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """A test with a plan that raises outside its checks keeps what it has earned: the
    exception fails the checks not reached (``Cases.stop``) instead of the whole test."""
    try:
        return (yield)
    except Exception as error:
        cases = item.funcargs.get("cases") if hasattr(item, "funcargs") else None
        if cases is None or not cases.weights or isinstance(error, PlanError):
            raise
        cases.stop(error)
        return None
