"""The officer's job page: the tiles, the chips and the list of people to act on tell the same figures, the
people whose ID number is to fix included (issue 11, fresh-user trial: chips 绿 4 黄 2 红 0, tiles 0 黄, and
"nobody to act on" while the two yellow people sat among the rows to fix)."""

from __future__ import annotations

import re

import pytest
from test_web_results import csv_roster, get, part
from web_support import GREEN_ID, RED_ID, YELLOW_ID, screen, sign_in

pytestmark = pytest.mark.django_db


def tile(html: str, cls: str) -> int:
    tiles = part(html, 'id="people-counts"', "</div>")
    return int(re.search(rf'class="stat{cls}"[^>]*><b>(\d+)</b>', tiles).group(1))


@pytest.mark.parametrize("lang, note", [("zh-hans", "证件号码也需要修改"), ("en", "The ID number is also to fix")])
def test_it_lists_a_flagged_person_whose_number_is_to_fix_among_those_to_act_on(client, cast, risk, lang, note):
    wrong = RED_ID[:-1] + ("0" if RED_ID[-1] != "0" else "1")  # a wrong check character: screened, number to fix
    job = screen(cast.landlord_a, cast.premises_a, csv_roster([["张伟", "居民身份证", wrong, "", "1"],
                                                               ["李娜", "居民身份证", YELLOW_ID, "", "2"],
                                                               ["王芳", "居民身份证", GREEN_ID, "", "3"]]))
    tally = job.tally
    assert tally["accepted"] == 3 and tally["red"] + tally["yellow"] == 2, tally
    sign_in(client, cast.officer_a)
    html = get(client, f"/screening/jobs/{job.pk}/", lang)
    assert "张伟" in part(html, 'id="rows-to-fix"', "</details>")
    # the tiles agree with the chips above them
    assert (tile(html, ""), tile(html, " red"), tile(html, " yellow"), tile(html, " green")) == (
        tally["accepted"], tally["red"], tally["yellow"], tally["green"])
    people = part(html, "data-people-list", "</ul>")
    assert "张伟" in people and "李娜" in people and "王芳" not in people
    assert note in part(people, "张伟", "</li>") and note not in part(people, "李娜", "</li>")


@pytest.mark.parametrize("lang, named", [("zh-hans", "需要修改的地方"), ("en", "What to fix")])
def test_the_rows_note_names_the_folded_section_the_officer_has(client, cast, risk, lang, named):
    """Fresh-user trial: the rows note said the rows are listed under “What to fix”, but the officer's page
    folded them as “165 rows for the submitter to fix”: the folded section's visible summary carries the name."""
    wrong = RED_ID[:-1] + ("0" if RED_ID[-1] != "0" else "1")
    job = screen(cast.landlord_a, cast.premises_a, csv_roster([["张伟", "居民身份证", wrong, "", "1"],
                                                               ["王芳", "居民身份证", GREEN_ID, "", "3"]]))
    sign_in(client, cast.officer_a)
    html = get(client, f"/screening/jobs/{job.pk}/", lang)
    note = part(html, 'id="screened-to-fix"', "</span>")
    summary = part(html, 'id="rows-to-fix"', "</summary>")
    assert named in note and named in summary, (note, summary)


@pytest.mark.parametrize("user", ["officer_a", "landlord_a"])
def test_a_row_without_an_id_number_ends_at_its_row(client, cast, risk, user):
    """Second fresh-user trial: a row with a phone and no ID number read "杨宁 第 454 行 · " on the officer's page —
    the separator before the masked number was written with no number after it."""
    job = screen(cast.landlord_a, cast.premises_a, csv_roster([["杨宁", "", "", "13800138000", "1"],
                                                               ["王芳", "居民身份证", GREEN_ID, "", "2"]]))
    sign_in(client, getattr(cast, user))
    html = get(client, f"/screening/jobs/{job.pk}/", "zh-hans")
    assert " · </span>" not in html and "行 · <" not in html
    if user == "officer_a":
        rows = re.findall(r"杨宁</(?:strong|a)>(?:</a>)? <span class=\"muted\">(.*?)</span>", html)
        assert rows and all(r.strip().endswith("行") for r in rows), rows
