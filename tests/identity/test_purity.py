"""The identity core must run in batch workers without Django (DuckDB jobs today, Spark executors later)."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_identity_package_does_not_import_django() -> None:
    code = "import sys, pingan.lib.identity; print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
