"""The audit search's results as a file: CSV from the audit page (``/audit/export.csv``, the same filters as the
page), CSV or JSON from ``pingan audit search --csv|--json``.

Two forms. The page's CSV is for a person: headers and values in the reader's language as the page says them,
each coded value followed by its stable code in the column beside it (``action`` … ``purpose``), so a
spreadsheet filter works whatever language the file was made in. The command's form is for scripts: the stable
keys of :data:`FIELDS` as the header (CSV) or the object keys (JSON), codes as values, times in ISO 8601.

Every cell goes through ``textchars.for_output`` (no control or text-direction character), and a text cell a
spreadsheet would read as a formula (``=``, ``+``, ``-``, ``@`` first) is written with a leading apostrophe.
The export is recorded as ``export`` of the trail with its filters (``selectors.audit_search``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pingan.core.selectors import audit_rows
from pingan.lib import textchars

#: At most this many records go into one file, newest first; a larger result is downloaded in parts (:func:`parts`).
EXPORT_LIMIT = 10_000


def parts(total: int, per_part: int | None = None) -> list[tuple[int, int, int]]:
    """``(part, first, last)`` of the files ``total`` records are exported in, newest first (the audit page links
    each when there is more than one). Records written between two downloads move the later parts on: a record
    may then be in two files (its No. tells), never in none."""
    per_part = per_part or EXPORT_LIMIT
    return [(n + 1, n * per_part + 1, min(total, (n + 1) * per_part)) for n in range(-(-total // per_part))]

#: The machine form's keys, in column order.
FIELDS = ("seq", "at", "actor", "agent", "on_behalf", "role", "unit", "action", "object_type", "object_id",
          "persons", "purpose", "client_addr", "request_id")

#: The page's CSV: (header, value of an ``AuditRow`` and its record); a code column follows its label's.
PAGE_COLUMNS = (
    (pgettext_lazy("audit export", "No."), lambda row, r: row.seq),
    (_("Time"), lambda row, r: _iso(r.at)),
    (_("Who"), lambda row, r: row.who),
    (pgettext_lazy("audit export", "Account name"), lambda row, r: row.username),
    (pgettext_lazy("audit export", "On behalf of"), lambda row, r: row.on_behalf),
    (pgettext_lazy("audit export", "Role"), lambda row, r: row.role),
    (pgettext_lazy("audit export", "Role (code)"), lambda row, r: r.role),
    (pgettext_lazy("audit export", "Unit"), lambda row, r: row.unit),
    (pgettext_lazy("audit export", "Unit (code)"), lambda row, r: r.unit),
    (pgettext_lazy("audit export", "Action"), lambda row, r: row.action),
    (pgettext_lazy("audit export", "Action (code)"), lambda row, r: r.action),
    (pgettext_lazy("audit export", "Object"), lambda row, r: row.object),
    (pgettext_lazy("audit export", "Object (code)"), lambda row, r: r.object_type),
    (pgettext_lazy("audit export", "Object id"), lambda row, r: r.object_id),
    (pgettext_lazy("audit export", "Object described"), lambda row, r: row.object_text),
    (pgettext_lazy("audit export", "People shown"), lambda row, r: row.persons),
    (_("Purpose"), lambda row, r: row.purpose),
    (pgettext_lazy("audit export", "Purpose (code)"), lambda row, r: r.purpose),
    (_("Network address"), lambda row, r: r.client_addr),
    (pgettext_lazy("audit export", "Request id"), lambda row, r: r.request_id),
)


def _iso(at) -> str:
    return timezone.localtime(at).isoformat(timespec="seconds")


def _cell(value) -> object:
    """A value as a spreadsheet should keep it: no invisible or direction character, never read as a formula."""
    if value is None:
        return ""
    value = textchars.for_output(value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def _csv(header: Iterable, rows: Iterable[Iterable], *, bom: bool) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([_cell(str(h)) for h in header])
    w.writerows([_cell(v) for v in row] for row in rows)
    return ("\ufeff" if bom else "") + buf.getvalue()


def page_csv(records) -> bytes:
    """The page's CSV of ``records`` (fetched by ``selectors.audit_search``): UTF-8 with a byte-order mark (Excel
    opens it as UTF-8), headers in the active language."""
    records = list(records)
    rows = audit_rows(records)
    return _csv([h for h, _v in PAGE_COLUMNS], ([value(row, r) for _h, value in PAGE_COLUMNS]
                                                 for row, r in zip(rows, records, strict=True)), bom=True).encode()


def machine_record(r) -> dict:
    """One record in the machine form: :data:`FIELDS`, codes as stored, the time in ISO 8601 with its offset;
    ``agent`` the kind of what acted without an account (``""`` for a person), ``on_behalf`` for whom."""
    detail = r.detail if isinstance(r.detail, dict) else {}
    agent = detail.get("agent") or {}
    subjects = detail.get("subjects")
    return {"seq": r.seq, "at": _iso(r.at), "actor": r.actor, "agent": "" if r.actor_id else agent.get("kind", ""),
            "on_behalf": agent.get("by", ""), "role": r.role, "unit": r.unit, "action": r.action,
            "object_type": r.object_type, "object_id": r.object_id,
            "persons": subjects.get("n") if isinstance(subjects, dict) else None, "purpose": r.purpose,
            "client_addr": r.client_addr, "request_id": r.request_id}


def machine_csv(records) -> str:
    return _csv(FIELDS, ([rec[k] for k in FIELDS] for rec in map(machine_record, records)), bom=False)


def machine_json(records) -> str:
    return json.dumps([machine_record(r) for r in records], ensure_ascii=False, indent=1)
