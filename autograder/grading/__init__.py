"""One submission: the session with its sandboxed worker and the hidden suite's run.

``runner.py`` runs the suite with pytest in the grader process and builds the results;
``plugin.py`` is that run's pytest plugin; ``remote.py`` is the ``student`` session and its
proxies; ``channel.py`` the framed request/reply with the worker; ``pipes.py`` the pipes
with a deadline that every child process of the grader is talked to through.
"""
