"""Each result row's reasons as codes and parameters (``{"code", "params"}``), never as finished text.

Pure module (no Django): it reads the engine's ``persons`` table (:data:`pingan.screening.batch.PERSONS_SCHEMA`),
the roster as read (its phone column), the repeated rows, the roster's rejections and the
rule set, and returns, per row, the list of messages a submitter is told — in the order of the rule set, then
notes on the number, the phone and repeats. ``pingan.screening.texts`` holds the templates that render them in
the reader's language; the API and the downloads' code columns carry them as they are.

Codes (params):

* ``rule`` (``rule``: id, ``text``: the rule set's reason per language) — a non-silent rule the row hit;
* ``rule_detail`` (``rule``, ``text``, ``detail``: an ``identity.*`` message) — the identity rule, saying what
  is wrong with the number;
* ``identity.<error code>`` (the identity module's ``error_params`` and ``doc_type``; ``conflicting``:
  ``rows``) — see :data:`pingan.lib.identity.documents.ERRORS`;
* ``identity_note`` (``note``: a :data:`pingan.lib.identity.documents.NOTES` code, ``params``) — how the number
  was typed (a lower-case x, full-width digits): a warning, the level unchanged;
* ``phone_invalid`` (``phone``) — the phone is not a valid number and was not used for matching;
* ``duplicate_of`` (``row``) — the row repeats the person of an earlier row (same ID number and name);
* ``shares_number_with`` (``row``) — the row gives an earlier row's ID number under another name (one number,
  two names: not said to be the same person); left out when the row's identity message already says so
  (``identity.conflicting``);
* ``not_screened`` (``detail``: a ``rejection.<code>`` message with the rejection's params) — a rejected row;
* ``not_screened_status`` (``status``) — a row the roster itself marked as not to be screened.

Only rows that have something to say are visited in Python (the flagged, rejected, repeated and mistyped
rows), so a clean million-row roster costs a few vectorised passes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

Message = dict[str, Any]

#: Identity notes that are a warning to the submitter (``area_code_unlisted`` is told through the
#: identity status, to the police).
WARNING_NOTES = frozenset({"lowercase_x", "lowercase_letters", "full_width_characters"})


def message(code: str, **params: Any) -> Message:
    """``{"code": code, "params": params}``."""
    return {"code": code, "params": params}


def identity_message(error: str | None, params_json: str | None, doc_type: str | None) -> Message | None:
    """The ``identity.<error>`` message of a number, or ``None`` when it has no error."""
    if not error:
        return None
    params = json.loads(params_json) if params_json else {}
    return message(f"identity.{error}", doc_type=doc_type or "", **params)


def rejection_message(code: str, params: Mapping[str, Any] | None) -> Message:
    """The ``not_screened`` message of a rejected roster row (``rejection.<code>`` inside)."""
    return message("not_screened", detail=message(f"rejection.{code}", **dict(params or {})))


def row_reasons(persons: pa.Table, *, roster: pa.Table | None, rejections: Iterable[Any],
                rule_texts: Mapping[str, Mapping[str, str]], rule_order: Iterable[str],
                identity_rules: Iterable[str], valid_phones: pa.Array | None = None,
                duplicates: Mapping[int, int] | None = None,
                shared_numbers: Iterable[int] = ()) -> list[list[Message]]:
    """Per row of ``persons`` (same order), the messages a submitter is told.

    ``roster``: the roster's ``row`` and ``phone`` as read (and ``duplicate_of`` when ``duplicates`` is not
    given), or ``None``; ``valid_phones``: per roster row, the normalised phone or null when invalid
    (aligned with ``roster``); ``duplicates``: row → the earlier row of the same ID number (or name and
    phone); ``shared_numbers``: the rows of ``duplicates`` whose name is not the earlier row's
    (``RosterMeta.shared_numbers``);
    ``rejections``: the roster's :class:`pingan.screening.roster.Rejection` objects (``row``, ``code``,
    ``params``); ``rule_texts``: rule id → reason per language; ``rule_order``: rule ids in file order;
    ``identity_rules``: the ids of rules of kind ``identity``.
    """
    n = persons.num_rows
    out: list[list[Message]] = [[] for _ in range(n)]
    if n == 0:
        return out
    order = {rid: i for i, rid in enumerate(rule_order)}
    identity_ids = set(identity_rules)
    rows = persons.column("row").to_pylist()
    index = {r: i for i, r in enumerate(rows)}

    # extra facts per row from the roster: repeats and unusable phones
    duplicate: dict[int, int] = dict(duplicates or {})
    bad_phone: dict[int, str] = {}
    if roster is not None and roster.num_rows:
        if duplicates is None and "duplicate_of" in roster.column_names:
            mask = pc.is_valid(roster.column("duplicate_of"))
            if pc.any(mask).as_py():
                duplicate = dict(zip(pc.filter(roster.column("row"), mask).to_pylist(),
                                     pc.filter(roster.column("duplicate_of"), mask).to_pylist(), strict=True))
        if valid_phones is not None and "phone" in roster.column_names:
            given = pc.utf8_trim_whitespace(roster.column("phone").cast(pa.string()))
            mask = pc.and_(pc.fill_null(pc.not_equal(given, ""), False), pc.is_null(valid_phones))
            if pc.any(mask).as_py():
                bad_phone = dict(zip(pc.filter(roster.column("row"), mask).to_pylist(),
                                     pc.filter(given, mask).to_pylist(), strict=True))
    rejected = {r.row: r for r in rejections}
    shared = set(shared_numbers)

    # rows with something to say: hits, notes, repeats, bad phones, anything not accepted
    interesting = pc.or_(pc.greater(pc.list_value_length(persons.column("rule_ids")), 0),
                         pc.not_equal(persons.column("status"), "accepted"))
    if "identity_notes" in persons.column_names:
        interesting = pc.or_(interesting, pc.greater(pc.fill_null(
            pc.list_value_length(persons.column("identity_notes")), 0), 0))
    visit = set(pc.indices_nonzero(pc.fill_null(interesting, False)).to_pylist())
    visit.update(index[r] for r in (*duplicate, *bad_phone) if r in index)

    cols = {c: persons.column(c) for c in persons.column_names}
    for i in sorted(visit):
        row = rows[i]
        status = cols["status"][i].as_py()
        msgs = out[i]
        if status == "rejected":
            r = rejected.get(row)
            if r is not None:
                msgs.append(rejection_message(r.code, getattr(r, "params", None)))
            continue
        if status != "accepted":
            msgs.append(message("not_screened_status", status=status))
            continue
        detail = None
        if "identity_error" in cols:
            detail = identity_message(cols["identity_error"][i].as_py(), cols["identity_error_params"][i].as_py(),
                                      cols["doc_type"][i].as_py())
        for rid in sorted(cols["rule_ids"][i].as_py() or [], key=lambda r: order.get(r, len(order))):
            text = dict(rule_texts.get(rid, {}))
            if rid in identity_ids and detail is not None:
                msgs.append(message("rule_detail", rule=rid, text=text, detail=detail))
            else:
                msgs.append(message("rule", rule=rid, text=text))
        for note in (cols["identity_notes"][i].as_py() if "identity_notes" in cols else None) or []:
            if note["code"] in WARNING_NOTES:
                msgs.append(message("identity_note", note=note["code"],
                                    params=json.loads(note["params"]) if note.get("params") else {}))
        if row in bad_phone:
            msgs.append(message("phone_invalid", phone=bad_phone[row]))
        if row in duplicate and row not in shared:
            msgs.append(message("duplicate_of", row=duplicate[row]))
        elif row in duplicate and not (detail is not None and detail["code"] == "identity.conflicting"
                                       and any(m["code"] == "rule_detail" for m in msgs)):
            msgs.append(message("shares_number_with", row=duplicate[row]))
    return out


def as_json(reasons: list[list[Message]]) -> pa.Array:
    """The reasons as a JSON text column (``[]`` for a row with none), for the results' Parquet file."""
    return pa.array([json.dumps(m, ensure_ascii=False, separators=(",", ":")) for m in reasons], pa.string())
