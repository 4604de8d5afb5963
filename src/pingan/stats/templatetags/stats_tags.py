"""Template filters of the statistics pages: changes as percentages (the reason, not "n/a", on a zero
base), money with its unit, labels of data-defined names (schemes, categories, offences, place types) in the
viewer's language."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from pingan.core.errors import DomainError
from pingan.core.texts import lang
from pingan.stats import classify, present

register = template.Library()


@register.filter
def pct(value: float | None, digits: int = 1) -> str:
    """A fraction as a signed percentage (``0.123`` → ``+12.3%``); for ``None`` (a zero base) the reason in
    the viewer's language (``present.no_base_text``)."""
    if value is None:
        return present.no_base_text()
    return f"{value * 100:+.{int(digits)}f}%"


@register.filter
def share(value: float | None, digits: int = 1) -> str:
    """A fraction as an unsigned percentage (``0.9816`` → ``98.2%``); for ``None`` (nothing to divide by) the
    reason in the viewer's language (``present.no_offences_text``)."""
    if value is None:
        return present.no_offences_text()
    return f"{value * 100:.{int(digits)}f}%"


@register.filter
def money(value, currency: str = "") -> str:
    """An amount with its unit in the viewer's language (``present.money``: 万元 / million yuan for large
    figures); empty for ``None``."""
    return present.money(value, currency or "")


@register.simple_tag
def cleared_amounts(amounts, currency: str = "") -> list[str]:
    """The amounts involved in and recovered from the cases solved, said together in one magnitude
    (``present.money_together``)."""
    return present.money_together([amounts["cleared_involved"], amounts["cleared_recovered"]], currency or "")


@register.filter
def money_exact(value, currency: str = "") -> str:
    """One case's amount with its unit, to the fen (never in 万 or millions); empty for ``None``."""
    return present.money(value, currency or "", exact=True)


@register.filter
def label(obj) -> str:
    """The name of a scheme, category or offence in the active language."""
    return obj.label(get_language()) if hasattr(obj, "label") else str(obj)


@register.filter
def note(scheme) -> str:
    """A scheme's note in the active language."""
    return scheme.note(get_language())


@register.filter
def offence_label(key: str) -> str:
    return classify.vocabulary().label(key, get_language())


@register.filter
def place_label(key: str) -> str:
    return classify.vocabulary().place_label(key, get_language()) if key else ""


@register.filter
def category(scheme, key: str):
    """The category ``key`` of ``scheme`` (for its label)."""
    return scheme.category(key)


@register.filter
def source_label(key: str) -> str:
    """The name of an incident's source in the viewer's language (``present.source_label``)."""
    return present.source_label(key)


@register.filter
def source_ref_label(ref: str) -> str:
    """An incident's reference in its source in the viewer's language (``present.source_ref_label``)."""
    return present.source_ref_label(ref)


@register.filter
def source_wording(incident) -> str:
    """The source's own category and codes, each once (the bureau's 案件类别 / 案由 are both)."""
    named = incident.source_category.split(" / ")
    extra = [c for c in incident.offence_codes if c not in named]
    return " · ".join(p for p in (incident.source_category, *extra) if p)


@register.filter
def note_text(note) -> str:
    """An import note in the active language (``present.note_text``)."""
    from pingan.stats.present import note_text as text

    return text(note)


@register.filter
def issue_text(issue) -> str:
    """A row issue's message in the active language: from its message id and params where it has them
    (``values["message"]``, :func:`pingan.stats.importers.coded_issue`); else its stored
    ``第 N 行：中文 / row N: English`` (rows imported before issues kept a message id), of which a page shows its
    reader's half."""
    from pingan.core.jobs import failure_message

    message = getattr(issue, "message", issue)
    coded = (getattr(issue, "values", None) or {}).get("message")
    if isinstance(coded, dict) and "code" in coded:
        return failure_message(coded["code"], coded.get("params", {}), message)
    zh, sep, en = message.partition(" / row ")
    if not sep:
        return message
    return zh if lang(when_none="en") == "zh" else "row " + en


