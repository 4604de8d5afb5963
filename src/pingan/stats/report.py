"""The printable weekly CompStat report: one A4 PDF per unit (reportlab, the bundled CJK font embedded).

Page one: the unit, the week (Monday–Sunday) and the as-of day, the classification with its version; the
windows side by side for every category, increases printed bold on yellow (as the NYPD's sheets print
them); clearance (UCR rules) and zero-incident streaks; the weekly trend of the headline category, this year
against last; the sub-units. A figure that cannot be given says why (``present``); amounts carry their
unit. The notes say how each figure is counted and where the figures come from.
"""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from pingan.lib.pdf_fonts import cjk_font
from pingan.stats import present
from pingan.stats.selectors import UnitPage, headline_category

YELLOW = "#fff3b0"


def _streak_text(st) -> str:
    if st is None:
        return ""
    at_least = "≥" if st.current_open_start else ""
    longest = f"{'≥' if st.longest_open_start else ''}{st.longest}"
    return _("%(current)s d (longest %(longest)s d)") % {"current": f"{at_least}{st.current}", "longest": longest}


def weekly_pdf(page: UnitPage, *, generated_by: str = "") -> bytes:
    """The weekly report of ``page`` as PDF bytes, in the active language."""
    from reportlab.graphics.shapes import Drawing, Line, PolyLine, String
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = cjk_font()
    lang = get_language()
    title_style = ParagraphStyle("t", fontName=font, fontSize=15, leading=19, wordWrap="CJK")
    body = ParagraphStyle("b", fontName=font, fontSize=8.5, leading=11.5, wordWrap="CJK")
    small = ParagraphStyle("s", fontName=font, fontSize=7, leading=9, wordWrap="CJK",
                           textColor=colors.HexColor("#57606a"))
    cell = ParagraphStyle("c", fontName=font, fontSize=7.5, leading=9, wordWrap="CJK", alignment=2)  # right
    note_cell = ParagraphStyle("n", parent=cell, fontSize=6.5, leading=8, textColor=colors.HexColor("#57606a"))
    monday, sunday = present.week_label(page.as_of)
    story = [
        Paragraph(_("Weekly CompStat report") + f" · {page.unit.label}", title_style),
        Paragraph(_("Week %(monday)s – %(sunday)s, as of %(as_of)s · %(scheme)s (%(stamp)s)") % {
            "monday": monday.isoformat(), "sunday": sunday.isoformat(), "as_of": page.as_of.isoformat(),
            "scheme": page.scheme.label(lang), "stamp": page.scheme.stamp()}, body),
        Spacer(1, 3 * mm),
    ]
    head = [_("Category")]
    for w in present.windows(page):
        head += [f"{w.short}\n{w.current.start:%m-%d}–{w.current.end:%m-%d}", _("last year"), "%"]
    head += [_("Offences cleared this year"), _("Clearance rate"), _("Zero-incident streak")]
    data = [[Paragraph(h.replace("\n", "<br/>"), small) for h in head]]
    style = [("FONT", (0, 0), (-1, -1), font, 7.5), ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#d0d7de")),
             ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef3fc")), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
             ("ALIGN", (1, 1), (-1, -1), "RIGHT")]
    for i, rv in enumerate(present.rows(page, lang), start=1):
        r = rv.row
        line: list = [Paragraph(f"<b>{rv.label}</b>" if r.is_group else rv.label, body)]
        if not rv.covered:
            line += [Paragraph(present.no_source_text(), note_cell)] + [""] * (len(head) - 2)
            style.append(("SPAN", (1, i), (-1, i)))
            data.append(line)
            continue
        for k, name in enumerate(("wtd", "d28", "ytd")):
            f = r.windows[name]
            if not rv.covered_last_year:
                line += [str(f.current), Paragraph(present.no_last_year_text(), note_cell), ""]
                style.append(("SPAN", (2 + 3 * k, i), (3 + 3 * k, i)))
                continue
            change = present.pct_text(f.change)
            line += [str(f.current), str(f.previous), Paragraph(change, note_cell) if f.change is None else change]
            if f.increase:
                col = 1 + 3 * k
                style += [("BACKGROUND", (col, i), (col + 2, i), colors.HexColor(YELLOW)),
                          ("FONT", (col, i), (col + 2, i), font, 7.5)]
        offences = int(r.windows["ytd"].current)
        few = " *" if present.small_base(offences) else ""
        clearance = present.share_text(r.clearance_ytd) + few
        if r.current_year_clearance is not None:
            clearance += " / " + _("this year's: %(rate)s") % {
                "rate": present.share_text(r.current_year_clearance) + few}
        cleared = str(r.cleared_ytd)
        if r.exceptional_ytd:
            cleared += " " + ngettext("(%(n)s without arrest)", "(%(n)s without arrest)", r.exceptional_ytd) % {
                "n": r.exceptional_ytd}
        line += [Paragraph(cleared, cell), Paragraph(clearance, cell), Paragraph(_streak_text(r.streak), cell)]
        data.append(line)
    widths = [30 * mm] + [10 * mm, 10 * mm, 12 * mm] * 3 + [16 * mm, 21 * mm, 21 * mm]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle(style))
    story += [table, Spacer(1, 2 * mm)]
    currency = present.page_currency(page)
    for rv in present.rows(page, lang):
        amounts = rv.row.amounts
        if amounts and rv.covered:
            story.append(Paragraph(f"<b>{rv.label}</b> · " + _(
                "%(n)s cases solved this year; %(inv)s involved, %(rec)s recovered.") % {
                "n": rv.row.cleared_ytd, "inv": present.money(amounts["cleared_involved"], currency, lang),
                "rec": present.money(amounts["cleared_recovered"], currency, lang)}, body))
    story.append(Spacer(1, 3 * mm))

    key, chart = present.trend(page)
    if chart is not None:
        w_pt, h_pt = 170 * mm, 55 * mm
        sx, sy = w_pt / chart.width, h_pt / chart.height
        d = Drawing(w_pt, h_pt)

        def pts(points: str) -> list[float]:
            out: list[float] = []
            for p in points.split():
                x, y = p.split(",")
                out += [float(x) * sx, h_pt - float(y) * sy]
            return out

        for y, v in chart.y_ticks:
            d.add(Line(chart.plot_left * sx, h_pt - y * sy, w_pt, h_pt - y * sy,
                       strokeColor=colors.HexColor("#e3e6ea")))
            d.add(String(chart.plot_left * sx - 3, h_pt - y * sy - 2, str(v), fontName=font, fontSize=6,
                         textAnchor="end"))
        for x, label in chart.x_labels:
            d.add(String(x * sx, 1, label, fontName=font, fontSize=6, textAnchor="middle"))
        if chart.previous:
            d.add(PolyLine(pts(chart.previous), strokeColor=colors.HexColor("#8c959f"), strokeWidth=1,
                           strokeDashArray=[2, 2]))
        d.add(PolyLine(pts(chart.current), strokeColor=colors.HexColor("#0b3d91"), strokeWidth=1.5))
        story += [Paragraph(_("Weekly trend: %(category)s — this year (solid) and last year (dashed)") % {
            "category": page.scheme.category(key).label(lang)}, body), d, Spacer(1, 3 * mm)]

    if page.children:
        head_key = headline_category(page.scheme)
        kid_rows = [[_("Unit"), _("Week to date"), "%", _("28 days"), "%", _("Year to date"), "%"]]
        kid_style = [("FONT", (0, 0), (-1, -1), font, 7.5), ("GRID", (0, 0), (-1, -1), 0.25,
                                                              colors.HexColor("#d0d7de")),
                     ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef3fc")), ("ALIGN", (1, 1), (-1, -1), "RIGHT")]
        for i, c in enumerate(page.children, start=1):
            row = c.compstat.row(head_key)
            line = [Paragraph(c.unit.label, body)]
            for k, name in enumerate(("wtd", "d28", "ytd")):
                f = row.windows[name]
                change = present.pct_text(f.change)
                line += [f"{f.current} ({f.previous})", Paragraph(change, note_cell) if f.change is None else change]
                if f.increase:
                    kid_style.append(("BACKGROUND", (1 + 2 * k, i), (2 + 2 * k, i), colors.HexColor(YELLOW)))
            kid_rows.append(line)
        kids = Table(kid_rows, colWidths=[50 * mm] + [22 * mm, 16 * mm] * 3, repeatRows=1)
        kids.setStyle(TableStyle(kid_style))
        story += [Paragraph(_("Sub-units: %(category)s (this year, last year in brackets)") % {
            "category": page.scheme.category(head_key).label(lang)}, body), kids, Spacer(1, 3 * mm)]

    notes = [
        _("Periods run Monday to Sunday; each window is compared with the same period a year earlier (the week and "
          "the 28 days 364 days earlier, the year to date from 1 January). Where last year's count was zero no "
          "percentage change is given. Yellow: an increase."),
        _("Clearance follows the FBI UCR rules: offences cleared by arrest or exceptionally, counted when cleared, "
          "whatever the year of the offence (so it may exceed 100 %); this year's clearance counts this year's "
          "offences cleared so far. Unfounded reports are not counted. Without arrest: the offender is known but "
          "cannot be arrested (died, abroad, the victim refuses to cooperate, under age)."),
        _("* fewer than %(n)s offences this year: one case more or less moves the rate by 5 points or more.") % {
            "n": present.SMALL_BASE},
        page.scheme.note(lang),
    ]
    if page.sources:
        notes.append(_("Sources: %(sources)s") % {"sources": "; ".join(
            f"{s.source} {s.first}–{s.last}" for s in page.sources)})
    notes.append(_("Generated %(at)s%(by)s by pingan.") % {
        "at": timezone.localtime().strftime("%Y-%m-%d %H:%M"), "by": f" ({generated_by})" if generated_by else ""})
    story += [Paragraph(n, small) for n in notes if n]

    buf = io.BytesIO()

    def footer(canvas, doc) -> None:
        canvas.setFont(font, 7)
        canvas.drawRightString(A4[0] - 15 * mm, 10 * mm, f"{page.unit.code} · {page.as_of} · {doc.page}")

    SimpleDocTemplate(buf, pagesize=A4, leftMargin=12 * mm, rightMargin=12 * mm, topMargin=12 * mm,
                      bottomMargin=15 * mm, title=f"CompStat {page.unit.code} {page.as_of}",
                      author="pingan").build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()


def report_filename(page: UnitPage) -> str:
    return f"compstat-{page.unit.code}-{page.as_of:%Y%m%d}.pdf"

