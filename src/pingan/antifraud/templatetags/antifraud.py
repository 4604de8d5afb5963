"""Template filters of the anti-fraud pages: money in yuan, dictionary look-up, translated codes."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

REJECTIONS = {
    "columns": _("wrong number of cells"), "time_missing": _("no transaction time"),
    "time_invalid": _("not a date and time"), "amount_missing": _("no amount"),
    "amount_invalid": _("not an amount"), "amount_zero": _("zero amount"),
    "direction_invalid": _("not a debit/credit mark"), "sign_conflict": _("negative amount marked as credit"),
    "debit_and_credit": _("both debit and credit filled"), "balance_invalid": _("balance is not an amount"),
    "serial_duplicate": _("transaction serial repeated in the file"),
    "bad_quote": _("a double quote in this cell is not closed on its line (the rows below were read on their "
                   "own): delete the stray quote or close it on this line, then import the row again"),
}
LABELS = {"transit": _("transit (中转)"), "sink": _("sink (沉淀)"),
          "fast_in_fast_out": _("fast in, fast out (快进快出)")}


@register.filter
def yuan(cents) -> str:
    """Cents as ``¥1,234.56`` (``–`` for none)."""
    if cents is None or cents == "":
        return "–"
    return f"¥{float(cents) / 100:,.2f}"


@register.filter
def get(mapping, key):
    try:
        return mapping.get(key, "") if hasattr(mapping, "get") else mapping[key]
    except (KeyError, IndexError, TypeError):
        return ""


@register.filter
def rejection(code: str) -> str:
    return str(REJECTIONS.get(code, code))


@register.filter
def flowlabel(code: str) -> str:
    return str(LABELS.get(code, code))
