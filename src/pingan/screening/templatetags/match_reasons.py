"""``{{ hit.match_reasons|match_reasons }}``: a hit's reasons in the reader's language
(:mod:`pingan.screening.match_reasons`), and ``{{ hit.source|hit_source }}``: where the hit's record comes from."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from pingan.screening import match_reasons as reasons

register = template.Library()

SOURCES = {"movements": _("movement records"), "identity": _("identity check"), "watchlist": _("watch list")}


@register.filter
def match_reasons(lines) -> list[str]:
    return reasons.labels(lines)


@register.filter
def hit_source(code: str) -> str:
    return str(SOURCES.get(code, code))
