"""The after-action review (复盘) of a security operation as text in the reader's language, and as a printable
A4 PDF (reportlab with the bundled CJK font, as the stats app's weekly report). The figures come from
``dispatch.selectors.operation_review`` as codes and parameters; they are rendered here, at display time."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from pingan.alerts import labels
from pingan.alerts.models import Alert
from pingan.core.texts import paren
from pingan.dispatch.durations import duration_text
from pingan.dispatch.models import PatrolUnit
from pingan.dispatch.roster import ZONE
from pingan.lib.pdf_fonts import cjk_font

TIMELINE = {
    "operation_created": gettext_lazy("Operation set up: %(name)s"),
    "unit_deployed": gettext_lazy("%(unit)s deployed %(post)s"),
    "alert_raised": gettext_lazy("Alert #%(alert)s raised"),
    "alert_acknowledged": gettext_lazy("Alert #%(alert)s acknowledged"),
    "alert_dispatched": gettext_lazy("Alert #%(alert)s: %(unit)s dispatched"),
    "alert_accepted": gettext_lazy("Alert #%(alert)s: %(unit)s accepted"),
    "alert_declined": gettext_lazy("Alert #%(alert)s: %(unit)s declined"),
    "alert_unanswered": gettext_lazy("Alert #%(alert)s: %(unit)s did not answer in time"),
    "alert_escalated": gettext_lazy("Alert #%(alert)s escalated"),
    "alert_en_route": gettext_lazy("Alert #%(alert)s: en route"),
    "alert_on_scene": gettext_lazy("Alert #%(alert)s: on scene"),
    "alert_closed": gettext_lazy("Alert #%(alert)s closed"),
    "alert_resolved": gettext_lazy("Alert #%(alert)s resolved"),
    "unit_status": gettext_lazy("%(unit)s: %(from)s → %(to)s"),
}
AT_POST = pgettext_lazy("operation review", "at %(post)s")
ROVING = pgettext_lazy("operation review", "roving")


def _status(code: str) -> str:
    return str(dict(PatrolUnit.Status.choices).get(code, code))


def timeline_text(kind: str, params: dict) -> str:
    """One timeline entry in the active language."""
    p = dict(params)
    if kind == "unit_deployed":
        p["post"] = str(AT_POST) % {"post": p["post"]} if p.get("post") else str(ROVING)
    if kind == "unit_status":
        p["from"], p["to"] = _status(p.get("from", "")), _status(p.get("to", ""))
    template = TIMELINE.get(kind)
    return str(template) % p if template is not None else kind


def timeline_rows(review: dict) -> list[tuple[str, str]]:
    """``(local time, text)`` for each timeline entry (Beijing time)."""
    return [(at.astimezone(ZONE).strftime("%m-%d %H:%M:%S"), timeline_text(kind, params))
            for at, kind, params in review["timeline"]]


def review_pdf(review: dict, *, generated_by: str = "") -> bytes:
    """The after-action review as PDF bytes, in the active language: the operation, the units needed and
    deployed, the response figures, the alerts with their response times, the units, and the timeline."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = cjk_font()
    h1 = ParagraphStyle("t", fontName=font, fontSize=15, leading=19, wordWrap="CJK")
    h2 = ParagraphStyle("h", fontName=font, fontSize=11, leading=14, spaceBefore=6, wordWrap="CJK")
    body = ParagraphStyle("b", fontName=font, fontSize=8.5, leading=11.5, wordWrap="CJK")
    small = ParagraphStyle("s", fontName=font, fontSize=7, leading=9, wordWrap="CJK",
                           textColor=colors.HexColor("#57606a"))
    grid = [("FONT", (0, 0), (-1, -1), font, 7.5), ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#d0d7de")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef3fc")), ("VALIGN", (0, 0), (-1, -1), "TOP")]
    op = review["operation"]
    s = review["summary"]
    kinds = dict(PatrolUnit.Kind.choices)
    alert_states = dict(Alert.State.choices)

    def table(rows, widths=None):
        t = Table(rows, colWidths=widths, repeatRows=1)
        t.setStyle(TableStyle(grid))
        return t

    def dash(v):
        return "–" if v is None else str(v)

    story = [
        Paragraph(_("After-action review") + f" · {op.name}", h1),
        Paragraph(_("%(venue)s · %(unit)s · %(start)s – %(end)s (Beijing time) · expected attendance %(n)s") % {
            "venue": op.venue, "unit": op.unit.name, "start": op.starts_at.astimezone(ZONE).strftime("%Y-%m-%d %H:%M"),
            "end": op.ends_at.astimezone(ZONE).strftime("%Y-%m-%d %H:%M"), "n": op.expected_attendance}, body),
    ]
    if op.template_id:
        story.append(Paragraph(_("Set up from template %(t)s") % {"t": f"{op.template_id}@{op.template_version}"},
                               small))
    story += [Spacer(1, 3 * mm), Paragraph(_("Units"), h2)]
    rows = [[_("Kind"), _("Needed"), _("Deployed")]]
    for k in sorted(set(review["needs"]) | set(s["units_by_kind"])):
        need = review["needs"].get(k, {}).get("needed")
        rows.append([str(kinds.get(k, k)), dash(need), str(s["units_by_kind"].get(k, 0))])
    story.append(table(rows))
    story.append(Paragraph(_("Response to the alerts inside the area"), h2))
    r = s["response"]
    rows = [["", pgettext("response figures", "Alerts"), _("Median"), _("90% within")]]
    for label, key in ((_("Time to acknowledge"), "acknowledge"), (_("Time to dispatch"), "dispatch"),
                       (_("Time to arrive"), "arrive")):
        rows.append([label, str(r[key]["n"]), duration_text(r[key]["p50"]), duration_text(r[key]["p90"])])
    story.append(table(rows))
    story.append(Paragraph(_("Alerts inside the area") + paren(s["alerts"]), h2))
    rows = [["#", _("Priority"), _("Rule"), pgettext("operation review", "Raised"), _("Time to acknowledge"),
             _("Time to dispatch"), _("Time to arrive"), _("State")]]
    for a in review["alert_rows"]:
        rule = labels.rule(a["rule"]) + (" *" if a["ruleset"].startswith("op-") else "")
        rows.append([str(a["id"]), labels.priority(a["priority"]), Paragraph(escape(rule), body),
                     a["created_at"].astimezone(ZONE).strftime("%m-%d %H:%M:%S"),
                     duration_text(a["acknowledge_s"]), duration_text(a["dispatch_s"]), duration_text(a["arrive_s"]),
                     str(alert_states.get(a["state"], a["state"]))])
    story.append(table(rows))
    story.append(Paragraph(_("* raised by the operation's temporary rules"), small))
    story.append(Paragraph(_("Deployed units"), h2))
    rows = [[_("Unit"), _("Kind"), _("Post"), _("Status changes"), _("Assignments accepted"), _("Arrivals")]]
    for u in review["units"]:
        rows.append([u["code"], str(kinds.get(u["kind"], u["kind"])), Paragraph(u["post"] or str(ROVING), body),
                     str(u["status_changes"]), str(u["accepted"]), str(u["arrived"])])
    story.append(table(rows))
    story.append(Paragraph(_("Timeline (Beijing time)"), h2))
    rows = [[_("Time"), pgettext("operation review", "What happened")]]
    rows += [[t, Paragraph(x, body)] for t, x in timeline_rows(review)]
    story.append(table(rows, widths=[28 * mm, 150 * mm]))
    if review["timeline_more"]:
        story.append(Paragraph(_("%(n)s further entries not printed.") % {"n": review["timeline_more"]}, small))
    story.append(Spacer(1, 4 * mm))
    story.append(Paragraph(_("Generated %(at)s by %(who)s. Times to acknowledge, dispatch and arrive run from "
                             "the alert's creation; medians and 90th percentiles by linear interpolation.") % {
        "at": timezone.now().astimezone(ZONE).strftime("%Y-%m-%d %H:%M"), "who": generated_by}, small))
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4, leftMargin=14 * mm, rightMargin=14 * mm, topMargin=14 * mm,
                      bottomMargin=14 * mm, title=op.name).build(story)
    return buf.getvalue()

