"""The rule-set file: the bundled default, validation errors, and the pure evaluation helpers."""

from __future__ import annotations

import datetime as dt
import tomllib
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pingan.screening.rules import (
    LEVELS,
    RuleSetError,
    intervals_overlap,
    load_ruleset,
    lookback_window,
    max_level,
    normalise_place,
    parse_ruleset,
    place_names_community,
    submitter_level,
)

UTC = dt.UTC


def default_doc() -> dict:
    text = resources.files("pingan.screening").joinpath("rulesets", "prevention-2022-v9.toml").read_text("utf-8")
    return tomllib.loads(text)


def test_it_loads_the_default_rule_set_of_the_2022_protocol():
    rs = load_ruleset()
    assert (rs.id, rs.version, rs.lookback_days) == ("prevention-2022-v9", "1.3.0", 7)
    assert {c.id for c in rs.citations} >= {"nhc-protocol-9"}
    assert "第九版" in rs.citations[0].title and rs.citations[0].date == "2022-06-28"
    levels = {r.id: r.level for r in rs.rules}
    assert levels == {
        "area-high": "red",
        "area-medium": "yellow",
        "county-with-high": "yellow",
        "identity-unverified": "yellow",
        "watchlist": None,
    }
    assert rs.rule("watchlist").silent and not rs.rule("area-high").silent
    assert rs.max_lookback_days == 7


def test_it_never_lets_a_submitter_reason_mention_the_watchlist():
    for rule in load_ruleset().rules:
        assert "watch" not in rule.reason.lower() and "名单" not in rule.reason


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d["rule"][0].update(kind="sql"), "kind"),
        (lambda d: d["rule"][0].update(level="orange"), "level"),
        (lambda d: d["rule"][0].update(police_priority=0), "police_priority"),
        (lambda d: d["rule"][0].update(source="watchlist"), "source"),
        (lambda d: d["rule"][0]["condition"].update(listing_levels=["severe"]), "condition.listing_levels"),
        (lambda d: d["rule"][0]["condition"].update(lookback_days=0), "condition.lookback_days"),
        (lambda d: d["rule"][0]["condition"].update(sql="SELECT 1"), "condition.sql"),
        (lambda d: d["rule"][0].update(cites=["nowhere"]), "cites"),
        (lambda d: d["rule"][1].update(id="area-high"), "id"),
        (lambda d: d["rule"][4].update(silent=False), "silent"),
        (lambda d: d["rule"][4].update(level="red"), "level"),
        (lambda d: d["rule"][2].update(reason="在布控名单上"), "reason"),
        (lambda d: d.update(lookback_days=-1), "lookback_days"),
    ],
)
def test_it_rejects_a_bad_field_naming_the_file_rule_and_field(mutate, field):
    doc = default_doc()
    mutate(doc)
    with pytest.raises(RuleSetError) as err:
        parse_ruleset(doc, "rules.toml")
    assert str(err.value).startswith("rules.toml: ")
    assert f"field {field!r}" in str(err.value)


def test_it_names_the_rule_in_the_error():
    doc = default_doc()
    doc["rule"][1]["level"] = "purple"
    with pytest.raises(RuleSetError, match=r"rule 'area-medium': field 'level'"):
        parse_ruleset(doc, "x.toml")


def test_it_reports_invalid_toml_and_missing_files(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("id = \n", encoding="utf-8")
    with pytest.raises(RuleSetError, match=r"bad\.toml: invalid TOML"):
        load_ruleset(bad)
    with pytest.raises(RuleSetError, match="no such rule-set file"):
        load_ruleset(tmp_path / "missing.toml")


def test_it_fills_condition_defaults_and_accepts_a_custom_lookback(tmp_path):
    doc = default_doc()
    doc["rule"][0]["condition"]["lookback_days"] = 14
    rs = parse_ruleset(doc)
    assert rs.lookback(rs.rule("area-high")) == 14 and rs.lookback(rs.rule("area-medium")) == 7
    assert rs.max_lookback_days == 14
    assert rs.rule("area-high").condition["place_match"] == "community"
    assert rs.rule("watchlist").condition["match_by"] == ["document", "name_birth_date"]


def test_it_takes_the_most_severe_non_silent_level():
    assert max_level([]) == "green"
    assert max_level(["yellow", None, "red", "green"]) == "red"
    assert submitter_level([("yellow", False), ("red", True)]) == "yellow"
    assert submitter_level([("red", True)]) == "green"


@given(st.lists(st.tuples(st.sampled_from([*LEVELS, None]), st.booleans())))
def test_it_never_lets_a_silent_hit_change_the_submitter_level(hits):
    visible = [h for h in hits if not h[1]]
    assert submitter_level(hits) == submitter_level(visible)
    assert submitter_level([*hits, ("red", True)]) == submitter_level(hits)


def test_it_matches_places_naming_the_community_after_nfkc_and_space_removal():
    assert place_names_community("思明区 幸福小区３栋", "幸福小区")
    assert place_names_community("幸福小区", "幸福 小区")
    assert not place_names_community("幸福路1号", "幸福小区")
    assert place_names_community("任何地方", "")  # a listing without a community lists its whole division
    assert normalise_place("Ａ栋　1单元") == "A栋1单元"


@given(st.text(max_size=12), st.text(max_size=6))
def test_it_finds_a_community_inside_any_place_that_embeds_it(prefix, community):
    assert place_names_community(prefix + community + "1号", community)


def test_it_builds_the_lookback_window_and_needs_an_aware_instant():
    as_of = dt.datetime(2022, 11, 21, tzinfo=UTC)
    assert lookback_window(as_of, 7) == (dt.datetime(2022, 11, 14, tzinfo=UTC), as_of)
    with pytest.raises(ValueError, match="timezone"):
        lookback_window(dt.datetime(2022, 11, 21), 7)


def test_it_counts_overlap_only_for_a_shared_positive_duration():
    d = lambda day: dt.datetime(2022, 11, day, tzinfo=UTC)  # noqa: E731
    assert intervals_overlap(d(1), d(3), d(2), None)
    assert intervals_overlap(d(1), d(3), d(2), d(5))
    assert not intervals_overlap(d(1), d(2), d(2), d(5))  # touching ends share no duration
    assert not intervals_overlap(d(5), d(6), d(1), d(4))
