"""Template filters of the statistics pages: changes as percentages (n/a on a zero base), labels of data-defined
names (schemes, categories, offences, place types) in the viewer's language, amounts."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.translation import get_language, gettext

from pingan.stats import classify

register = template.Library()


@register.filter
def pct(value: float | None, digits: int = 1) -> str:
    """A fraction as a signed percentage (``0.123`` → ``+12.3%``); ``n/a`` for ``None`` (a zero base)."""
    if value is None:
        return gettext("n/a")
    return f"{value * 100:+.{int(digits)}f}%"


@register.filter
def share(value: float | None, digits: int = 1) -> str:
    """A fraction as an unsigned percentage (``0.9816`` → ``98.2%``); ``n/a`` for ``None``."""
    if value is None:
        return gettext("n/a")
    return f"{value * 100:.{int(digits)}f}%"


@register.filter
def label(obj) -> str:
    """The name of a scheme, category or offence in the active language."""
    return obj.label(get_language()) if hasattr(obj, "label") else str(obj)


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
def amount(value: Decimal | None) -> str:
    """An amount with thousands separators and two decimals; empty for ``None``."""
    if value is None:
        return ""
    return f"{Decimal(value):,.2f}"


@register.filter
def window(row, name: str):
    """``row.windows[name]`` (templates cannot index by a variable)."""
    return row.windows[name]
