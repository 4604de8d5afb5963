"""A file that is no table is refused when it is uploaded, like one too large, not queued to fail (issue 11,
fresh-user trial: a PDF uploaded as a roster was accepted, queued, then failed): by its content, whatever its
name — on the upload form, in the reader's language, and over the API."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from web_support import sign_in

from pingan.screening.models import ScreeningJob

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


@pytest.mark.parametrize("name, data, lang, said", [
    ("名单.pdf", PDF, "zh-hans", "PDF"), ("roster.csv", PDF, "en", "Unsupported file type PDF (roster.csv)"),
    ("roster.xlsx", PNG, "en", "Unsupported file type PNG")])
def test_the_upload_form_refuses_a_file_that_is_no_table(client, cast, name, data, lang, said):
    sign_in(client, cast.landlord_a)
    client.cookies["django_language"] = lang
    r = client.post("/screening/upload/", {"premises": cast.premises_a.pk,
                                           "roster": SimpleUploadedFile(name, data)})
    assert r.status_code == 200 and not ScreeningJob.objects.exists()
    assert said in r.content.decode()


def test_the_api_refuses_a_pdf(client, cast):
    from pingan.core.services import token_create

    secret = token_create(user=cast.landlord_a, name="t", purpose="epidemic_screening").secret
    r = client.post("/api/v1/jobs", {"premises_id": cast.premises_a.pk,
                                     "roster": SimpleUploadedFile("roster.csv", PDF)},
                    HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert r.status_code == 400 and r.json()["code"] == "roster_unsupported_type", r.content
    assert not ScreeningJob.objects.exists()


UNRELATED = b"Employee,Department,Salary\nAlice,Sales,5000\n"
HEADER_ONLY = "\ufeff姓名,证件类型,证件号码,手机号码,房号\n".encode()


@pytest.mark.parametrize("data, lang, said", [
    (UNRELATED, "en", "No header row found in the first"), (UNRELATED, "zh-hans", "中找不到表头行"),
    (HEADER_ONLY, "en", "no data rows below the header (row 1)"), (HEADER_ONLY, "zh-hans", "表头"),
])
def test_the_upload_form_refuses_a_roster_without_a_header_or_rows(client, cast, data, lang, said):
    """Issue 11's trial (F16): a CSV with unrelated columns (Employee,Department,Salary) or only a header row
    was accepted by the form, then became a failed job in the history; it is refused on the form, with the
    message the job would have failed with."""
    sign_in(client, cast.landlord_a)
    client.cookies["django_language"] = lang
    r = client.post("/screening/upload/", {"premises": cast.premises_a.pk,
                                           "roster": SimpleUploadedFile("truly-wrong-columns.csv", data)})
    assert r.status_code == 200 and not ScreeningJob.objects.exists()
    assert said in r.content.decode()


@pytest.mark.parametrize("data, code", [(UNRELATED, "roster_no_header"), (HEADER_ONLY, "empty_roster")])
def test_the_api_refuses_them_too(client, cast, data, code):
    from pingan.core.services import token_create

    secret = token_create(user=cast.landlord_a, name="t", purpose="epidemic_screening").secret
    r = client.post("/api/v1/jobs", {"premises_id": cast.premises_a.pk,
                                     "roster": SimpleUploadedFile("roster.csv", data)},
                    HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert r.status_code == 400 and r.json()["code"] == code, r.content
    assert not ScreeningJob.objects.exists()
