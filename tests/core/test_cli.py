"""The `pingan` entry point on the embedded default (SQLite), in a subprocess like a user runs it."""

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.smoke


def run(tmp_path, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PINGAN_", "DJANGO_"))}
    env["PINGAN_DATA_DIR"] = str(tmp_path)
    return subprocess.run([sys.executable, "-m", "pingan.cli", *args], env=env, capture_output=True, text=True,
                          timeout=300)


def test_it_initialises_a_fresh_embedded_database_on_first_use(tmp_path):
    r = run(tmp_path, "audit", "head")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["0", "0" * 64]
    assert (tmp_path / "pingan.sqlite3").exists()
    # an empty trail is not "intact": without a checkpoint it cannot be told from an emptied one
    r = run(tmp_path, "audit", "verify")
    assert r.returncode == 1 and "the trail is empty" in r.stderr


def test_it_reports_a_configuration_error_clearly(tmp_path):
    env_run = subprocess.run([sys.executable, "-m", "pingan.cli", "check"], capture_output=True, text=True,
                             env={**os.environ, "PINGAN_DATA_DIR": str(tmp_path), "PINGAN_PRODUCTION": "1",
                                  "DJANGO_SETTINGS_MODULE": "pingan.config.settings", "PINGAN_LANGUAGE": "en"},
                             timeout=120)
    assert env_run.returncode == 2
    assert "configuration error" in env_run.stderr
