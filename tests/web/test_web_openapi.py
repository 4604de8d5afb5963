"""The committed OpenAPI document (``openapi.json`` at the repository root) is the API's contract.

A change to the API changes the generated document; this test fails until the committed file is updated
on purpose: ``PINGAN_UPDATE_OPENAPI=1 .venv/bin/pytest tests/web/test_web_openapi.py`` rewrites it, and
the diff goes into review with the change.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

COMMITTED = Path(__file__).resolve().parents[2] / "openapi.json"


def generated() -> str:
    from pingan.config.api import api

    return json.dumps(api.get_openapi_schema(path_prefix="/api/"), indent=2, ensure_ascii=False,
                      sort_keys=True) + "\n"


def test_it_matches_the_committed_openapi_document():
    doc = generated()
    if os.environ.get("PINGAN_UPDATE_OPENAPI") == "1":
        COMMITTED.write_text(doc, encoding="utf-8")
    assert COMMITTED.exists(), "openapi.json is missing: run PINGAN_UPDATE_OPENAPI=1 on this test"
    committed = COMMITTED.read_text(encoding="utf-8")
    if committed != doc:
        old, new = json.loads(committed), json.loads(doc)
        changed = sorted(set(old.get("paths", {})) ^ set(new.get("paths", {}))) or sorted(
            p for p in new.get("paths", {}) if old["paths"].get(p) != new["paths"][p])
        raise AssertionError(
            f"the API changed (paths: {changed or 'components only'}) but openapi.json was not updated. If the "
            f"change is deliberate, run: PINGAN_UPDATE_OPENAPI=1 .venv/bin/pytest tests/web/test_web_openapi.py "
            f"and commit openapi.json with the change.")


def test_it_serves_the_document_at_api_openapi_json(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"/api/v1/jobs", "/api/v1/jobs/{job_id}", "/api/v1/jobs/{job_id}/results", "/api/v1/flagged"} <= set(paths)
