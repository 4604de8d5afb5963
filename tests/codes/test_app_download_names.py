"""Downloads are named after the premises (or roster) and the date, never by an internal id (issue 11, fresh-user
trial: ``job-2-results.csv``, ``pingan-code-2.png``, ``pingan-poster-2.pdf``); Chinese names are given the RFC 6266
way (``filename*=UTF-8''…`` after an ASCII ``filename``), with nothing a file system refuses."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from django.utils import timezone
from test_app_support import isolated, screened, sign_in  # noqa: F401 - fixture

from pingan.codes import services
from pingan.lib.filenames import download_name

pytestmark = pytest.mark.usefixtures("isolated")


def test_a_name_is_safe_for_any_file_system():
    assert download_name("莲前东路8号/3单元:502室", "结果", "2026-12-07", ext="csv") == \
        "莲前东路8号 3单元 502室-结果-2026-12-07.csv"
    assert download_name(' "a"\x00 ', "", "..", ext="png") == "a.png"
    assert download_name("x" * 300, ext="pdf") == "x" * 80 + ".pdf"


def filename(response) -> str:
    header = response["Content-Disposition"]
    assert header.startswith('attachment; filename="') and "; filename*=UTF-8''" in header, header
    return unquote(header.split("filename*=UTF-8''", 1)[1])


@pytest.mark.django_db
def test_the_code_image_and_the_poster_are_named_after_the_premises_and_the_date(client, cast):
    screened(cast.premises_a, ["green"])
    code = services.safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)
    day = timezone.localdate(code.issued_at).isoformat()
    sign_in(client, cast.landlord_a)
    for lang, png, pdf in (("zh-hans", "平安码", "门贴"), ("en", "Safety code", "door poster")):
        client.cookies["django_language"] = lang
        base = f"/codes/premises/{cast.premises_a.pk}"
        assert filename(client.get(f"{base}/qr.png")) == f"{cast.premises_a.label}-{png}-{day}.png"
        assert filename(client.get(f"{base}/poster.pdf")) == f"{cast.premises_a.label}-{pdf}-{day}.pdf"
