"""One source for a screening's level: the landlord's "Recent screenings" says the level the published rule gives
and the counts behind it, as the screening's page and the code do (issue 11 trial: the list showed "red 0,
yellow 0" for a screening whose page said it gives a yellow code — a row not screened counts as unresolved)."""

from __future__ import annotations

import re

import pytest
from test_web_results import csv_roster
from web_support import GREEN_ID, screen, sign_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_home_list_and_the_results_page_give_the_same_level(client, cast, risk, language):
    from pingan.codes.selectors import job_rule
    from pingan.codes.services import screening_counts

    job = screen(cast.landlord_a, cast.premises_a, csv_roster([["王芳", "居民身份证", GREEN_ID, "", "1"],
                                                               ["", "居民身份证", GREEN_ID, "", "2"]]))
    rule = job_rule(job)
    counts, _people = screening_counts(job)  # the rows, as the code counts them
    assert (rule["green"], rule["yellow"], rule["red"], rule["unresolved"]) == (
        counts.green, counts.yellow, counts.red, counts.unresolved) == (1, 0, 0, 1)
    assert rule["level"] == "yellow"
    sign_in(client, cast.landlord_a)
    client.cookies["django_language"] = language
    page = client.get(f"/screening/jobs/{job.pk}/").content.decode()
    home = client.get("/screening/").content.decode()
    assert re.search(r'data-rule-level="yellow"', page)
    item = home[home.index('id="job-history"'):]
    assert 'data-job-level="yellow"' in item
    # the screening's result, not a claim that a code exists (fresh-user trial: "gives a green code" while the
    # premises' code was suspended and no green code existed)
    line = item[:item.index("</li>")]
    assert ("结果：" if language == "zh-hans" else "result:") in line
    assert ("黄码" if language == "zh-hans" else "yellow code") not in line
    # each level word once (a fresh-user trial read "结果：红 红 78"), and every row in a chip: the row not screened
    # too (the chips of a roster with rows not screened left them out)
    words = ("红", "黄", "绿", "未筛查") if language == "zh-hans" else ("red", "yellow", "green", "not screened")
    chips = re.sub(r"<[^>]+>", " ", line[line.index(">", line.index("data-job-level")) + 1:])
    for word in words[:3]:
        assert len(re.findall(rf"(?<![\w-]){word}(?![\w-])", chips)) == 1, (word, chips)
    assert re.search(rf"{words[3]}\s+1\b", chips)
    assert re.search(r'data-chip="not-screened"', page)  # the results page's summary chips too
