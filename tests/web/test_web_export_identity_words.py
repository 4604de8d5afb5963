"""The police results file says what was checked of each document (issue 11, fresh-user trial): a 居民身份证 row
with no number read "Document type: document", and a passport number "Identity check: valid" though a passport
number has no check character. Now: no type for no number, "format only" for a number without a check — in
the file and on the person page."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from test_web_results import csv_roster
from web_support import GREEN_ID, screen, sign_in

pytestmark = pytest.mark.django_db

WORDS = {"en": ("Document type", "Identity check", "format only (no check digit)", "resident ID card", "valid"),
         "zh-hans": ("证件类型", "证件核验", "仅核对格式（无校验位）", "居民身份证", "有效")}


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_the_police_file_says_no_type_for_no_number_and_format_only_for_a_passport(client, cast, risk, lang):
    from pingan.screening.models import PersonResult

    job = screen(cast.landlord_a, cast.premises_a, csv_roster([["王芳", "护照", "E12345678", "13700137000", "1"],
                                                               ["李四", "居民身份证", "", "13800138000", "2"],
                                                               ["张三", "居民身份证", GREEN_ID, "13900139000", "3"]]))
    sign_in(client, cast.officer_a)
    client.cookies["django_language"] = lang
    text = client.get(f"/screening/jobs/{job.pk}/results.csv").content.decode("utf-8-sig")
    rows = {r["行号" if lang == "zh-hans" else "Row"]: r for r in csv.DictReader(io.StringIO(text))}
    doc, check, fmt, ric, valid = WORDS[lang]
    assert rows["3"][doc] == "", rows["3"]
    assert rows["4"][doc] == ric and rows["4"][check] == valid, rows["4"]
    passport = rows["2"]
    assert passport[check] == fmt, passport
    person = PersonResult.objects.get(job=job, row=2)
    assert person.identity_status == "valid"
    html = client.get(reverse("dashboard:person", args=[person.pk])).content.decode()
    assert fmt in html
