"""Template filters of the dashboard: a premises' level from its latest job's counts."""

from django import template

from pingan.dashboard.selectors import worst_level as _worst_level
from pingan.screening.models import PersonResult

register = template.Library()


@register.filter
def worst_level(counts: dict | None) -> str:
    """``red``/``yellow``/``green`` (or ``""``) from a job's ``counts``."""
    return _worst_level(counts)


@register.filter
def level_label(level: str) -> str:
    """The translated label of a level."""
    return str(PersonResult.Level(level).label) if level in PersonResult.Level.values else level
