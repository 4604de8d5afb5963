"""Follow-ups of issue 11's trial of the police pages: a count said in words takes the plural its number needs
(the premises page's screenings read "1 watchlist hits"), and a person's title shows every badge the lists show
(a red watchlist hit's title said "watchlist hit" alone, not red)."""

from __future__ import annotations

import pathlib
import re

import pytest
from test_web_results import get
from web_support import make_job, sign_in

import pingan

pytestmark = pytest.mark.django_db

# a number written before a counted noun, in a message of the police and landlord pages
COUNTED = re.compile(r"\{\{ *\w+ *\}\} +(?:watchlist )?(?:people|persons|person|days|day|rows|row|hits|hit)\b")
BLOCK = re.compile(r"{% blocktranslate([^%]*)%}(.*?){% endblocktranslate %}", re.S)


def test_every_counted_noun_of_the_police_and_landlord_pages_has_a_plural_form():
    src = pathlib.Path(pingan.__file__).parent
    bare = []
    for app in ("dashboard", "codes", "screening", "core"):
        for path in sorted((src / app).rglob("*.html")):
            text = path.read_text()
            for m in BLOCK.finditer(text):
                if " count " not in f" {m.group(1)} " and COUNTED.search(m.group(2)):
                    bare.append(f"{path.relative_to(src)}: {m.group(2)[:80]}")
    assert not bare, bare


@pytest.mark.parametrize("lang, line", [("en", "3 people: 1 red, 1 yellow, 1 watchlist hit<"),
                                        ("zh-hans", "3 人：红 1，黄 1，布控名单命中 1<")])
def test_the_premises_pages_screenings_line_says_one_watchlist_hit(client, cast, lang, line):
    make_job(cast.landlord_a, cast.premises_a, "甲")
    sign_in(client, cast.officer_a)
    assert line in get(client, f"/police/premises/{cast.premises_a.pk}/", lang)


@pytest.mark.parametrize("lang, heading", [("en", "Not screened for 1 day<"), ("zh-hans", "超过 1 天未筛查<")])
def test_the_jurisdiction_views_stale_heading_says_one_day(client, cast, lang, heading):
    sign_in(client, cast.officer_a)
    assert heading in get(client, "/police/?days=1", lang)


def badges(html: str) -> list[str]:
    title = re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)
    return [re.sub(r"\s+", " ", b).strip() for b in re.findall(r'<span class="level [^"]*"[^>]*>(.*?)</span>', title)]


@pytest.mark.parametrize("lang, hit, red, green", [("en", "watchlist hit", "Red", "Green"),
                                                   ("zh-hans", "布控名单命中", "红码", "绿码")])
def test_a_persons_title_shows_the_watchlist_badge_and_the_red_level(client, cast, lang, hit, red, green):
    from pingan.screening.models import PersonResult

    make_job(cast.landlord_a, cast.premises_a, "甲")
    PersonResult.objects.filter(name="甲红").update(silent_hit=True)
    sign_in(client, cast.officer_a)
    person = PersonResult.objects.get(name="甲红")
    assert badges(get(client, f"/police/persons/{person.pk}/", lang)) == [hit, person.get_level_display()]
    # a green watchlist hit: its watchlist badge only, as in the lists (green would read "nothing to act on")
    greenhit = PersonResult.objects.get(name="甲绿")
    assert greenhit.silent_hit and badges(get(client, f"/police/persons/{greenhit.pk}/", lang)) == [hit]
    plain = PersonResult.objects.get(name="甲黄")
    assert len(badges(get(client, f"/police/persons/{plain.pk}/", lang))) == 1
