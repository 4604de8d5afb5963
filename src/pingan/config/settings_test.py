"""Test settings: the real settings, pointed at the test database, with a fast hasher.

The database comes from ``PINGAN_TEST_DATABASE_URL`` (``.ci/run`` points it at a throw-away PostgreSQL
database); without it the suite runs on SQLite in a temporary directory.
"""

import atexit
import os
import shutil
import tempfile

# Always a fresh data directory, whatever PINGAN_DATA_DIR says: the suite writes risk data, keys and results
# there, and must never touch a real one (a user's exported PINGAN_DATA_DIR once got the test listings).
_DATA_DIR = tempfile.mkdtemp(prefix="pingan-test-")
os.environ["PINGAN_DATA_DIR"] = _DATA_DIR
atexit.register(shutil.rmtree, _DATA_DIR, ignore_errors=True)
# … and everything kept there with it: a path the caller's environment names for the keys, the audit trail's keys
# and checkpoints or the screening results would be shared by two test runs at once (one run's key rotation or
# checkpoint seen by the other) and would put test keys in a real installation's folder. Only the data directory
# decides them in a test run (ISOLATED_PATHS; tests/core/test_test_isolation.py).
ISOLATED_PATHS = ("PINGAN_KEY_DIR", "PINGAN_AUDIT_KEY_DIR", "PINGAN_AUDIT_CHECKPOINT_FILE", "PINGAN_RESULTS_DIR")
for _name in ISOLATED_PATHS:
    os.environ.pop(_name, None)
if os.environ.get("PINGAN_TEST_DATABASE_URL"):
    os.environ["PINGAN_DATABASE_URL"] = os.environ["PINGAN_TEST_DATABASE_URL"]
else:
    os.environ.pop("PINGAN_DATABASE_URL", None)
os.environ.pop("PINGAN_PRODUCTION", None)
# The cache too: the suite clears it before every test, so never a real shared one (PINGAN_CACHE_URL); the
# default, a file cache in the temporary data directory, is shared with the CLI subprocesses some tests run.
os.environ.pop("PINGAN_CACHE_URL", None)
os.environ.pop("PINGAN_CACHE_URL_FILE", None)

os.environ["PINGAN_AUDIT_CHECKPOINT_MINUTES"] = "0"  # tests roll their trails back: checkpoints only on purpose

from pingan.config.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; Argon2 is tested explicitly
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Leased jobs (screening) run at once in the submitting process, like the immediate task backend; the tests
# of the worker itself start `pingan worker` in a subprocess with PINGAN_JOBS_INLINE off.
PINGAN = {**PINGAN, "JOBS_INLINE": True}  # noqa: F405
