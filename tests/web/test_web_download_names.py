"""The results files are named after the premises, the roster and the date, never ``job-2-results.csv`` (issue 11,
fresh-user trial), on the page's download and the API's export alike."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from django.utils import timezone
from web_support import screen, sign_in

from pingan.lib.filenames import content_disposition


def filename(response) -> str:
    header = response["Content-Disposition"]
    assert header.startswith("attachment; filename=\"") and "; filename*=UTF-8''" in header, header
    return unquote(header.split("filename*=UTF-8''", 1)[1])


@pytest.mark.django_db
def test_the_results_are_named_after_the_premises_the_roster_and_the_date(client, cast, risk):
    job = screen(cast.landlord_a, cast.premises_a)
    day = timezone.localdate(job.created_at).isoformat()
    from pingan.core.services import token_create

    secret = token_create(user=cast.landlord_a, name="t", purpose="epidemic_screening").secret
    sign_in(client, cast.landlord_a)
    for fmt in ("csv", "xlsx"):
        want = f"{cast.premises_a.label}-roster-{day}.{fmt}"
        assert filename(client.get(f"/screening/jobs/{job.pk}/results.{fmt}")) == want
        api = client.get(f"/api/v1/jobs/{job.pk}/export?format={fmt}", HTTP_AUTHORIZATION=f"Bearer {secret}")
        assert api["Content-Disposition"] == content_disposition(want)


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "want"), [("zh-hans", "名单模板.xlsx"), ("en", "roster-template.xlsx")])
def test_the_roster_template_is_named_in_the_readers_language(client, cast, language, want):
    # issue 11: the template downloaded as 'roster-template.xlsx' in both languages, its content in the reader's
    sign_in(client, cast.landlord_a)
    client.cookies["django_language"] = language
    header = client.get("/screening/template.xlsx")["Content-Disposition"]
    assert header == content_disposition(want), header
