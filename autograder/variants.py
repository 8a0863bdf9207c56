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
4. none of these: a random secret is created in ``~/.config/autograder/secret`` (a file only
   its owner can read, in a folder only its owner can enter) and the output says where. There
   is no constant fallback that a student could compute seeds from. ``make gradescope``
   refuses to build a bundle unless a secret is configured (1 to 3).

Each test draws from its own stream, ``rng_for(seed, test name)``, so adding or skipping a
test does not change the inputs of the others. The lecture's worked examples (the 4×4
pooling example, σ'(0) = 1/4, the 32×32×3 image with a 5×5×3 filter) stay fixed.
"""
import hashlib
import os
import secrets
import zlib
from pathlib import Path

import numpy as np

def secret_files(environ=None):
    """The files a secret may be read from, in the order they are looked at."""
    environ = os.environ if environ is None else environ
    named = environ.get("AUTOGRADER_SECRET_FILE")
    home = Path(environ.get("HOME") or Path.home())
    return ([Path(named)] if named else []) + [home / ".config" / "autograder" / "secret"]


def find_secret(environ=None, create=True):
    """(secret as bytes, where it was found: a phrase for the results' output). With no
    secret configured, creates a random one in the owner-only default file (``create``), or
    returns (None, what was looked at)."""
    environ = os.environ if environ is None else environ
    if environ.get("AUTOGRADER_SECRET"):
        return environ["AUTOGRADER_SECRET"].encode(), "the environment variable AUTOGRADER_SECRET"
    files = secret_files(environ)
    for path in files:
        try:
            secret = path.read_bytes().strip()
        except OSError:
            continue
        if secret:
            return secret, f"the file {path}"
    looked = " or ".join(str(p) for p in files)
    if not create:
        return None, f"no AUTOGRADER_SECRET and no secret file at {looked}"
    try:
        return _create_secret(files[-1]), (
            f"the file {files[-1]}, created now with a random secret (none was configured): "
            "keep it, or grades drawn from it cannot be reproduced")
    except OSError as error:
        return secrets.token_hex(32).encode(), (
            f"a random secret for this run only (none was configured, and {files[-1]} could not be "
            f"created: {error.strerror}): set AUTOGRADER_SECRET so that a regrade draws the same inputs")


def _create_secret(path):
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    secret = secrets.token_hex(32).encode()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another grader process created it a moment ago
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as handle:
        handle.write(secret + b"\n")
    return secret


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
