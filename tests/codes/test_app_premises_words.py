"""The police premises page, the landlord's code page and the screening page say each word once and leave no
count out (issue 11: the code card read "red code code …"; the screening line read "1 red, 0 yellow,  silent
hits" for a job whose counts lacked the silent-hit key)."""

from __future__ import annotations

import re

import pytest
from derived_support import RED_ID, TENANTS, import_risk, run
from django.conf import settings
from django.urls import reverse
from test_app_support import isolated, sign_in  # noqa: F401 - fixture

from pingan.screening.models import ScreeningJob

pytestmark = pytest.mark.usefixtures("isolated")

RED = ("张伟", RED_ID)
#: a word said twice in a row: "red code code", "code code", "the the"; in Chinese 红码码, 安全码码, 平安码码
DOUBLED = re.compile(r"(?i)\b([a-z]+)\s+\1\b|码码")
#: a count left empty between words: "0 yellow,  watchlist hits", "黄 0，布控名单命中 " at the end
EMPTY_COUNT = re.compile(r",\s+(?:watchlist|silent|red|yellow|people)\b|(?:红|黄|布控名单命中)\s*(?:[，,；]|$)")


def text(client, url: str, language: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200, url
    body = response.content.decode()
    body = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", body[body.find("<main"):])
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


@pytest.fixture
def screened(db, tmp_path, cast):
    """premises_a screened green, then red: the code card shows the red code and the withdrawn green poster."""
    import_risk(tmp_path)
    run(cast.premises_a, TENANTS[:4])
    return run(cast.premises_a, [*TENANTS[:5], RED])


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_code_card_names_the_level_once(cast, screened, client, language):
    pages = [(cast.officer_a, reverse("dashboard:premises", args=[cast.premises_a.pk])),
             (cast.landlord_a, reverse("codes:premises", args=[cast.premises_a.pk])),
             (cast.landlord_a, reverse("screening:job", args=[screened.pk]))]
    for user, url in pages:
        sign_in(client, user)
        said = text(client, url, language)
        assert ("红码" in said) if language == "zh-hans" else ("red code" in said), url
        # the withdrawn poster is named too: "The poster printed with the green code issued …"
        assert ("绿码" in said) if language == "zh-hans" else ("green code issued" in said), url
        assert not DOUBLED.search(said), (url, DOUBLED.search(said).group(0))
        assert not EMPTY_COUNT.search(said), (url, EMPTY_COUNT.search(said).group(0))
        # why the code was issued is said once (the old-poster notice), not again under the level
        assert said.count("规则自动签发" if language == "zh-hans" else "under the published rule") == 1, url
        client.logout()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_job_whose_counts_lack_a_key_shows_zero_not_a_blank(cast, screened, client, language):
    """Counts stored before a key existed (or by another writer): every page reads 0, the API too."""
    ScreeningJob.objects.filter(pk=screened.pk).update(counts={"accepted": 6, "rejected": 0, "red": 1})
    sign_in(client, cast.officer_a)
    said = text(client, reverse("dashboard:premises", args=[cast.premises_a.pk]), language)
    line = ("6 人：红 1，黄 0，布控名单命中 0" if language == "zh-hans"
            else "6 people: 1 red, 0 yellow, 0 watchlist hits")
    assert line in said
    assert not EMPTY_COUNT.search(said), EMPTY_COUNT.search(said).group(0)
    job = ScreeningJob.objects.get(pk=screened.pk)
    assert job.tally["silent_hits"] == 0 and job.tally["yellow"] == 0 and job.tally["red"] == 1
    client.logout()
    sign_in(client, cast.landlord_a)
    for url in (reverse("screening:job", args=[screened.pk]), reverse("screening:home")):
        said = text(client, url, language)
        assert "0" in said
        assert not EMPTY_COUNT.search(said), (url, EMPTY_COUNT.search(said).group(0))


def test_a_finished_job_stores_every_count_key(cast, screened):
    from pingan.screening.models import COUNT_KEYS

    assert set(COUNT_KEYS) <= set(screened.counts)
    assert screened.counts["silent_hits"] == 0 and screened.counts["red"] == 1
