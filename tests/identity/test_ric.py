"""GB 11643-1999 resident ID numbers: check character, 15→18 conversion, typo recovery."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric as stdnum_ric

from identity.strategies import TODAY, substitutions, transpositions, valid_rics
from pingan.lib.identity import normalize_document, ric, ric_recovery_candidates


def test_it_computes_the_check_character_of_the_standard_example() -> None:
    # GB 11643-1999 Appendix example 11010519491231002X.
    assert ric.check_character("11010519491231002") == "X"
    assert ric.WEIGHTS == (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


@settings(deadline=None)
@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_it_agrees_with_python_stdnum_on_the_check_character(first17: str) -> None:
    number = first17 + ric.check_character(first17)
    assert stdnum_ric.calc_check_digit(number) == number[17]
    # and with the textbook weighted sum (ISO 7064 MOD 11-2).
    total = sum(int(d) * w for d, w in zip(first17, ric.WEIGHTS, strict=True))
    assert "10X98765432"[total % 11] == number[17]


@settings(deadline=None)
@given(valid_rics())
def test_every_generated_valid_id_validates(number: str) -> None:
    doc = normalize_document(number, today=TODAY)
    assert doc.valid, doc
    assert doc.doc_type == "ric"
    assert doc.number == number
    assert doc.birth_date == dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    assert doc.sex == ("M" if int(number[16]) % 2 else "F")
    assert doc.area_code == number[:6]


@settings(deadline=None)
@given(valid_rics(min_year=1900).filter(lambda n: n[6:8] == "19"))
def test_15_to_18_round_trips_for_people_born_in_the_1900s(number: str) -> None:
    short = ric.convert_18_to_15(number)
    assert short is not None and len(short) == 15
    assert ric.convert_15_to_18(short) == number
    doc = normalize_document(short, today=TODAY)
    assert doc.valid and doc.converted_from_15 and doc.number == number


def test_mod_11_2_detects_every_single_substitution_and_adjacent_transposition_exhaustively() -> None:
    # The documented limit would be a (position, digit pair) whose error leaves the weighted sum unchanged
    # mod 11. Exhaustively: a substitution changes the sum by w*(a-b), a swap by (a-b)*(w_i - w_{i+1});
    # 11 is prime, |a-b| ≤ 10 and no weight or neighbour difference is ≡ 0, so there is none.
    weights = (*ric.WEIGHTS, 1)  # the check character's own weight is 1
    undetected_subs = [(i, a, b) for i, w in enumerate(weights) for a in range(11) for b in range(11)
                       if a != b and (w * (a - b)) % 11 == 0]
    undetected_swaps = [(i, a, b) for i in range(17) for a in range(10) for b in range(11)
                        if a != b and ((a - b) * (weights[i] - weights[i + 1])) % 11 == 0]
    assert undetected_subs == []
    assert undetected_swaps == []
    # jump transpositions (positions i and i+2) are detected too: w_i ≡ 4·w_{i+2}, so w_i - w_{i+2} ≢ 0.
    assert all((weights[i] - weights[i + 2]) % 11 for i in range(16))


@settings(max_examples=40, deadline=None)
@given(valid_rics())
def test_every_single_typo_is_rejected_and_recovers_the_original(number: str) -> None:
    for mutated, pos in substitutions(number):
        assert not ric.check_passes(mutated), f"undetected substitution at {pos}: {mutated}"
        cands = ric.recovery_candidates(mutated, TODAY)
        assert number in [c.number for c in cands]
        assert all(ric.validate18(c.number, TODAY) is None for c in cands)
        assert mutated not in [c.number for c in cands]
    for mutated, pos in transpositions(number):
        if "X" in mutated[:17]:
            # the check character swapped into position 17 is a shape error, still recoverable.
            assert normalize_document(mutated, today=TODAY).error_code == "bad_characters"
        else:
            assert not ric.check_passes(mutated), f"undetected transposition at {pos}: {mutated}"
        cands = ric.recovery_candidates(mutated, TODAY)
        match = [c for c in cands if c.number == number]
        assert match, f"original not recovered from transposition at {pos}"
        assert any(c.kind == "transposition" and c.positions == (pos, pos + 1) for c in match) or any(
            c.kind == "substitution" for c in match
        )


def test_it_describes_a_transposition_with_1_based_positions() -> None:
    number = "11010519491231002X"
    swapped = number[:10] + number[11] + number[10] + number[12:]  # positions 11–12: "12" → "21"
    cands = ric_recovery_candidates(swapped)
    trans = [c for c in cands if c.number == number]
    assert trans and trans[0].kind == "transposition" and trans[0].positions == (11, 12)
    assert trans[0].describe() == "transposition at positions 11–12"


def test_recovery_cleans_raw_input_and_is_empty_for_a_valid_number() -> None:
    assert ric_recovery_candidates("11010519491231002x") == []
    assert ric_recovery_candidates("abc") == []
    cands = ric_recovery_candidates("１１０１０５ １９４９ １２３１ ００２１")
    assert "11010519491231002X" in [c.number for c in cands]


def test_candidates_have_real_dates_and_plausible_area_codes() -> None:
    cands = ric.recovery_candidates("110105194912310021", TODAY)
    for c in cands:
        assert ric.parse_birth_date(c.number[6:14], TODAY) is not None
        assert ric.area_code_plausible(c.number[:6])
        assert ric.area_code_exists(c.number[:6]) or c.number[:4] == "1101"  # unlisted: a county of 1101
    # a substitution turning the month into 19 would pass the check but is not a real date.
    assert all(c.number[10:12] <= "12" for c in cands)


def test_it_rejects_birth_dates_in_the_future_or_more_than_130_years_ago() -> None:
    def with_date(d: str) -> str:
        first17 = "110105" + d + "002"
        return first17 + ric.check_character(first17)

    assert normalize_document(with_date("20261130"), today=TODAY).error_code == "bad_birth_date"
    assert normalize_document(with_date("18951231"), today=TODAY).error_code == "bad_birth_date"
    assert normalize_document(with_date("19000230"), today=TODAY).error_code == "bad_birth_date"
    assert normalize_document(with_date("19000228"), today=TODAY).valid


def test_it_accepts_historical_address_codes_and_rejects_codes_that_never_existed() -> None:
    # 110102 西城区 is current; 110103 崇文区 was abolished in 2010 but still appears in ID numbers.
    for area, ok in (("110102", True), ("110103", True), ("119999", False)):
        first17 = area + "19800101" + "123"
        doc = normalize_document(first17 + ric.check_character(first17), today=TODAY)
        assert doc.valid is ok, doc
        if not ok:
            assert doc.error_code == "unknown_area_code"


def _brute_force_candidates(number: str) -> list[tuple[str, str, tuple[int, ...]]]:
    """The definition, spelled out: try every substitution and swap, keep those that fully validate."""
    out = []
    for i in range(18):
        for ch in "0123456789X" if i == 17 else "0123456789":
            cand = number[:i] + ch + number[i + 1 :]
            if ch != number[i] and ric.validate18(cand, TODAY) is None:
                out.append((cand, "substitution", (i + 1,)))
        if i < 17 and number[i] != number[i + 1]:
            cand = number[:i] + number[i + 1] + number[i] + number[i + 2 :]
            if ric.validate18(cand, TODAY) is None:
                out.append((cand, "transposition", (i + 1, i + 2)))
    return out


@settings(max_examples=150, deadline=None)
@given(valid_rics(), st.integers(0, 17), st.sampled_from("0123456789"))
def test_the_algebraic_recovery_equals_brute_force(number: str, pos: int, digit: str) -> None:
    mutated = number[:pos] + digit + number[pos + 1 :]
    if ric.check_passes(mutated):
        assert ric.recovery_candidates(mutated, TODAY) == []
        return
    got = [(c.number, c.kind, c.positions) for c in ric.recovery_candidates(mutated, TODAY)]
    assert got == _brute_force_candidates(mutated)
