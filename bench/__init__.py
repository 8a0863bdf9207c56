"""``make bench``: how fast grading, public tests and the reference CNN are on this machine."""
