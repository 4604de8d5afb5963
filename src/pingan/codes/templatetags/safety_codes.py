"""``{% load safety_codes %}``: ``{% code_state premises as state %}`` gives the pages one view of a premises'
code (:func:`pingan.codes.selectors.premises_code_state`), so the landlord's page, the police premises page
and the job page say the same thing."""

from django import template

from pingan.codes.selectors import premises_code_state

register = template.Library()


@register.simple_tag
def code_state(premises) -> dict:
    """The code state of ``premises`` (a premises the viewer may see)."""
    return premises_code_state(premises)
