"""Hidden inputs drawn per submission: the seed comes from a course secret and the files.

    input_seed = first 8 bytes of sha256(secret ‖ 0x00 ‖ submission_sha256), as an integer < 2⁶³

The secret is never shipped (not in the student bundle, not in this repository), so a
student cannot compute another submission's inputs, and an input that leaks once does not
come back for a changed submission. The same files graded with the same secret get the
same seed, hence the same inputs and the same score; ``extra_data.input_seed`` records it,
so a regrade can be checked against it.

Where the secret is looked for, first hit wins (the results' ``output`` names the place,
never the secret):

1. the environment variable ``AUTOGRADER_SECRET``;
2. the file named by ``AUTOGRADER_SECRET_FILE``;
3. ``~/.config/autograder/secret``;
4. a fixed development secret (``DEVELOPMENT_SECRET``): fine for trying the grader, not for
   a class, and the output says so.

Each test draws from its own stream, ``rng_for(seed, test name)``, so adding or skipping a
test does not change the inputs of the others. The lecture's worked examples (the 4×4
pooling example, σ'(0) = 1/4, the 32×32×3 image with a 5×5×3 filter) stay fixed.
"""
import hashlib
import os
import zlib
from pathlib import Path

import numpy as np

DEVELOPMENT_SECRET = "autograder-development-secret"
SECRET_FILE = Path("~/.config/autograder/secret")


def find_secret(environ=None):
    """(secret as bytes, where it was found: a phrase for the results' output)."""
    environ = os.environ if environ is None else environ
    if environ.get("AUTOGRADER_SECRET"):
        return environ["AUTOGRADER_SECRET"].encode(), "the environment variable AUTOGRADER_SECRET"
    looked = []
    named = environ.get("AUTOGRADER_SECRET_FILE")
    for path in ([Path(named)] if named else []) + [SECRET_FILE.expanduser()]:
        looked.append(str(path))
        try:
            secret = path.read_bytes().strip()
        except OSError:
            continue
        if secret:
            return secret, f"the file {path}"
    return DEVELOPMENT_SECRET.encode(), (
        "the fixed development secret (no AUTOGRADER_SECRET, no secret file at "
        f"{' or '.join(looked)}): set AUTOGRADER_SECRET for a class")


def input_seed(submission_sha256, secret):
    """The seed of one submission's hidden inputs (an int below 2⁶³)."""
    digest = hashlib.sha256(secret + b"\0" + submission_sha256.encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def rng_for(seed, test_name):
    """The numpy Generator of one test's hidden inputs under ``seed``."""
    return np.random.default_rng([int(seed), zlib.crc32(test_name.encode())])


def choose_seed(submission_sha256, environ=None):
    """(input seed, a line for the results' output). ``AUTOGRADER_INPUT_SEED`` (an integer)
    replaces the derived seed: an instructor reproduces a student's hidden inputs from the
    ``extra_data.input_seed`` of their results without handling the secret."""
    environ = os.environ if environ is None else environ
    forced = environ.get("AUTOGRADER_INPUT_SEED", "").strip()
    if forced:
        return int(forced), f"hidden inputs: seed {int(forced)} from AUTOGRADER_INPUT_SEED"
    secret, where = find_secret(environ)
    return input_seed(submission_sha256, secret), f"hidden inputs: drawn for this submission, secret from {where}"
