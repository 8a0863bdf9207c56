"""nbgrader's configuration for building the student version (``make student``).

``python -m coursebuild student`` copies this file into a scratch course directory, writes
the sources there as notebooks under ``build/source/<assignment>/`` and runs ``nbgrader
generate_assignment``, which writes ``build/release/<assignment>/``: solution regions become
stubs, test cells are kept and locked, checksums are set. coursebuild turns the modules back
into ``.py`` files and writes ``assignments/<assignment>/``. Nothing is written next to this file.

The course directory nbgrader's exchange uses (release, fetch, submit, collect, formgrader)
is a different folder, ``build/nbgrader`` (``make nbgrader-course``), with its own
``nbgrader_config.py`` in nbgrader's default layout (``coursebuild/nbgrader_course.py``);
``grade-all`` grades what ``nbgrader collect`` leaves in its ``submitted/`` and writes the
scores into its ``gradebook.db`` (``--nbgrader-db``).
"""
import os

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = "backprop-to-cnn"
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.source_directory = os.path.join("build", "source")
c.CourseDirectory.release_directory = os.path.join("build", "release")

# Every assignment file is copied into the release, not only notebooks.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", ".pytest_cache", "figures"]
c.ClearSolutions.begin_solution_delimeter = "BEGIN SOLUTION"
c.ClearSolutions.end_solution_delimeter = "END SOLUTION"
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.enforce_metadata = True
