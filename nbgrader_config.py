"""nbgrader's course configuration, in nbgrader's own directory names.

``source/<assignment>/`` holds jupytext .py files; ``make student`` converts them to notebooks
under ``build/source`` (nbgrader's source directory) and lets ``nbgrader generate_assignment``
write ``build/release`` (its release directory), which becomes ``assignments/``.
Students' work is collected in nbgrader's ``submitted/<student>/<assignment>/`` layout, which
``make autograde`` grades with this project's own sandboxed autograder.
"""
import os

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = "backprop-to-cnn"
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.source_directory = os.path.join("build", "source")
c.CourseDirectory.release_directory = os.path.join("build", "release")
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = os.path.join("build", "autograded")
c.CourseDirectory.feedback_directory = os.path.join("build", "feedback")
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(c.CourseDirectory.root, "build", "gradebook.db")

# Every assignment file is copied into the release, not only notebooks.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", ".pytest_cache", "figures"]
c.ClearSolutions.begin_solution_delimeter = "BEGIN SOLUTION"
c.ClearSolutions.end_solution_delimeter = "END SOLUTION"
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.enforce_metadata = True
