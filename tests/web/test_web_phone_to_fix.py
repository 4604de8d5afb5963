"""A screened row whose phone is not a valid number is a row to fix, on the page and in the files alike (issue 11,
fresh-user trial: "12345" stood under the screened people, not counted among the rows to fix, and results.csv's
"To fix" column was empty while its reason said the phone is not valid)."""

from __future__ import annotations

import csv
import io

import pytest
from test_web_results import csv_roster, get, part
from web_support import GREEN_ID, YELLOW_ID, screen, sign_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("lang, counted, yes", [("zh-hans", "1 行需要修改", "是"), ("en", "1 row to fix", "yes")])
def test_an_invalid_phone_is_counted_listed_and_exported_as_a_row_to_fix(client, cast, risk, lang, counted, yes):
    job = screen(cast.landlord_a, cast.premises_a, csv_roster([["王芳", "居民身份证", GREEN_ID, "12345", "1"],
                                                               ["李娜", "居民身份证", YELLOW_ID, "13900139000", "2"]]))
    sign_in(client, cast.landlord_a)
    html = get(client, f"/screening/jobs/{job.pk}/", lang)
    fix = part(html, 'id="rejected"', "</ul>")
    assert counted in part(html, 'id="fix-counts"', "</p>") and "王芳" in fix and "12345" in fix
    assert 'id="phone-to-fix"' in part(html, 'id="summary"', "</dl>")
    assert "王芳" not in part(html, 'id="accepted"') and "李娜" in part(html, 'id="accepted"')
    text = client.get(f"/screening/jobs/{job.pk}/results.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    head, by_row = rows[0], {r[0]: r for r in rows[1:]}
    assert by_row["2"][head.index("需要修改" if lang == "zh-hans" else "To fix")] == yes
    assert by_row["2"][-1] == "phone_invalid" and by_row["3"][-1] == ""
    assert by_row["3"][head.index("需要修改" if lang == "zh-hans" else "To fix")] == ""
    from pingan.core.services import token_create

    secret = token_create(user=cast.landlord_a, name="t", purpose="epidemic_screening").secret
    api = client.get(f"/api/v1/jobs/{job.pk}/results", HTTP_AUTHORIZATION=f"Bearer {secret}").json()
    items = api["items"] if isinstance(api, dict) else api
    assert {r["row"]: r["to_fix_code"] for r in items}[2] == "phone_invalid"
