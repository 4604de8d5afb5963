"""Two test runs at once share nothing on disk (the CI log of 2026-12-07: helpers running the suite side by side
got spurious failures). The test settings give every run a fresh data directory, whatever ``PINGAN_DATA_DIR``
says, and everything the settings keep there — the cache (cleared before every test), the code-signing keys, the
audit trail's keys and checkpoints, the screening results — stays in it even when the caller's environment names
another place for it (``pingan.config.settings_test.ISOLATED_PATHS``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SHOW = """
import json
from pingan.config import settings_test as s
print(json.dumps({"data": str(s.DATA_DIR), "cache": s.CACHES["default"].get("LOCATION", ""),
                  "paths": [str(s.PINGAN[k]) for k in ("KEY_DIR", "AUDIT_KEY_DIR", "AUDIT_CHECKPOINT_FILE",
                                                        "RESULTS_DIR")]}))
"""


def test_two_runs_at_once_keep_their_data_keys_and_cache_apart(tmp_path):
    shared = tmp_path / "shared"
    env = {**os.environ, "PINGAN_DATA_DIR": str(shared), "PINGAN_KEY_DIR": str(shared / "keys"),
           "PINGAN_AUDIT_KEY_DIR": str(shared / "audit-keys"),
           "PINGAN_AUDIT_CHECKPOINT_FILE": str(shared / "audit-checkpoints.jsonl"),
           "PINGAN_RESULTS_DIR": str(shared / "results")}
    env.pop("PINGAN_CACHE_URL", None)
    runs = [json.loads(subprocess.run([sys.executable, "-c", SHOW], env=env, capture_output=True, text=True,
                                      check=True, timeout=120).stdout) for _ in range(2)]
    assert runs[0]["data"] != runs[1]["data"]
    for run in runs:
        data = Path(run["data"])
        assert data != shared and not data.is_relative_to(shared)
        assert Path(run["cache"]).is_relative_to(data), run
        for path in run["paths"]:
            assert Path(path).is_relative_to(data), (path, run)
