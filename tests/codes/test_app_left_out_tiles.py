"""Every count tile of the flagged people links to the people it counts — the "no longer on the roster" ones
too (issue 11: "not screened, no longer on the roster" — now "unresolved, …" — was the only tile without a
link; the others led to their lists). On the police home, the jurisdiction view and the premises page, in both
languages; the list a tile opens says what it was narrowed to and counts what the tile said."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from test_app_counts_add_up import tiles
from test_app_off_roster_agree import upload
from test_app_support import isolated, sign_in  # noqa: F401 - fixture

from pingan.screening.models import PersonResult

pytestmark = pytest.mark.usefixtures("isolated")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_tile_links_to_its_people_the_left_out_ones_too(client, cast, language):
    _job, rows, _outcome = upload(cast.premises_a, ["red", ""])
    upload(cast.premises_a, ["green"])  # leaves out the red tenant and the one screened without a level
    PersonResult.objects.filter(pk=rows["accepted"][0].pk).update(level="green")  # re-screened green since
    sign_in(client, cast.officer_a)
    client.cookies["django_language"] = language
    premises = reverse("dashboard:premises", args=[cast.premises_a.pk])
    for url, div, anchor in ((reverse("dashboard:jurisdiction"), "flagged-counts", ""), ("/", "home-flagged", ""),
                             (premises, "people-counts", "#people")):
        html = client.get(url).content.decode()
        block = html[html.index(f'id="{div}"'):]
        block = block[:block.index("</div>")]
        _total, parts = tiles(html, div)
        assert parts["unscreened"] == 1 and parts["other"] == 1, (url, parts)
        shown = re.findall(r'<(a|span) class="stat[^"]*"(?: href="([^"]*)")?', block)
        assert shown and all(tag == "a" and href for tag, href in shown), (url, shown)
        for part in ("unscreened", "other"):
            link = re.search(rf'<a class="stat" href="([^"]*)"[^>]*data-part="{part}"', block).group(1)
            assert link.endswith(f"?part={part}{anchor}"), link
            target = (url if link.startswith("?") else "") + link.split("#")[0]
            page = client.get(target).content.decode()
            narrowed, _parts = tiles(page, "people-counts" if div == "people-counts" else "flagged-counts")
            assert narrowed == 1, (target, _parts)
            assert 'id="part-filter"' in page  # the page says what the list was narrowed to
            assert f'name="part" value="{part}"' in page  # and its search keeps it
