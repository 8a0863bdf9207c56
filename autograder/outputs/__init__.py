"""What grading leaves behind: ``results.py`` (Gradescope's results.json, atomic writes),
``gradebook.py`` (the CSV and the feedback pages), ``report.py`` (the class report),
``nbgrader_gradebook.py`` (scores and late penalties into nbgrader's gradebook.db),
``gradescope.py`` and ``resources.py`` (the Gradescope bundle and what its container needs)."""
