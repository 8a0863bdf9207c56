"""One file per sandbox backend; each defines ``BACKEND`` (see ``sandbox/backend.py``)."""
