"""A class: ``grade_all.py`` (discovery, shards, resume, warm or cold graders, error rows) and
``serve.py`` (the warm grader process it starts: one submission after another)."""
