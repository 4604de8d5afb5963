"""Identity matching core: Chinese identity documents, names and phone numbers (pure Python, no Django).

Runs inside DuckDB batch jobs and, later, Spark executors. Standards implemented (details and limits in
``docs/matching.md``): GB 11643-1999 resident ID numbers with ISO 7064 MOD 11-2 check characters and
GB/T 2260 address codes; residence permits for Hong Kong, Macao and Taiwan residents; the 2017 and 2023
Foreign Permanent Resident ID Card formats; mainland travel permits; ICAO Doc 9303 passports; Unicode
NFKC; OpenCC traditional → simplified; pypinyin; ITU-T E.164 through libphonenumber.

Entry points for the screening engine (signatures are stable):

Per value
    ``normalize_document(raw, declared_type=None) -> Document``
        normalise, validate and classify one document number (never raises).
    ``ric_recovery_candidates(number) -> list[Candidate]``
        valid numbers one substitution / adjacent transposition away from a number failing its check.
    ``name_keys(name) -> NameKeys``
        normalised, simplified, pinyin and Latin keys of one name (memoised per distinct name).
    ``compare_names(a, b) -> NameMatch``
        exact / simplified / homophone / romanised / latin-token / initials / none, with a reason.
    ``join_keys(name) -> tuple[str, ...]``
        equality keys for blocking a batch: two names ``compare_names`` relates (but for initials) share one.
    ``parse_birth_dates(text) -> list[BirthDate]``
        a date of birth in any common written form, at the precision it carries (impossible days → month).
    ``normalize_phone(raw, default_region="CN") -> str | None``
        E.164 or ``None``.
    ``score(roster, reference, config=None) -> Match``
        certain / strong / possible / none with the reasons; thresholds in ``MatchConfig``.

Per column (Arrow tables, one output row per input row, work done once per distinct value)
    ``normalize_documents(numbers, types=None) -> pyarrow.Table``
        columns doc_type, number, valid, error_code, error, birth_date, sex, area_code, converted_from_15,
        issuing_country.
    ``name_keys_table(names) -> pyarrow.Table``
        columns normalized, simplified, pinyin, script, latin_key.
    ``normalize_phones(phones, default_region="CN") -> pyarrow.Table``
        column phone (E.164 or null).
"""

from __future__ import annotations

import datetime as dt

from pingan.lib.identity._text import clean_number
from pingan.lib.identity.batch import name_keys_table, normalize_documents, normalize_phones
from pingan.lib.identity.config import MatchConfig
from pingan.lib.identity.dates import BirthDate, parse_birth_dates
from pingan.lib.identity.documents import (
    DOC_TYPES,
    ERRORS,
    Document,
    classify,
    doc_type_from_label,
    normalize_document,
)
from pingan.lib.identity.names import NameKeys, NameMatch, compare_names, join_keys, name_keys
from pingan.lib.identity.phones import normalize_phone
from pingan.lib.identity.ric import Candidate, recovery_candidates
from pingan.lib.identity.scorer import Match, PersonRecord, score


def ric_recovery_candidates(number: str, *, today: dt.date | None = None) -> list[Candidate]:
    """Typo-recovery candidates for a resident ID number that fails its GB 11643-1999 check.

    ``number`` may be raw (full-width digits, lower-case ``x``, separators); it is cleaned first. Returns
    every number one substituted character or one adjacent transposition away that passes the ISO 7064
    MOD 11-2 check and has a valid birth date and GB/T 2260 address code; empty when the number passes
    its check or is not 18 characters. A candidate may be used only when another field corroborates it
    (see :func:`score`).
    """
    return recovery_candidates(clean_number(number), today)


__all__ = [
    "DOC_TYPES",
    "ERRORS",
    "BirthDate",
    "Candidate",
    "Document",
    "Match",
    "MatchConfig",
    "NameKeys",
    "NameMatch",
    "PersonRecord",
    "classify",
    "compare_names",
    "doc_type_from_label",
    "join_keys",
    "name_keys",
    "name_keys_table",
    "normalize_document",
    "normalize_documents",
    "normalize_phone",
    "normalize_phones",
    "parse_birth_dates",
    "ric_recovery_candidates",
    "score",
]
