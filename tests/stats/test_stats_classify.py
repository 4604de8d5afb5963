"""Classification schemes as data: loaded, versioned, cited, consistent; the rules each publisher states."""

from __future__ import annotations

import itertools

import pytest

from pingan.stats import classify, integrity
from pingan.stats.classify import HARM_FATAL, HARM_INJURY, HARM_NONE, Key


def all_keys():
    vocab = classify.vocabulary()
    places = ["", *vocab.place_types]
    return [Key(o, p, a, h) for o, p, a, h in itertools.product(vocab.offences, places, (False, True),
                                                                  (HARM_NONE, HARM_INJURY, HARM_FATAL))]


@pytest.mark.parametrize("scheme_id", sorted(classify.schemes()))
def test_every_scheme_is_versioned_cited_and_labelled_in_both_languages(scheme_id):
    s = classify.scheme(scheme_id)
    assert s.version and s.citations and all(c.title for c in s.citations)
    assert s.en and s.zh and all(c.en and c.zh for c in s.categories)
    assert s.stamp() == f"{s.id}@{s.version}"


@pytest.mark.parametrize("scheme_id", sorted(classify.schemes()))
def test_the_members_of_a_group_never_count_one_incident_twice(scheme_id):
    s = classify.scheme(scheme_id)
    groups = [c for c in s.categories if c.is_group]
    keys = all_keys()
    for g in groups:
        leaves = s.leaf_keys(g.key)
        for key in keys:
            hits = [c for c in s.categories_of(key) if c in leaves]
            assert len(hits) <= 1, (g.key, key, hits)


def test_keys_are_hierarchical():
    assert classify.under("theft.larceny.pickpocket", "theft")
    assert classify.under("theft.larceny", "theft.larceny") and classify.under("robbery", "")
    assert not classify.under("theft.larceny", "theft.larceny.pickpocket")
    assert not classify.under("theftx", "theft")


def test_the_two_legal_lists_of_the_eight_kinds_differ_only_in_kidnapping_and_drug_selling():
    cl17, ppr = classify.scheme("cn_eight_kinds_cl17"), classify.scheme("cn_eight_kinds_ppr263")
    assert cl17.option_of == ppr.option_of == "cn_eight_kinds"
    a = {c.key for c in cl17.leaves}
    b = {c.key for c in ppr.leaves}
    assert a - b == {"drug_selling"} and b - a == {"kidnapping"}
    assert cl17.categories_of(Key("drugs.selling", "", False, 0)) == ("drug_selling",)
    assert ppr.categories_of(Key("drugs.selling", "", False, 0)) == ()


def test_two_robberies_one_theft_follows_the_city():
    general, chengdu, urumqi = (classify.scheme(s) for s in ("cn_lqyd_general", "cn_lqyd_chengdu", "cn_lqld_urumqi"))
    burglary = Key("theft.burglary", "residence", False, 0)
    from_car = Key("theft.larceny.from_vehicle", "street", False, 0)
    pocket = Key("theft.larceny.pickpocket", "bus", False, 0)
    assert general.categories_of(burglary) == ("theft",)  # 一盗 = every theft
    assert chengdu.categories_of(burglary) == ()  # Chengdu: 一盗 is theft from vehicles only
    assert chengdu.categories_of(from_car) == ("theft_from_vehicle",)
    assert urumqi.categories_of(pocket) == ("pickpocketing",) and urumqi.categories_of(burglary) == ()


def test_bus_pickpocketing_needs_the_bus_and_traffic_keeps_its_scopes_apart():
    cn = classify.scheme("cn_headline")
    assert "bus_pickpocketing" in cn.categories_of(Key("theft.larceny.pickpocket", "bus", False, 0))
    assert "bus_pickpocketing" not in cn.categories_of(Key("theft.larceny.pickpocket", "rail", False, 0))
    t = classify.scheme("traffic")
    assert t.categories_of(Key("traffic.accident", "street", False, HARM_NONE)) == ("all_reported",)
    assert t.categories_of(Key("traffic.accident", "street", False, HARM_INJURY)) == ("all_reported",
                                                                                      "with_casualties")
    assert len(t.categories_of(Key("traffic.accident", "street", False, HARM_FATAL))) == 3
    assert "criminal" not in cn.categories_of(Key("traffic.accident", "", False, 0))


def test_ucr_takes_snatching_back_into_larceny_and_the_nypd_counts_no_grand_larceny_without_a_value():
    ucr, nypd = classify.scheme("ucr_part1"), classify.scheme("nypd_seven_majors")
    assert ucr.categories_of(Key("snatching", "", False, 0)) == ("larceny_theft",)
    assert nypd.categories_of(Key("theft.larceny", "", False, 0)) == ("petit_larceny",)
    assert nypd.categories_of(Key("theft.larceny.grand", "", False, 0)) == ("grand_larceny",)
    assert nypd.categories_of(Key("homicide.murder.shooting", "", False, 2)) == ("murder", "shooting_incidents")


def test_a_scheme_file_with_a_mistake_names_it():
    ok = '''id = "x"\nversion = "1"\nen = "x"\nzh = "x"\n'''
    with pytest.raises(classify.ClassificationError, match="names no offence"):
        classify.parse_scheme(ok + '[[category]]\nkey="a"\nen="a"\nzh="a"\nrule=[{offences=["thefft"]}]\n', "bad.toml")
    with pytest.raises(classify.ClassificationError, match="cycle"):
        classify.parse_scheme(ok + '[[group]]\nkey="a"\nen="a"\nzh="a"\nmembers=["b"]\n'
                                   '[[group]]\nkey="b"\nen="b"\nzh="b"\nmembers=["a"]\n', "bad.toml")
    with pytest.raises(classify.ClassificationError, match="attempted"):
        classify.parse_scheme(ok + '[[category]]\nkey="a"\nen="a"\nzh="a"\nrule=[{offences=["robbery"], '
                                   'attempted="maybe"}]\n', "bad.toml")
    with pytest.raises(KeyError, match="known"):
        classify.scheme("nope")


def test_downgrades_are_named_for_the_watch():
    base = {"offence": "robbery", "place_type": "street", "attempted": False, "injured": 0, "killed": 0,
            "status": "open", "property_loss": None, "currency": "CNY"}
    to_snatch = integrity.downgrade_reasons(base, {**base, "offence": "snatching"})
    assert "less_serious_offence" in to_snatch and "left_category:ucr_part1/robbery" in to_snatch
    assert integrity.downgrade_reasons(base, {**base, "offence": "homicide.murder"}) == []  # an upgrade
    assert "unfounded" in integrity.downgrade_reasons(base, {**base, "status": "unfounded"})
    theft = {**base, "offence": "theft.larceny", "property_loss": "1500"}
    assert integrity.downgrade_reasons(theft, {**theft, "property_loss": "999"}) == ["below_threshold:1000 CNY"]
    assert integrity.downgrade_reasons(theft, {**theft, "property_loss": "1000"}) == []  # 以上 includes 1,000
    grand = {**theft, "currency": "USD", "property_loss": "1000.01"}
    assert integrity.downgrade_reasons(grand, {**grand, "property_loss": "1000"}) == ["below_threshold:1000 USD"]
