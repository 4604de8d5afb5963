"""Person match scorer: levels, reasons, typo-recovered IDs only when corroborated, configuration."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from identity.strategies import TODAY
from pingan.lib.identity import MatchConfig, PersonRecord, normalize_document, ric, score

ID = "11010519491231002X"  # the GB 11643-1999 example number


def test_id_exact_and_name_is_certain() -> None:
    m = score(PersonRecord("陈大文", ID), PersonRecord("陳大文", ID.lower()))
    assert m.level == "certain"
    assert m.reasons == ("ID exact", "name same in simplified characters")
    assert not m.id_corrected


def test_id_exact_alone_is_strong_and_a_different_name_lowers_it() -> None:
    assert score(PersonRecord(None, ID), PersonRecord(None, ID)).level == "strong"
    m = score(PersonRecord("李四", ID), PersonRecord("陈大文", ID))
    assert m.level == "possible"
    assert "name differs" in m.reasons


def test_a_15_digit_id_matches_its_18_digit_form() -> None:
    m = score(PersonRecord("陈大文", "110105491231002"), PersonRecord("陈大文", ID))
    assert m.level == "certain"
    assert m.reasons[0] == "ID exact (15-digit form converted)"


def test_a_transposed_id_is_recovered_only_with_corroboration() -> None:
    # swap positions 16–17 ("02" → "20"): the check fails and the original is one of the candidates.
    typo = ID[:15] + ID[16] + ID[15] + ID[17]
    assert not ric.check_passes(typo)
    corroborated = score(PersonRecord("陈大文", typo), PersonRecord("陈大文", ID))
    assert corroborated.id_corrected
    assert corroborated.reasons[0] == "ID corrected: transposition at positions 16–17, corroborated by name"
    assert corroborated.level == "strong"  # capped: a corrected ID is never certain by default
    alone = score(PersonRecord(None, typo), PersonRecord(None, ID))
    assert not alone.id_corrected
    assert alone.level == "none"
    assert "uncorroborated: not used" in alone.reasons[0]


def test_a_transposition_at_positions_11_12_is_reported_with_those_positions() -> None:
    ref = "110105194910310028"
    ref = ref[:17] + ric.check_character(ref[:17])
    typo = ref[:10] + ref[11] + ref[10] + ref[12:]  # 1949-10 typed 1949-01: still a real date
    m = score(PersonRecord("陈大文", typo, phone="138 1234 5678"),
              PersonRecord("陈大文", ref, phone="+8613812345678"))
    assert m.id_corrected
    assert m.reasons[0] == "ID corrected: transposition at positions 11–12, corroborated by name + phone"


def test_name_homophone_birth_date_and_phone_without_ids_is_possible() -> None:
    m = score(
        PersonRecord("章玮", None, dt.date(1990, 1, 2), "13812345678"),
        PersonRecord("张伟", None, dt.date(1990, 1, 2), "+86 138 1234 5678"),
    )
    assert m.reasons == ("name homophone (zhang wei)", "birth date", "phone")
    assert m.level == "possible"
    assert not m.id_corrected


def test_a_name_alone_never_matches_and_a_different_birth_date_counts_against() -> None:
    assert score(PersonRecord("张伟"), PersonRecord("张伟")).level == "none"
    m = score(PersonRecord("张伟", None, dt.date(1990, 1, 2), "13812345678"),
              PersonRecord("张伟", None, dt.date(1991, 1, 2), "13812345678"))
    assert "birth date differs" in m.reasons
    assert m.level == "none"


def test_two_different_valid_ids_conflict() -> None:
    other = "11010519491231003" + ric.check_character("11010519491231003")
    m = score(PersonRecord("陈大文", other), PersonRecord("陈大文", ID))
    assert "ID differs" in m.reasons
    assert m.level == "none"


def test_it_accepts_a_normalised_document_and_a_declared_type() -> None:
    doc = normalize_document("E12345678", "护照", today=TODAY)
    m = score(PersonRecord("ZHANG Wei", doc), PersonRecord("张伟", "E12345678", doc_type="passport"))
    assert m.reasons == ("ID exact", "name romanised (zhang wei)")
    assert m.level == "certain"  # 0.75 + 0.2 reaches the certain threshold 0.9


def test_thresholds_come_from_configuration(tmp_path: Path) -> None:
    strict = MatchConfig.from_dict({"strong": 0.8, "certain": 1.2})
    assert score(PersonRecord("陈大文", ID), PersonRecord("陈大文", ID)).level == "certain"
    assert score(PersonRecord("陈大文", ID), PersonRecord("陈大文", ID), strict).level == "strong"
    path = tmp_path / "matching.toml"
    path.write_text("[matching]\npossible = 0.2\nname_exact = 0.25\n", encoding="utf-8")
    cfg = MatchConfig.from_toml(path)
    assert (cfg.possible, cfg.name_exact) == (0.2, 0.25)
    assert score(PersonRecord("张伟"), PersonRecord("张伟"), cfg).level == "possible"
    assert MatchConfig.from_toml("strong = 0.75").strong == 0.75


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"stronk": 0.5}, "unknown matching setting"),
        ({"strong": "high"}, "must be a number"),
        ({"certain_requires_id": 1}, "must be true or false"),
        ({"possible": 0.9, "strong": 0.5}, "possible ≤ strong ≤ certain"),
        ({"corrected_id_max_level": "sure"}, "corrected_id_max_level"),
    ],
)
def test_it_rejects_bad_configuration(data: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        MatchConfig.from_dict(data)


def test_a_typo_in_the_reference_number_is_recovered_too_and_says_so() -> None:
    typo = ID[:15] + ID[16] + ID[15] + ID[17]
    m = score(PersonRecord("陈大文", ID), PersonRecord("陈大文", typo))
    assert m.id_corrected
    assert m.reasons[0] == "ID corrected (reference): transposition at positions 16–17, corroborated by name"


def test_the_birth_date_inside_a_corrected_number_does_not_corroborate_it() -> None:
    typo = ID[:15] + ID[16] + ID[15] + ID[17]
    m = score(PersonRecord(None, typo), PersonRecord(None, ID, dt.date(1949, 12, 31)))
    assert not m.id_corrected
    m = score(PersonRecord(None, typo, dt.date(1949, 12, 31)), PersonRecord(None, ID))
    assert m.id_corrected
    assert m.reasons[0].endswith("corroborated by birth date")