@register.filter
def amount(value: Decimal | None) -> str:
    """An amount with thousands separators and two decimals; empty for ``None``."""
    if value is None:
        return ""
    return f"{Decimal(value):,.2f}"


@register.filter
def window(row, name: str):
    """``row.windows[name]`` (templates cannot index by a variable)."""
    return row.windows[name]


@register.filter
def downgrade_reason(code: str) -> str:
    """A downgrade reason (``integrity.downgrade_reasons``) in the viewer's language: ``less_serious_offence``,
    ``unfounded``, ``left_category:<scheme>/<category>``, ``below_threshold:<amount> <currency>`` (the amount
    with its unit)."""
    kind, _sep, rest = code.partition(":")
    if kind == "less_serious_offence":
        return gettext("moved to a less serious offence")
    if kind == "unfounded":
        return gettext("marked unfounded (out of every count)")
    if kind == "left_category" and not rest:  # the watch's counts by kind
        return gettext("left a reported category")
    if kind == "below_threshold" and not rest:
        return gettext("value moved below a threshold")
    if kind == "left_category":
        sid, _slash, key = rest.partition("/")
        try:
            s = classify.scheme(sid)
            return gettext("left “%(category)s” (%(scheme)s)") % {"category": s.category(key).label(get_language()),
                                                                  "scheme": s.label(get_language())}
        except (KeyError, LookupError, DomainError):
            return code
    if kind == "below_threshold":
        amount, _space, currency = rest.partition(" ")
        try:
            value = Decimal(amount)
        except ArithmeticError:
            return code
        return gettext("value moved below %(amount)s") % {"amount": present.money(value, currency, exact=True)}
    return code


#: The reclassified fields by name, for the downgrade watch's list of changes.
CHANGE_FIELDS = {"offence": _("Offence"), "place_type": _("Place"), "attempted": _("Attempted"),
                 "status": _("Status"), "clearance": _("Clearance"),
                 "exceptional_code": _("Exceptional clearance (NIBRS)"), "cleared_on": _("Cleared on"),
                 "property_loss": _("Property loss"), "amount_involved": _("Amount involved"),
                 "amount_recovered": _("Amount recovered"), "injured": _("Injured"), "killed": _("Killed"),
                 "victims": _("Victims"), "currency": _("Currency")}


@register.simple_tag
def change_line(field: str, change, currency: str = "") -> str:
    """A recorded change, ``损失金额：1,500.00 元 → 800.00 元`` / ``Property loss: 1,500.00 yuan → 800.00 yuan``."""
    before, after = [*change, None, None][:2]
    return gettext("%(field)s: %(before)s → %(after)s") % {
        "field": change_field(field), "before": change_text(field, before, currency),
        "after": change_text(field, after, currency)}


def change_text(field: str, value, currency: str = "") -> str:
    """One side of a recorded change in the viewer's language: offences and places by name, amounts with their
    unit, statuses and clearances by their label; "—" for none."""
    from pingan.stats.models import Incident

    if value in (None, ""):
        return "—"
    if field == "offence":
        return offence_label(value)
    if field == "place_type":
        return place_label(value)
    if field in ("property_loss", "amount_involved", "amount_recovered"):
        try:
            return present.money(Decimal(str(value)), currency, exact=True)
        except ArithmeticError:
            return str(value)
    if field == "status":
        return str(dict(Incident.Status.choices).get(value, value))
    if field == "clearance":
        return str(dict(Incident.Clearance.choices).get(value, value))
    if field == "attempted":
        return gettext("yes") if value in (True, "true", "True", 1) else gettext("no")
    return str(value)


@register.filter
def change_field(field: str) -> str:
    return str(CHANGE_FIELDS.get(field, field))
