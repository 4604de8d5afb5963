"""Template filters of the statistics pages: changes as percentages (the reason, not "n/a", on a zero
base), money with its unit, labels of data-defined names (schemes, categories, offences, place types) in the
viewer's language."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.translation import get_language, gettext

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
    """The name of an incident's source: the bureau's own file in the viewer's language, a public data set by
    its key (``chicago-crimes``)."""
    return gettext("bureau case file") if key == "bureau" else key


@register.filter
def source_ref_label(ref: str) -> str:
    """An incident's reference in its source: ``case:XM1`` → case number XM1, ``id:12`` → record 12, ``row:…`` →
    the fingerprint of a row without a case number."""
    kind, _, value = ref.partition(":")
    if kind == "case":
        return gettext("case number %(n)s") % {"n": value}
    if kind == "id":
        return gettext("record %(n)s") % {"n": value}
    if kind == "row":
        return gettext("row without a case number, fingerprint %(h)s") % {"h": value[:12]}
    return ref


@register.filter
def source_wording(incident) -> str:
    """The source's own category and codes, each once (the bureau's 案件类别 / 案由 are both)."""
    named = incident.source_category.split(" / ")
    extra = [c for c in incident.offence_codes if c not in named]
    return " · ".join(p for p in (incident.source_category, *extra) if p)


@register.filter
def issue_text(message: str) -> str:
    """A row issue's message in the active language: the importers store ``第 N 行：中文 / row N: English``
    (:func:`pingan.stats.importers.issue`); a page shows its reader's half."""
    zh, sep, en = message.partition(" / row ")
    if not sep:
        return message
    return zh if (get_language() or "").lower().startswith("zh") else "row " + en


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
