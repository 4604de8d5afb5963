"""Person match scorer: a roster person against a reference person → level + reasons.

Signals (weights in :class:`~pingan.lib.identity.config.MatchConfig`):

* document — ``ID exact`` (same type family and canonical number, 15-digit numbers converted first);
  ``ID corrected`` when one side's 18-digit number fails its MOD 11-2 check (usually the roster's; a
  reference number is tried too, marked "(reference)") and the other side's number is one of its
  :func:`~pingan.lib.identity.ric.recovery_candidates`, *and* another field corroborates it (name, a
  birth date given separately, or phone) — without corroboration the candidate is not used; ``ID differs`` when both
  numbers are valid, of the same family, and different.
* name — the :func:`~pingan.lib.identity.names.compare_names` kind; a name that matches under no rule
  while both are present counts against.
* birth date — from the record or, failing that, from its valid document; not counted again when the
  documents already matched (it is part of the number).
* phone — equal E.164 numbers; a different phone is not evidence against (people change numbers).

Level: ``certain`` / ``strong`` / ``possible`` / ``none`` by the config thresholds, with ``certain``
reserved to document matches and typo-recovered IDs capped (``corrected_id_max_level``).
This module imports no Django.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from pingan.lib.identity import ric
from pingan.lib.identity.config import MatchConfig
from pingan.lib.identity.documents import Document, normalize_document
from pingan.lib.identity.names import compare_names
from pingan.lib.identity.phones import normalize_phone

Level = Literal["certain", "strong", "possible", "none"]
_LEVELS: tuple[Level, ...] = ("none", "possible", "strong", "certain")

#: Document types that share one number space (a residence permit is written in a 身份证 column).
_FAMILY = {"ric": "gb11643", "hmt_residence": "gb11643", "foreign_pr": "foreign_pr",
           "hk_mo_permit": "hk_mo_permit", "tw_permit": "tw_permit", "passport": "passport"}


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """One person as a roster or a reference list gives it.

    ``doc`` is a normalised :class:`Document` or the raw number (normalised here, using ``doc_type`` as
    the declared type); ``birth_date`` a date if the list has one; ``phone`` raw or E.164.
    """

    name: str | None = None
    doc: Document | str | None = None
    birth_date: dt.date | None = None
    phone: str | None = None
    doc_type: str | None = None

    def document(self) -> Document | None:
        """The normalised document, or ``None`` when the record has none."""
        if self.doc is None or isinstance(self.doc, Document):
            return self.doc
        return normalize_document(self.doc, self.doc_type)


@dataclass(frozen=True, slots=True)
class Match:
    """Result of :func:`score`: ``level``, the numeric ``score``, the ``reasons`` that produced it (in the
    order they were applied) and ``id_corrected`` when the document matched only after typo recovery."""

    level: Level
    score: float
    reasons: tuple[str, ...]
    id_corrected: bool = False


def _same_family(a: Document, b: Document) -> bool:
    return _FAMILY.get(a.doc_type) is not None and _FAMILY.get(a.doc_type) == _FAMILY.get(b.doc_type)


def _docs_equal(a: Document, b: Document) -> bool:
    if not (a.valid and b.valid and _same_family(a, b)):
        return False
    if a.doc_type == "passport" and a.issuing_country and b.issuing_country:
        return a.issuing_country == b.issuing_country and a.number == b.number
    return a.number == b.number


def _recovered(bad: Document, good: Document) -> ric.Candidate | None:
    """The recovery candidate of ``bad`` that equals ``good``'s number, if ``bad`` fails its check."""
    if (bad.error_code not in ("bad_check_digit", "bad_characters") or len(bad.number) != 18
            or not good.valid or _FAMILY.get(good.doc_type) != "gb11643"):
        return None
    return next((c for c in ric.recovery_candidates(bad.number) if c.number == good.number), None)


def score(roster: PersonRecord, reference: PersonRecord, config: MatchConfig | None = None) -> Match:
    """Score ``roster`` against ``reference`` (see the module docstring for the rules). Never raises."""
    cfg = config or MatchConfig()
    reasons: list[str] = []
    total = 0.0
    doc_a, doc_b = roster.document(), reference.document()

    name = compare_names(roster.name, reference.name)
    birth_a = roster.birth_date or (doc_a.birth_date if doc_a and doc_a.valid else None)
    birth_b = reference.birth_date or (doc_b.birth_date if doc_b and doc_b.valid else None)
    phone_a, phone_b = normalize_phone(roster.phone), normalize_phone(reference.phone)
    birth_same = birth_a is not None and birth_a == birth_b
    phone_same = phone_a is not None and phone_a == phone_b

    id_exact = id_corrected = False
    if doc_a is not None and doc_b is not None:
        if _docs_equal(doc_a, doc_b):
            id_exact = True
            total += cfg.id_exact
            converted = doc_a.converted_from_15 != doc_b.converted_from_15
            reasons.append("ID exact (15-digit form converted)" if converted else "ID exact")
        elif doc_a.valid and doc_b.valid and _same_family(doc_a, doc_b):
            total += cfg.id_conflict
            reasons.append("ID differs")
        else:
            # typo recovery, usually on the roster side, but reference lists are typed by people too.
            for bad_rec, bad, good, good_birth, side in ((roster, doc_a, doc_b, birth_b, ""),
                                                         (reference, doc_b, doc_a, birth_a, " (reference)")):
                cand = _recovered(bad, good)
                if cand is None:
                    continue
                # the birth date inside a corrected number is no independent evidence: use the record's own.
                own_birth = bad_rec.birth_date is not None and bad_rec.birth_date == good_birth
                by = [w for w, ok in (("name", name.matched), ("birth date", own_birth),
                                      ("phone", phone_same)) if ok]
                if by:
                    id_corrected = True
                    total += cfg.id_corrected
                    reasons.append(f"ID corrected{side}: {cand.describe()}, corroborated by {' + '.join(by)}")
                else:
                    reasons.append(f"ID one typo off{side} ({cand.describe()}), uncorroborated: not used")
                break

    if name.matched:
        total += {
            "exact": cfg.name_exact, "simplified": cfg.name_simplified,
            "homophone": cfg.name_homophone, "romanised": cfg.name_romanised,
            "latin-token": cfg.name_latin_token, "initials": cfg.name_initials,
        }[name.kind]
        reasons.append(name.reason)
    elif name.reason == "name differs":
        total += cfg.name_conflict
        reasons.append(name.reason)

    if not (id_exact or id_corrected) and birth_a is not None and birth_b is not None:
        if birth_same:
            total += cfg.birth_date
            reasons.append("birth date")
        else:
            total += cfg.birth_date_conflict
            reasons.append("birth date differs")
    if phone_same:
        total += cfg.phone
        reasons.append("phone")

    total = round(total, 6)  # sums of decimal weights must compare with thresholds as written
    level: Level = "none"
    if total >= cfg.certain and (id_exact or id_corrected or not cfg.certain_requires_id):
        level = "certain"
    elif total >= cfg.strong:
        level = "strong"
    elif total >= cfg.possible:
        level = "possible"
    if id_corrected and _LEVELS.index(level) > _LEVELS.index(cfg.corrected_id_max_level):  # type: ignore[arg-type]
        level = cfg.corrected_id_max_level  # type: ignore[assignment]
    return Match(level, total, tuple(reasons), id_corrected)
