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
from django.utils.translation import get_language, ngettext, pgettext
from django.utils.translation import gettext as _

from pingan.core.texts import day, days, moment, paren, separated
from pingan.core.texts import lang as language_key
from pingan.lib import termtable
from pingan.lib.pdf_fonts import cjk_font
from pingan.stats import present
from pingan.stats.selectors import UnitPage

YELLOW = "#fff3b0"


def _streak_text(st) -> str:
    if st is None:
        return ""
    at_least = "≥" if st.current_open_start else ""
    longest = f"{'≥' if st.longest_open_start else ''}{st.longest}"
    return _("%(current)s d (longest %(longest)s d)") % {"current": f"{at_least}{st.current}", "longest": longest}


#: Cell padding of the report's tables on each side (LEFTPADDING/RIGHTPADDING), with a point to spare so that
#: a word measured to fit does fit.
_PAD = 3
_SLACK = 3


def column_widths(cells: list[list[tuple[str, float]]], font: str, total: float,
                  fixed: dict[int, float] | None = None, keep_whole: float = 0) -> list[float]:
    """Column widths (points) computed from the content: ``cells[row][col]`` is each cell's text (lines split
    by ``\n``) and font size. Every column is at least as wide as its widest unbreakable piece (a word, a
    date, a Chinese word: ``termtable.tokens``), so a header or a label wraps only between words and never
    inside a word or a date; the rest of ``total`` goes to the columns whose text is longer than that, in
    proportion to what they lack. ``fixed`` gives some columns a set width. ``keep_whole``: a line no wider than
    this (points) is kept on one line (Chinese: reportlab breaks Chinese text between any two characters, so a
    short word or figure such as 电信网络诈骗 or 15 天（最长 39 天） is kept whole by giving it the width)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    n = max(len(r) for r in cells)
    need = [0.0] * n  # the widest unbreakable piece
    want = [0.0] * n  # the widest line unbroken
    for row in cells:
        for j, (text, size) in enumerate(row):
            for line in str(text).split("\n"):
                line_width = stringWidth(line, font, size) + 2 * _PAD + _SLACK
                want[j] = max(want[j], line_width)
                if line_width <= keep_whole:
                    need[j] = max(need[j], line_width)
                for tok, _space in termtable.tokens(line):
                    need[j] = max(need[j], stringWidth(tok, font, size) + 2 * _PAD + _SLACK)
    fixed = fixed or {}
    widths = [fixed.get(j, need[j]) for j in range(n)]
    spare = total - sum(widths)
    lack = [0.0 if j in fixed else max(0.0, want[j] - widths[j]) for j in range(n)]
    if spare > 0 and sum(lack) > 0:
        k = min(1.0, spare / sum(lack))
        widths = [w + lack[j] * k for j, w in enumerate(widths)]
        spare = total - sum(widths)
    if spare > 0:  # everything fits on one line: the first (label) column takes what is left
        widths[0] += spare
    return widths


def weekly_pdf(page: UnitPage, *, generated_by: str = "") -> bytes:
    """The weekly report of ``page`` as PDF bytes, in the active language."""
    from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, String
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    font = cjk_font()
    lang = get_language()
    cjk = language_key(lang, when_none="en") == "zh"
    # Chinese wraps between characters; English only between words (reportlab's CJK wrapping breaks anywhere,
    # which cut "non-negligent" and the dates of the headers in two)
    wrap = "CJK" if cjk else None
    title_style = ParagraphStyle("t", fontName=font, fontSize=15, leading=19, wordWrap=wrap)
    body = ParagraphStyle("b", fontName=font, fontSize=8.5, leading=11.5, wordWrap=wrap)
    small = ParagraphStyle("s", fontName=font, fontSize=7, leading=9, wordWrap=wrap,
                           textColor=colors.HexColor("#57606a"))
    label_cell = ParagraphStyle("l", fontName=font, fontSize=7.5, leading=9, wordWrap=wrap)
    head_cell = ParagraphStyle("h", fontName=font, fontSize=7, leading=8.5, wordWrap=wrap,
                               textColor=colors.HexColor("#24292f"))
    head_center = ParagraphStyle("hc", parent=head_cell, alignment=1)
    cell = ParagraphStyle("c", fontName=font, fontSize=7.5, leading=9, wordWrap=wrap, alignment=2)  # right
    note_cell = ParagraphStyle("n", parent=cell, fontSize=6.5, leading=8, textColor=colors.HexColor("#57606a"))
    avail = A4[0] - 24 * mm
    story = [
        Paragraph(_("Weekly CompStat report") + f" · {page.unit.label}", title_style),
        Paragraph(_("%(week)s, %(span)s, as of %(as_of)s · %(scheme)s (%(stamp)s)") % {
            "week": present.week_text(page.as_of), "span": days(*present.week_label(page.as_of), year=False),
            "as_of": day(page.as_of), "scheme": page.scheme.label(lang),
            "stamp": _("version %(v)s") % {"v": page.scheme.version}},
            body),
        Spacer(1, 3 * mm),
    ]
    if present.loaded(page) == "nothing":  # no data is not zero: no table of zeros (issue 11), as on the page
        story += [Paragraph(f"<b>{present.nothing_loaded_text(page.unit)}</b>", body), Spacer(1, 2 * mm),
                  Paragraph(present.how_to_load_text(), body)]
        return _build(story, page, font, generated_by, small)

    # ---- the CompStat table: two header rows (each window's name and dates over its three columns)
    windows = present.windows(page)
    top = [_("Category")]
    sub = [""]
    window_need = []  # each window's heading over its three columns: name, dates, last year's dates
    for w in windows:
        # the name, this year's days, and last year's under "last year", each on a line of its own (a range across
        # a new year, "29 Dec 2025 – 4 Jan 2026", would not fit three windows' headings on one line each)
        heading = f"{w.label}\n{w.current_text}\n{_('last year')}\n{w.previous_text}"
        window_need.append(heading)
        top += [heading, "", ""]
        sub += [_("this year"), _("last year"), "%"]
    top += [_("Offences cleared this year"), _("Clearance rate"), _("Zero-incident streak")]
    sub += ["", "", ""]
    texts: list[list[tuple[str, float]]] = [[(t, 7) for t in sub]]  # the window names span 3 columns: not measured
    data = [[Paragraph(h.replace("\n", "<br/>"), head_center if 1 <= j <= 9 else head_cell)
             for j, h in enumerate(top)],
            [Paragraph(h.replace("\n", "<br/>"), head_center) for h in sub]]
    style = [("FONT", (0, 0), (-1, -1), font, 7.5), ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#d0d7de")),
             ("BACKGROUND", (0, 0), (-1, 1), colors.HexColor("#eef3fc")), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
             ("ALIGN", (1, 2), (-1, -1), "RIGHT"), ("SPAN", (0, 0), (0, 1)),
             ("LEFTPADDING", (0, 0), (-1, -1), _PAD), ("RIGHTPADDING", (0, 0), (-1, -1), _PAD)]
    for k in range(3):
        style.append(("SPAN", (1 + 3 * k, 0), (3 + 3 * k, 0)))
    for j in (10, 11, 12):
        style.append(("SPAN", (j, 0), (j, 1)))
    texts.append([(top[0], 7)] + [("", 7)] * 9 + [(t, 7) for t in top[10:]])
    earlier_cleared = False
    for i, rv in enumerate(present.rows(page, lang), start=2):
        r = rv.row
        line: list = [Paragraph(f"<b>{rv.label}</b>" if r.is_group else rv.label, label_cell)]
        words: list[tuple[str, float]] = [(rv.label, 7.5)]
        if not rv.covered:
            line += [Paragraph(present.no_source_text(), note_cell)] + [""] * (len(top) - 2)
            style.append(("SPAN", (1, i), (-1, i)))
            data.append(line)
            texts.append(words)
            continue
        for k, name in enumerate(("wtd", "d28", "ytd")):
            f = r.windows[name]
            if f.previous is None:
                line += [str(f.current), Paragraph(present.missing_text(f.missing), note_cell), ""]
                words += [(str(f.current), 7.5), ("", 6.5), ("", 6.5)]
                style.append(("SPAN", (2 + 3 * k, i), (3 + 3 * k, i)))
                continue
            change = present.pct_text(f.change)
            line += [str(f.current), str(f.previous), Paragraph(change, note_cell) if f.change is None else change]
            words += [(str(f.current), 7.5), (str(f.previous), 7.5), (change, 6.5 if f.change is None else 7.5)]
            if f.increase:
                col = 1 + 3 * k
                style += [("BACKGROUND", (col, i), (col + 2, i), colors.HexColor(YELLOW)),
                          ("FONT", (col, i), (col + 2, i), font, 7.5)]
        offences = int(r.windows["ytd"].current)
        if not page.clearance_recorded(r.category):  # the source has no clearances: not "0, 0.0 %"
            line += ["—", Paragraph(present.no_clearance_text(), note_cell), Paragraph(_streak_text(r.streak), cell)]
            words += [("—", 7.5), (present.no_clearance_text(), 6.5), (_streak_text(r.streak), 7.5)]
            data.append(line)
            texts.append(words)
            continue
        few = " *" if present.small_base(offences) else ""
        over = "†" if present.over_100(r) else ""
        earlier_cleared = earlier_cleared or bool(over)
        clearance = present.share_text(r.clearance_ytd) + over + few
        if r.current_year_clearance is not None:
            clearance += " / " + _("this year's: %(rate)s") % {
                "rate": present.share_text(r.current_year_clearance) + few}
        cleared = str(r.cleared_ytd)
        if r.exceptional_ytd:
            cleared += " " + ngettext("(%(n)s without arrest)", "(%(n)s without arrest)", r.exceptional_ytd) % {
                "n": r.exceptional_ytd}
        line += [Paragraph(cleared, cell), Paragraph(clearance, cell), Paragraph(_streak_text(r.streak), cell)]
        words += [(cleared, 7.5), (clearance, 7.5), (_streak_text(r.streak), 7.5)]
        data.append(line)
        texts.append(words)
    widths = column_widths(texts, font, avail, keep_whole=90 if cjk else 0)
    _widen_spans(widths, window_need, font, 7, [(1 + 3 * k, 3 + 3 * k) for k in range(3)])
    table = Table(data, colWidths=widths, repeatRows=2)
    table.setStyle(TableStyle(style))
    story += [table, Spacer(1, 2 * mm)]
    currency = present.page_currency(page)
    for rv in present.rows(page, lang):
        amounts = rv.row.amounts
        if amounts and rv.covered:
            inv, rec = present.money_together([amounts["cleared_involved"], amounts["cleared_recovered"]],
                                              currency, lang)
            story.append(Paragraph(f"<b>{rv.label}</b> · " + _(
                "%(n)s cases solved this year; %(inv)s involved, %(rec)s recovered.") % {
                "n": rv.row.cleared_ytd, "inv": inv, "rec": rec}, body))
    story.append(Spacer(1, 3 * mm))

    # ---- the trend chart: only of a category some source covers, each line labelled by what it is
    key, chart = present.trend(page)
    if key is None:
        story += [Paragraph(_("No weekly trend: no data source covers any category of this classification."), body),
                  Spacer(1, 3 * mm)]
    elif chart is not None:
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
        for seg in chart.previous:
            d.add(PolyLine(pts(seg), strokeColor=colors.HexColor("#8c959f"), strokeWidth=1, strokeDashArray=[2, 2]))
        for seg in chart.current:
            d.add(PolyLine(pts(seg), strokeColor=colors.HexColor("#0b3d91"), strokeWidth=1.5))
        if chart.partial_point:  # the week so far: dotted to an open point, not the line's next week
            if chart.partial:
                d.add(PolyLine(pts(chart.partial), strokeColor=colors.HexColor("#0b3d91"), strokeWidth=1,
                               strokeDashArray=[1, 2]))
            px, py = pts(f"{chart.partial_point[0]},{chart.partial_point[1]}")
            d.add(Circle(px, py, 2.2, fillColor=colors.white, strokeColor=colors.HexColor("#0b3d91"),
                         strokeWidth=1))
        category = page.scheme.category(key).label(lang)
        if chart.previous:
            caption = _("Weekly trend: %(category)s — this year (solid) and the same weeks last year (dashed)") % {
                "category": category}
        else:
            caption = _("Weekly trend: %(category)s — this year (no data for the same weeks last year)") % {
                "category": category}
        if chart.partial_point:
            caption += pgettext("sentence end", ".") + " ○ " + present.partial_week_text(page)
        story += [Paragraph(caption, body), d, Spacer(1, 3 * mm)]

    # ---- the sub-units
    if page.children and key is not None:
        kid_head = [_("Unit")]
        for w in windows:
            kid_head += [w.label, "%"]
        kid_rows = [[Paragraph(h, head_cell) for h in kid_head]]
        kid_texts = [[(h, 7) for h in kid_head]]
        kid_style = [("FONT", (0, 0), (-1, -1), font, 7.5), ("GRID", (0, 0), (-1, -1), 0.25,
                                                              colors.HexColor("#d0d7de")),
                     ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef3fc")), ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                     ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), _PAD),
                     ("RIGHTPADDING", (0, 0), (-1, -1), _PAD)]
        for i, c in enumerate(page.children, start=1):
            row = c.compstat.row(key)
            line = [Paragraph(c.unit.label, label_cell)]
            words = [(c.unit.label, 7.5)]
            for k, name in enumerate(("wtd", "d28", "ytd")):
                f = row.windows[name]
                if f.previous is None:
                    line += [str(f.current), Paragraph(present.missing_text(f.missing), note_cell)]
                    words += [(str(f.current), 7.5), (present.missing_text(f.missing), 6.5)]
                    continue
                change = present.pct_text(f.change)
                line += [f"{f.current} ({f.previous})", Paragraph(change, note_cell) if f.change is None else change]
                words += [(f"{f.current} ({f.previous})", 7.5), (change, 6.5 if f.change is None else 7.5)]
                if f.increase:
                    kid_style.append(("BACKGROUND", (1 + 2 * k, i), (2 + 2 * k, i), colors.HexColor(YELLOW)))
            kid_rows.append(line)
            kid_texts.append(words)
        kids = Table(kid_rows, colWidths=column_widths(kid_texts, font, avail, keep_whole=90 if cjk else 0),
                     repeatRows=1)
        kids.setStyle(TableStyle(kid_style))
        story += [Paragraph(_("Sub-units: %(category)s (this year, last year in brackets)") % {
            "category": page.scheme.category(key).label(lang)}, body), kids, Spacer(1, 3 * mm)]

    notes = [
        _("Periods run Monday to Sunday (ISO 8601 weeks). Each window is compared with the same period a year "
          "earlier: the week and the 28 days with the same ISO week of the previous ISO year (52 or 53 weeks "
          "earlier; week 53 has no comparison when that year had no week 53), the year to date from 1 January "
          "(29 February against 28 February). Where last year's count was zero no percentage change is given; "
          "where no data source covers last year's period its count is unknown, not zero. Yellow: an increase."),
        _("Clearance follows the FBI UCR rules: offences cleared by arrest or exceptionally, counted when cleared, "
          "whatever the year of the offence (so it may exceed 100 %); this year's clearance counts this year's "
          "offences cleared so far. Unfounded reports are not counted. Without arrest: the offender is known but "
          "cannot be arrested (died, abroad, the victim refuses to cooperate, under age)."),
    ]
    notes.append(present.clearance_rule_cited())
    if earlier_cleared:
        notes.append(present.over_100_note(page))
    notes += [
        _("* fewer than %(n)s offences this year: one case more or less moves the rate by 5 points or more.") % {
            "n": present.SMALL_BASE},
        page.scheme.note(lang),
    ]
    if page.sources:
        notes.append(_("Sources: %(sources)s") % {"sources": separated(
            f"{s.source} {days(s.first, s.last)}" for s in page.sources)})
    story += [Paragraph(n, small) for n in notes if n]
    return _build(story, page, font, generated_by, small)


def _build(story: list, page: UnitPage, font: str, generated_by: str, small) -> bytes:
    """The PDF of ``story`` with the line saying when and by whom it was made, and the footer on each page."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    story = [*story, Paragraph(_("Generated %(at)s%(by)s by pingan.") % {
        "at": moment(timezone.now()), "by": paren(generated_by) if generated_by else ""}, small)]
    buf = io.BytesIO()

    def footer(canvas, doc) -> None:
        canvas.setFont(font, 7)
        # the unit by its name in the reader's language, as the first page heads it (it said "350203-LQ")
        canvas.drawRightString(A4[0] - 15 * mm, 10 * mm, f"{page.unit.label} · {page.as_of} · {doc.page}")

    SimpleDocTemplate(buf, pagesize=A4, leftMargin=12 * mm, rightMargin=12 * mm, topMargin=12 * mm,
                      bottomMargin=15 * mm, title=f"CompStat {page.unit.label} {page.as_of}",
                      author="pingan").build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()


def _widen_spans(widths: list[float], texts: list[str], font: str, size: float,
                 spans: list[tuple[int, int]]) -> None:
    """Widen the columns under each spanning header (``spans[i]`` = first, last column) so that ``texts[i]``
    fits on one line, taking the width from the first column (the labels). In place."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    for text, (a, b) in zip(texts, spans, strict=True):
        need = max(stringWidth(line, font, size) for line in text.split("\n")) + 2 * _PAD + _SLACK
        have = sum(widths[a:b + 1])
        if need > have:
            extra = need - have
            for j in range(a, b + 1):
                widths[j] += extra / (b - a + 1)
            widths[0] -= extra


def report_filename(page: UnitPage) -> str:
    """"莲前派出所-CompStat 周报-2026-12-07.pdf": the unit by its name, what the report is and its date (issue 11:
    named by the unit's code, ``compstat-350203-LQ-20261207.pdf``)."""
    from pingan.core.downloads import day, download_name

    return download_name(page.unit.label, _("Weekly CompStat report"), day(page.as_of), ext="pdf")

