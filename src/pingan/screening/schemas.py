"""API schemas of the screening app (``<Thing>In`` / ``<Thing>Out``).

A person's result has a submitter part (always) and a ``police`` part that is filled only when the caller
is a police account in whose jurisdiction the person lies (the selector already scoped the row); for a
submitter it is ``null``, and the document number is masked.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema

from pingan.core import texts
from pingan.core.models import POLICE_ROLES
from pingan.lib.redact import mask_numbers, mask_values


def _is_police(context) -> bool:
    request = (context or {}).get("request")
    user = getattr(request, "user", None)
    return getattr(user, "role", None) in POLICE_ROLES


class MessageOut(Schema):
    """A stored message: a stable ``code`` and its ``params`` (docs/web.md, "Messages"). The text beside it
    (``reason``, ``roster_notes`` …) is the same message rendered in the request's language."""

    code: str
    params: dict


class PremisesRefOut(Schema):
    id: int
    name: str


class JobOut(Schema):
    """A screening job: ``status`` is queued / running / done / failed; ``progress`` is a percentage;
    ``error`` says why a failed job failed (text), ``error_code`` and ``error_params`` the same as a stable
    code and its parameters (e.g. ``sheet_too_large`` with the sheet, its range and the limit;
    ``job_time_exceeded``, ``job_memory_exceeded``, ``worker_lost``, ``job_crashed``: docs/jobs.md);
    ``attempts`` counts the runs started (a job whose worker died is run again); ``counts`` has
    accepted/rejected/green/yellow/red (and, for police, hit counts); ``purged_at`` is when the retention
    policy deleted its per-row results and files (the counts remain), ``null`` before. ``roster_notes``:
    how the roster was read (header row, merged cells, encoding, …); ``risk_data_warnings``: set when the
    risk-area listings or the movement records do not cover the look-back window before the screening date,
    so a green result does not mean travel was checked; both texts in the request's language
    (``Accept-Language``), both empty for jobs not finished. ``note_codes``: the same notes and warnings as
    codes and parameters (stable)."""

    id: int
    premises: PremisesRefOut | None
    roster_name: str
    roster_sha256: str

    @staticmethod
    def resolve_roster_name(obj) -> str:
        return mask_numbers(obj.roster_name)

    @staticmethod
    def resolve_error(obj) -> str:
        # in the request's language, like the notes (error_code and error_params are the stable form)
        return mask_numbers(obj.failure_message)

    @staticmethod
    def resolve_error_params(obj) -> dict:
        return mask_values(obj.error_params or {})

    status: str
    progress: int
    error: str
    error_code: str
    error_params: dict[str, Any]
    attempts: int
    counts: dict[str, int]
    ruleset_id: str
    ruleset_version: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    purged_at: datetime | None
    roster_notes: list[str]
    risk_data_warnings: list[str]
    note_codes: list[MessageOut]

    @staticmethod
    def resolve_roster_notes(obj) -> list[str]:
        stats = obj.stats or {}
        if "notes" in stats:
            return [mask_numbers(texts.render(n)) for n in stats["notes"]]
        return [mask_numbers(texts.legacy(str(w))) for w in stats.get("warnings", [])]

    @staticmethod
    def resolve_risk_data_warnings(obj) -> list[str]:
        stats = obj.stats or {}
        if "risk_data_notes" in stats:
            return [texts.render(n) for n in stats["risk_data_notes"]]
        return [texts.legacy(str(w)) for w in stats.get("risk_data_warnings", [])]

    @staticmethod
    def resolve_note_codes(obj) -> list[dict]:
        stats = obj.stats or {}
        return mask_values([*stats.get("notes", []), *stats.get("risk_data_notes", [])])

    @staticmethod
    def resolve_counts(obj, context) -> dict[str, int]:
        counts = dict(obj.tally)  # every key, 0 where the stored counts lack it
        if not _is_police(context):
            for police_only in ("police_hits", "silent_hits", "flagged_people"):
                counts.pop(police_only, None)
        return counts


class MatchReasonOut(Schema):
    """How a hit matched, as a code and its parameters (``screening.match_reasons``: ``area_stay`` with
    ``level``, ``area``, ``days``; ``name_homophone`` with ``pinyin`` …)."""

    code: str
    params: dict[str, str]


