"""For developers and demos, never shipped in a grading bundle: ``examples.py`` builds example
submissions from this repository's solutions and stubs, ``demo.py`` grades them."""
