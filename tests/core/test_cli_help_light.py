"""``pingan <command> --help`` and a usage error load nothing heavy (issue 11: ``pingan screen --help`` took 4–5 s).

Django's start runs every app's ``ready()``, which imported the screening engine (pyarrow, DuckDB, the name
matchers with pypinyin and OpenCC), the codes' services, the alerts' routing and the dispatch areas (shapely) to
register hooks and home panels; ``pingan screen`` imported its engine and output with the command. Now the apps
register them by name (``pingan.core.deferred``), the hook lists live in ``pingan.screening.hooks``, the name
matchers load pypinyin and OpenCC at first use, and ``screen`` imports its engine where it screens. Checked in a
fresh interpreter, as ``pingan`` starts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

#: What a command's help never needs: each costs 0.1–0.4 s of CPU to import.
HEAVY = ("pyarrow", "duckdb", "pypinyin", "opencc", "shapely", "phonenumbers", "pandas")

SCRIPT = """
import json, os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "pingan.config.settings"
import django
django.setup()
after_setup = [m for m in {heavy!r} if m in sys.modules]
from django.core.management import get_commands, load_command_class
name = {command!r}
load_command_class(get_commands()[name], name).create_parser("pingan", name)
print(json.dumps({{"setup": after_setup, "parser": [m for m in {heavy!r} if m in sys.modules]}}))
"""


def loaded(command: str, tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PINGAN_", "DJANGO_"))}
    env["PINGAN_DATA_DIR"] = str(tmp_path)
    r = subprocess.run([sys.executable, "-c", SCRIPT.format(heavy=HEAVY, command=command)], env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("command", ["screen", "audit", "user", "stats"])
def test_django_starts_and_the_command_builds_its_options_without_the_engines(command, tmp_path):
    said = loaded(command, tmp_path)
    assert said["setup"] == [], said
    assert said["parser"] == [], said