class HitOut(Schema):
    """One rule hit (police only): the rule, the matched record and how it matched — ``match_reasons`` as the
    engine's English lines (the stable form), ``match_reason_codes`` as codes and parameters."""

    rule_id: str
    source: str
    record_ref: str
    listing_ref: str
    match_kind: str
    match_reasons: list[str]
    match_reason_codes: list[MatchReasonOut]
    level_effect: str
    police_priority: int | None
    silent: bool
    detail: dict

    @staticmethod
    def resolve_match_reasons(obj) -> list[str]:
        from pingan.screening.match_reasons import line

        return [line(r) for r in obj.match_reasons or ()]

    @staticmethod
    def resolve_match_reason_codes(obj) -> list[dict]:
        from pingan.screening.match_reasons import stored

        return stored(obj.match_reasons)


class PersonPoliceOut(Schema):
    """The police-only part of a person's result."""

    doc_type: str
    id_number: str
    corrected_id_number: str
    identity_status: str
    identity_reason: str
    phone: str
    address: str
    police_priority: int | None
    hit_count: int
    silent_hit: bool
    rule_ids: list[str]

    @staticmethod
    def resolve_identity_reason(obj) -> str:
        # a PersonResult: the note in the request's language; an already-built PersonPoliceOut: as it is
        text = getattr(obj, "identity_text", None)
        return text if text is not None else obj.identity_reason


class PersonResultOut(Schema):
    """One roster row's result. ``level`` is the submitter-visible level (empty for a rejected row);
    ``reason`` explains the level, or for a rejected row what to fix, in the request's language;
    ``reasons`` is the same as codes and parameters (stable); ``id_number_masked`` hides all but the
    first 3 and last 2 characters. ``to_fix_code`` is the stable code of what the submitter must fix (``""``:
    nothing; the downloads' column): ``rejection.<code>`` for a row not screened, ``identity.<error>`` for a
    screened row whose ID number is to fix — its ``reason`` then says what is wrong with the number first, as
    the results page does (a number corrected from police data: to a submitter only that it looks mistyped and
    must be corrected; to a police caller also that it was screened as the person the police data holds under
    the corrected number) — and ``phone_invalid`` for a screened row whose phone is not a valid number (not used
    for matching; its ``reason`` says so). ``police`` is ``null`` unless the caller is police."""

    id: int
    job_id: int
    row: int
    status: str
    level: str
    reason: str
    reasons: list[MessageOut]
    to_fix_code: str = ""
    name: str
    id_number_masked: str
    police: PersonPoliceOut | None = None

    @staticmethod
    def resolve_reason(obj, context) -> str:
        # a PersonResult: in the request's language; a corrected number's correction for police callers only
        if hasattr(obj, "fix_text"):
            return obj.fix_text(police=_is_police(context))
        return mask_numbers(obj.reason)

    @staticmethod
    def resolve_to_fix_code(obj) -> str:
        return getattr(obj, "to_fix_code", "") or ""

    @staticmethod
    def resolve_name(obj) -> str:
        # what a row gave is echoed with long digit runs masked (a cell that swallowed other rows)
        return mask_numbers(obj.name)

    @staticmethod
    def resolve_reasons(obj) -> list:
        return mask_values(obj.reasons)

    @staticmethod
    def resolve_id_number_masked(obj) -> str:
        return obj.masked_id

    @staticmethod
    def resolve_police(obj, context) -> PersonPoliceOut | None:
        return PersonPoliceOut.from_orm(obj) if _is_police(context) else None


class FlaggedPersonOut(PersonResultOut):
    """A flagged person in the caller's jurisdiction, with the premises and the job it came from.

    ``off_roster``: a later roster of the premises left this person out (the page's "Not on the roster uploaded
    …" line): listed until the police confirm that they left; ``off_roster_at`` when that roster was uploaded
    and ``off_roster_suspended`` whether the premises' code is suspended until then (``null``/false otherwise).
    """

    premises: PremisesRefOut
    unit: str
    off_roster: bool = False
    off_roster_at: datetime | None = None
    off_roster_suspended: bool = False

    @staticmethod
    def resolve_off_roster_suspended(obj) -> bool:
        return bool(getattr(obj, "off_roster_suspended", False))

    @staticmethod
    def resolve_premises(obj) -> PremisesRefOut:
        return PremisesRefOut(id=obj.job.premises_id, name=obj.job.premises.name)

    @staticmethod
    def resolve_unit(obj) -> str:
        return obj.job.premises.unit.name


class PersonDetailOut(Schema):
    """A person's result with every hit (police only). ``off_roster``, ``off_roster_at`` and
    ``off_roster_suspended`` as in :class:`FlaggedPersonOut`: a later roster of the premises left this person
    out (the person page's "Not on the roster uploaded …" line)."""

    person: PersonResultOut
    hits: list[HitOut]
    off_roster: bool = False
    off_roster_at: datetime | None = None
    off_roster_suspended: bool = False
