"""``{% load safety_codes %}``: ``{% code_state premises as state %}`` gives the pages one view of a premises'
code (:func:`pingan.codes.selectors.premises_code_state`), so the landlord's page, the police premises page
and the job page say the same thing; ``{% code_badge p %}`` shows that state in a list of premises annotated by
:func:`pingan.codes.selectors.with_code_state`."""

from django import template
from django.utils import timezone

from pingan.codes.levels import Level
from pingan.codes.models import LEVEL_LABELS
from pingan.codes.selectors import code_state_of, job_rule, premises_code_state

register = template.Library()


@register.simple_tag
def code_state(premises) -> dict:
    """The code state of ``premises`` (a premises the viewer may see)."""
    return premises_code_state(premises)


@register.simple_tag
def screening_level(job) -> dict | None:
    """What the published rule gives for a finished screening (:func:`pingan.codes.selectors.job_rule`): the
    level and the counts behind it, as the screening's page says them."""
    return job_rule(job)


@register.inclusion_tag("codes/partials/code_badge.html")
def code_badge(p) -> dict:
    """The badge of a premises' code state in a list: the live code's level (绿码 / 黄码 / 红码, and whether it
    has expired), or that the code is suspended, revoked or not issued."""
    state = code_state_of(p)
    level = state if state in ("green", "yellow", "red") else ""
    return {"state": state, "level": level, "label": str(LEVEL_LABELS[Level(level)]) if level else "",
            "expired": bool(level and p.code_expires_at and p.code_expires_at <= timezone.now())}
