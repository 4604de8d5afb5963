"""A results file a person downloads lists several values in a cell as the reader's language lists them, as the
pages do (issue 11: a Chinese file listed a row's hits with a separator that is not a Chinese list's); the API's
export keeps its stable machine form."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from web_support import make_job, sign_in

pytestmark = pytest.mark.django_db


def test_a_rows_hits_are_listed_as_the_readers_language_lists(client, cast):
    job = make_job(cast.landlord_a, cast.premises_a, "甲")
    hits = Path(job.result_dir) / "hits.parquet"
    more = pa.Table.from_pylist([{"row": 2, "rule_id": "area-medium", "match_kind": "name_dob", "silent": False}],
                                schema=pq.read_schema(hits))
    pq.write_table(pa.concat_tables([pq.read_table(hits), more]), hits)
    sign_in(client, cast.officer_a)
    cells = {}
    for lang in ("zh-hans", "en"):
        client.cookies["django_language"] = lang
        data = client.get(f"/screening/jobs/{job.pk}/results.csv").content.decode("utf-8-sig")
        cells[lang] = list(csv.reader(io.StringIO(data)))[1][-2]  # row 2's hits (the stable code is last)
    zh, en = cells["zh-hans"], cells["en"]
    assert zh.count("、") == 1 and "; " not in zh and "；" not in zh, zh
    first, second = zh.split("、")
    assert first.startswith("到过高风险区") and second.startswith("到过中风险区"), zh
    assert en.startswith("Stayed in a high-risk area (") and "), Stayed in a medium-risk area (" in en, en
    assert "; " not in en
    from pingan.core.services import token_create

    secret = token_create(user=cast.officer_a, name="t", purpose="epidemic_screening").secret
    api = client.get(f"/api/v1/jobs/{job.pk}/export?format=csv", HTTP_AUTHORIZATION=f"Bearer {secret}")
    rows = {r["row"]: r for r in csv.DictReader(io.StringIO(api.content.decode("utf-8-sig")))}
    assert rows["2"]["police_hits"] == "area-high:id_exact; area-medium:name_dob"  # the machine form
