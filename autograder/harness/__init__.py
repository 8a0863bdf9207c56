"""The sandbox side: everything here runs inside the sandbox, copied in as a whole folder.

It imports only the standard library, numpy, torch and its siblings. The grader imports
nothing from it except the wire format, ``protocol.py``.
"""
