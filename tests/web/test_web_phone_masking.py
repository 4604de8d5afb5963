"""A phone is masked as a phone, an ID number as an ID number (issue 11, fresh-user trial of the police pages: an
invalid phone typed "1380013800x" read "138******0X" — an ID number's check character — on the results page).
Everywhere the phone is masked — the screened row's reason, a row not screened, the downloads — the letter stays as
written, and an invalid phone is flagged as one (on the police person page too, with no call link)."""

from __future__ import annotations

import csv
import io

import pytest
from test_web_results import csv_roster, get, part
from web_support import GREEN_ID, screen, sign_in

from pingan.lib.redact import mask_numbers, mask_phone

pytestmark = pytest.mark.django_db

BAD = "1380013800x"
SHOWN, AS_ID = "138******0x", "138******0X"


def test_the_maskers_follow_the_kind_of_value():
    assert mask_phone(BAD) == SHOWN and mask_numbers(f"手机号码“{BAD}”不是有效号码") == f"手机号码“{SHOWN}”不是有效号码"
    assert mask_phone("138-0013-8000") == "138******00" and mask_phone("1.3800138E+10") == "138******00"
    assert mask_phone("12345") == "12345"
    # an ID number's check character is still one, whatever case it was typed in
    assert mask_numbers("11010119900307851x") == "110*************1X"


@pytest.mark.parametrize("lang, invalid", [("zh-hans", "不是有效号码"), ("en", "not a valid phone number")])
def test_an_invalid_phone_reads_as_an_invalid_phone_on_every_page_and_download(client, cast, risk, lang, invalid,
                                                                               tmp_path):
    flagged = {"zh-hans": f"{SHOWN}（不是有效号码）", "en": f"{SHOWN} (not a valid phone number)"}
    job = screen(cast.landlord_a, cast.premises_a, csv_roster([["王芳", "居民身份证", GREEN_ID, BAD, "1"],
                                                               ["", "", "", BAD, "2"]]))
    sign_in(client, cast.landlord_a)
    html = get(client, f"/screening/jobs/{job.pk}/", lang)
    fix = part(html, 'id="rejected"', "</ul>")
    assert AS_ID not in html and SHOWN in part(fix, 'id="unverified-2"', "</li>")
    phone_slot = part(fix, 'data-slot="phone"', "</li>")
    assert SHOWN in phone_slot and "data-phone-invalid" in phone_slot and invalid in phone_slot
    for ext in ("csv", "xlsx"):
        body = client.get(f"/screening/jobs/{job.pk}/results.{ext}").content
        if ext == "csv":
            text = body.decode("utf-8-sig")
            assert AS_ID not in text and SHOWN in text and BAD not in text
            # flagged as the page flags it, in the reader's language (it had the masked phone alone)
            assert flagged[lang] in {r[0]: r for r in csv.reader(io.StringIO(text))}["3"]
        else:
            import openpyxl

            sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
            assert flagged[lang] in [c for row in sheet.iter_rows(values_only=True) for c in row]
    # the machine form (API, pingan screen --codes) keeps the cell as it was: the masked phone alone
    from pingan.screening.services import screening_job_export

    out = tmp_path / "machine.csv"
    screening_job_export(job=job, out=out, lang=None)
    machine = {r[0]: r for r in csv.reader(io.StringIO(out.read_text("utf-8-sig")))}["3"]
    assert SHOWN in machine and flagged[lang] not in machine
    sign_in(client, cast.officer_a)
    person = job.persons.get(row=2)
    page = get(client, f"/police/persons/{person.pk}/", lang)
    phone = part(page, "data-phone-invalid", "</dd>")
    assert invalid in phone and f'href="tel:{BAD}"' not in page and BAD in page

