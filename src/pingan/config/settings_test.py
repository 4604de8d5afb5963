"""Test settings: the real settings, pointed at the test database, with a fast hasher.

The database comes from ``PINGAN_TEST_DATABASE_URL`` (``.ci/run`` points it at a throw-away PostgreSQL
database); without it the suite runs on SQLite in a temporary directory.
"""

import os
import tempfile

os.environ.setdefault("PINGAN_DATA_DIR", tempfile.mkdtemp(prefix="pingan-test-"))
if os.environ.get("PINGAN_TEST_DATABASE_URL"):
    os.environ["PINGAN_DATABASE_URL"] = os.environ["PINGAN_TEST_DATABASE_URL"]
else:
    os.environ.pop("PINGAN_DATABASE_URL", None)
os.environ.pop("PINGAN_PRODUCTION", None)

from pingan.config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; Argon2 is tested explicitly
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
