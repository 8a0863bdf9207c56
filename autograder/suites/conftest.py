"""Helpers shared by every hidden suite.

From the grading session (the runner's pytest plugin, autograder/plugin.py):

``student``:    the submission, reached only through the sandboxed worker (see remote.py).
``input_seed``: this submission's seed (variants.py: course secret + submission sha256).

Defined here:

``cases``:      partial credit. Each ``with cases.check("what"):`` block is one check; a
                failed check is recorded and the test goes on. A test that finishes earns
                points × passed / total. The misconceptions its failures matched
                (misconceptions.py) go to ``extra_data.misconceptions``.
``rng``:        the test's own numpy Generator under that seed: hidden inputs are drawn
                from it, so every submission gets its own; lecture examples stay fixed.
"""
from collections import Counter

import pytest

from autograder import variants


@pytest.fixture
def rng(request, input_seed):
    return variants.rng_for(input_seed, request.node.originalname)


class Cases:
    def __init__(self):
        self.passed = 0
        self.failures = []
        self.named = Counter()  # misconception name -> number of failed checks that matched it

    @property
    def total(self):
        return self.passed + len(self.failures)

    def check(self, label):
        return _Check(self, label)

    def summary(self):
        head = f"{self.passed} of {self.total} checks passed."
        return "\n".join([head] + [f"- {label}: {text}" for label, text in self.failures])


class _Check:
    def __init__(self, cases, label):
        self.cases, self.label = cases, label

    def __enter__(self):
        return self

    def __exit__(self, kind, error, tb):
        if kind is None:
            self.cases.passed += 1
            return False
        if not issubclass(kind, Exception):
            return False
        text = str(error) if isinstance(error, AssertionError) else f"{kind.__name__}: {error}"
        text = text.split("\nassert ")[0] if not text.startswith("assert ") else text
        self.cases.failures.append((self.label, text.strip()[:1500]))
        self.cases.named.update(getattr(error, "misconceptions", ()))
        return True


@pytest.fixture
def cases():
    return Cases()  # the plugin reads it after the test: score, summary, misconceptions
