"""CSV and XLSX exports: a unit's CompStat table, the incidents of a drill-down, and the public release.

CSV is UTF-8 with a byte-order mark (Excel opens it as UTF-8); XLSX is written with xlsxwriter, increases on
yellow as on the page. The public release counts incidents per block and per sub-unit and category over a
period, with small cells withheld (:mod:`pingan.stats.suppress`): nothing finer than a block is published,
and no withheld count can be worked out from the totals.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from pingan.core.texts import paren
from pingan.lib import textchars
from pingan.stats import classify, present
from pingan.stats.models import Incident
from pingan.stats.selectors import UnitPage
from pingan.stats.suppress import SuppressedTable

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Sheet:
    name: str
    header: list[str]
    rows: list[list]
    highlight: set[tuple[int, int]] | None = None  # (row index, column index) of increases
    note: str = ""


def to_csv(sheet: Sheet) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    clean = textchars.for_output  # no control or bidi character in a download (issue 11)
    w.writerow([clean(h) for h in sheet.header])
    w.writerows(["" if v is None else clean(v) for v in row] for row in sheet.rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(sheets: Sequence[Sheet]) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    bold = wb.add_format({"bold": True, "bg_color": "#eef3fc", "text_wrap": True, "valign": "top"})
    up = wb.add_format({"bg_color": "#fff3b0"})
    muted = wb.add_format({"italic": True, "font_color": "#57606a"})
    for sh in sheets:
        ws = wb.add_worksheet(sh.name[:31])
        ws.write_row(0, 0, [textchars.for_output(h) for h in sh.header], bold)
        for i, row in enumerate(sh.rows, start=1):
            for j, v in enumerate(row):
                fmt = up if sh.highlight and (i - 1, j) in sh.highlight else None
                ws.write(i, j, "" if v is None else textchars.for_output(v), fmt)
        ws.set_column(0, 0, 28)
        ws.set_column(1, len(sh.header), 12)
        ws.freeze_panes(1, 1)
        if sh.note:
            ws.write(len(sh.rows) + 2, 0, sh.note, muted)
    wb.close()
    return buf.getvalue()


def _round(v: float | None) -> float | None:
    return None if v is None else round(v, 4)


def _money_cell(v) -> Decimal | None:
    """An amount as a plain decimal to the fen: ``1544550.00`` in a CSV (not ``1544550.0``), a number in XLSX."""
    return None if v is None else Decimal(v).quantize(Decimal("0.01"))


def compstat_sheet(page: UnitPage) -> Sheet:
    """The CompStat table of a unit as one sheet (counts, changes as fractions, clearance, streaks)."""
    head = [_("Category")]
    for w in present.windows(page):
        prev = f"{w.previous.start}–{w.previous.end}" if w.previous is not None else present.no_week_53_text()
        head += [f"{w.label} {w.current.start}–{w.current.end}", f"{w.label} {_('last year')} {prev}",
                 f"{w.label} %"]
    currency = present.page_currency(page)
    unit = present.money_unit(currency)
    head += [_("Offences cleared this year"), _("of which without arrest"),
             _("of which offences of earlier years"), _("Clearance rate (YTD)"),
             _("Fewer than %(n)s offences (rate on small counts)") % {"n": present.SMALL_BASE},
             _("This year's offences cleared"), _("This year's clearance rate"), _("Days without an incident"),
             _("Longest run without an incident"),
             _("Amount involved in the cases solved (%(unit)s)") % {"unit": unit},
             _("Amount recovered in the cases solved (%(unit)s)") % {"unit": unit}]
    head.append(_("Note"))  # what an empty number cell means: the number columns hold numbers only (issue 11)
    if present.loaded(page) == "nothing":  # no data is not zero: said, as the page says it (issue 11)
        return Sheet("CompStat", head, [[present.nothing_loaded_text(page.unit)]], None,
                     f"{page.unit.label} · {_('as of')} {page.as_of} · {present.how_to_load_text()}")
    labels = [w.label for w in present.windows(page)]
    rows, hl = [], set()
    for i, rv in enumerate(present.rows(page)):
        r = rv.row
        line: list = [rv.label]
        notes: list[str] = []
        if not rv.covered:
            rows.append(line + [None] * (len(head) - 2) + [present.no_source_text()])
            continue
        for k, name in enumerate(("wtd", "d28", "ytd")):
            f = r.windows[name]
            if f.previous is None:  # no such week last year, or no data: said, never a 0
                line += [f.current, None, None]
                notes.append(f"{labels[k]}: {present.missing_text(f.missing)}")
                continue
            line += [f.current, f.previous, None if f.change is None else _round(f.change)]
            if f.change is None:
                notes.append(f"{labels[k]} %: {present.no_base_text()}")
            if f.increase:
                hl.update({(i, 1 + 3 * k), (i, 2 + 3 * k), (i, 3 + 3 * k)})
        st = r.streak
        offences = int(r.windows["ytd"].current)
        current_year = r.current_year_cleared is not None

        def rate(value: float | None, notes: list[str] = notes) -> float | None:
            if value is None and present.no_offences_text() not in notes:
                notes.append(present.no_offences_text())
            return None if value is None else _round(value)

        amounts = r.amounts or {}
        if not page.clearance_recorded(r.category):  # no clearances in the source: said, not 0
            line += [None, None, None, None, None, None, None,
                     st.current if st else None, st.longest if st else None, None, None]
            rows.append([*line, " · ".join([*notes, present.no_clearance_text()])])
            continue
        line += [r.cleared_ytd, r.exceptional_ytd, r.cleared_earlier_ytd, rate(r.clearance_ytd),
                 _("yes") if present.small_base(offences) else "",
                 r.current_year_cleared, rate(r.current_year_clearance) if current_year else None,
                 st.current if st else None, st.longest if st else None,
                 _money_cell(amounts.get("cleared_involved")), _money_cell(amounts.get("cleared_recovered"))]
        rows.append([*line, " · ".join(notes)])
    note = (f"{page.unit.code} {page.unit.label} · {_('as of')} {page.as_of} · {present.scheme_text(page.scheme)} · "
            + _("Changes and rates are fractions (0.123 = 12.3%%). Clearance: FBI UCR rules (offences, not "
                "persons; cleared by arrest or without arrest; counted in the year cleared, so a rate can "
                "exceed 1). Amounts in %(unit)s.") % {"unit": unit} + " " + present.clearance_rule_cited())
    if any(present.over_100(r) for r in page.compstat.rows):
        note += " " + present.over_100_note(page)
    return Sheet("CompStat", head, rows, hl, note)


def children_sheet(page: UnitPage) -> Sheet:
    key = present.headline(page)
    head = [_("Unit"), _("Code")]
    for w in present.windows(page):
        head += [w.label, f"{w.label}{paren(_('last year'))}", f"{w.label} %"]
    if present.loaded(page) == "nothing":
        return Sheet(_("Sub-units"), head, [[present.nothing_loaded_text(page.unit)]], None, "")
    rows, hl = [], set()
    for i, c in enumerate(page.children):
        line: list = [c.unit.label, c.unit.code]
        if key is None:
            rows.append([*line, present.no_source_text()])
            continue
        row = c.compstat.row(key)
        for k, name in enumerate(("wtd", "d28", "ytd")):
            f = row.windows[name]
            if f.previous is None:
                line += [f.current, present.missing_text(f.missing), None]
                continue
            line += [f.current, f.previous, present.no_base_text() if f.change is None else round(f.change, 4)]
            if f.increase:
                hl.update({(i, 2 + 3 * k), (i, 3 + 3 * k), (i, 4 + 3 * k)})
        rows.append(line)
    return Sheet(_("Sub-units"), head, rows, hl,
                 page.scheme.category(key).label(get_language()) if key else present.no_source_text())


INCIDENT_COLUMNS = ("id", "source", "source_ref", "unit", "count_date", "occurred_from", "occurred_to", "reported_at",
                    "offence", "offence_name", "source_category", "place_type", "attempted", "block", "location",
                    "status", "clearance", "exceptional_code", "cleared_on", "victims", "injured", "killed",
                    "property_loss", "amount_involved", "amount_recovered", "currency")
#: Each column's heading in a person's file (the API, ``/api/v1/stats/…/incidents``, keeps the field names and
#: codes; issue 11: the download had English headings and values — ``open``, ``bureau``, ``False`` — in a
#: Chinese file).
INCIDENT_HEADINGS = {
    "id": pgettext_lazy("an incident's number in pingan", "Record"), "source": _l("Source"),
    "source_ref": _l("Reference in the source"), "unit": _l("Unit"), "count_date": _l("Counted on"),
    "occurred_from": _l("Occurred from"), "occurred_to": _l("Occurred to"), "reported_at": _l("Reported at"),
    "offence": _l("Offence code"), "offence_name": _l("Offence"), "source_category": _l("Category in the source"),
    "place_type": _l("Place"), "attempted": _l("Attempted"), "block": _l("Block"),
    "location": pgettext_lazy("where an incident happened", "Location"), "status": _l("Status"),
    "clearance": _l("Clearance"), "exceptional_code": _l("Exceptional clearance (NIBRS)"),
    "cleared_on": _l("Cleared on"), "victims": _l("Victims"), "injured": _l("Injured"), "killed": _l("Killed"),
    "property_loss": _l("Property loss"), "amount_involved": _l("Amount involved"),
    "amount_recovered": _l("Amount recovered"), "currency": _l("Currency"),
}


def incidents_sheet(incidents: Iterable[Incident]) -> Sheet:
    """Incidents as rows for a person (times in each incident's own time zone, ISO 8601): headings, the
    source, reference, unit, place, attempted, status and clearances in the active language; the offence
    both by its code and its name."""
    from zoneinfo import ZoneInfo

    vocab = classify.vocabulary()
    lang = get_language()
    yes, no = _("yes"), _("no")

    def local(t, tz):
        return t.astimezone(ZoneInfo(tz)).isoformat(timespec="minutes") if t and tz else (t.isoformat() if t else "")

    rows = []
    for i in incidents:
        rows.append([i.pk, present.source_label(i.source), present.source_ref_label(i.source_ref), i.unit.label,
                     i.count_date.isoformat(), local(i.occurred_from, i.timezone), local(i.occurred_to, i.timezone),
                     local(i.reported_at, i.timezone), i.offence, vocab.label(i.offence, lang), i.source_category,
                     vocab.place_label(i.place_type, lang) if i.place_type else "", yes if i.attempted else no,
                     i.block, i.location, i.get_status_display(), i.get_clearance_display() if i.clearance else "",
                     i.get_exceptional_code_display() if i.exceptional_code else "",
                     i.cleared_on.isoformat() if i.cleared_on else "",
                     i.victims, i.injured, i.killed, _money_cell(i.property_loss), _money_cell(i.amount_involved),
                     _money_cell(i.amount_recovered), i.currency])
    return Sheet(_("Incidents"), [str(INCIDENT_HEADINGS[c]) for c in INCIDENT_COLUMNS], rows)


def suppressed_sheet(name: str, row_labels: Sequence[str], col_labels: Sequence[str], table: SuppressedTable,
                     note: str) -> Sheet:
    """A suppressed table with its totals as a sheet; withheld cells are empty."""
    head = [name, *col_labels, _("Total")]
    rows = [[label, *cells, total] for label, cells, total in zip(row_labels, table.cells, table.row_totals,
                                                                   strict=True)]
    rows.append([_("Total"), *table.col_totals, table.grand_total])
    return Sheet(name, head, rows, None, note)


def all_units_sheet(result, loaded: Callable[[object], bool] = lambda unit: True) -> Sheet:
    """The full weekly report: one row per unit and category (``selectors.compstat_all_units``); a unit of an
    organisation with no incident data loaded (``loaded(unit)`` false) gets one row saying so, not zeros."""
    lang = get_language()
    head = [_("Unit code"), _("Unit"), _("Classification"), _("Category")]
    for w in present.WINDOW_LABELS.values():
        head += [str(w), f"{w}{paren(_('last year'))}", f"{w} %"]
    head += [_("Cleared (YTD)"), _("Clearance rate (YTD)")]
    rows, hl = [], set()
    for unit, cs in result:
        if not loaded(unit):
            rows.append([unit.code, unit.label, present.scheme_text(cs.scheme), present.nothing_loaded_text(unit)])
            continue
        for r in cs.rows:
            line: list = [unit.code, unit.label, present.scheme_text(cs.scheme),
                          cs.scheme.category(r.category).label(lang)]
            for k, name in enumerate(("wtd", "d28", "ytd")):
                f = r.windows[name]
                if f.previous is None:
                    line += [f.current, present.missing_text(f.missing), None]
                    continue
                line += [f.current, f.previous, _round(f.change)]
                if f.increase:
                    hl.update({(len(rows), 4 + 3 * k), (len(rows), 5 + 3 * k), (len(rows), 6 + 3 * k)})
            line += [r.cleared_ytd, _round(r.clearance_ytd)]
            rows.append(line)
    return Sheet("CompStat", head, rows, hl)
