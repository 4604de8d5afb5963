"""A statistics download speaks its downloader's language (issue 11, "Language": result downloads had English
headings and values — ``source_ref``, ``open``, ``bureau``, ``False`` — in a Chinese file, and the public
release's note was "English / 中文" side by side in every file). The API keeps the field names and codes."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

Q = "as_of=2024-03-06"


def sign_in(client, user, language) -> None:
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session["purpose"] = "jurisdiction_management"
    session.save()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language


def rows_of(response, fmt: str) -> list[list[str]]:
    if fmt == "csv":
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    return [["" if v is None else str(v) for v in row] for row in sheet]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_incidents_download_has_headings_and_values_in_the_downloaders_language(
    client, cast, incidents, language, fmt
):
    from page_language import assert_language, data_values

    sign_in(client, cast.analyst, language)
    rows = rows_of(client.get(f"/stats/u/350200/incidents.{fmt}?{Q}"), fmt)
    head, body = rows[0], [r for r in rows[1:] if any(r)]
    assert body
    col = {h: j for j, h in enumerate(head)}
    if language == "zh-hans":
        assert head[:5] == ["记录编号", "来源", "来源中的编号", "单位", "统计日期"]
        assert not [h for h in head if re.fullmatch(r"[a-z_]+", h)]  # no field name left
        for name in ("来源", "单位", "是否未遂" if "是否未遂" in col else "未遂", "状态"):
            if name in col:  # the source, the unit, attempted and the status are words, not codes
                assert not [r[col[name]] for r in body if re.search(r"[A-Za-z]", r[col[name]])], name
    else:
        assert head[:5] == ["Record", "Source", "Reference in the source", "Unit", "Counted on"]
        assert {r[col["Source"]] for r in body} == {"bureau case file"}
        assert {r[col["Attempted"]] for r in body} <= {"yes", "no"}
    data = data_values(
        "stats.Incident.location", "stats.Incident.block", "stats.Incident.source_category", "core.OrgUnit.name_en"
    )
    for r in [head, *body]:
        for cell in r:
            assert_language(cell, language, data)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_public_release_note_is_in_one_language(client, cast, incidents, language):
    from page_language import assert_language, data_values

    sign_in(client, cast.analyst, language)
    rows = rows_of(client.get(f"/stats/u/350200/public.xlsx?{Q}&from=2023-01-01"), "xlsx")
    note = next(c for r in rows for c in r if " · " in c)  # the unit, the period, the scheme, …
    assert "@" not in note  # the classification by its name and version, not its id (issue 11)
    assert ("少于 3 的计数不公布" in note) is (language == "zh-hans")
    assert ("counts below 3 withheld" in note) is (language == "en")
    assert_language(note.split(" · ", 1)[1], language, data_values("core.OrgUnit.name_en"))
