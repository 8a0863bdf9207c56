"""Builds the student and solution versions of each assignment from ``source/``.

See ``docs/authoring.md`` for how source files are written.
"""
