"""Template helpers of the evidence pages."""

from django import template

register = template.Library()


@register.filter
def lookup(mapping, key):
    """``mapping[key]`` or ``""`` (category names, disposition labels)."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.filter
def yuan(cents):
    """Integer cents as yuan with two decimals and thousands separators (``¥5,000.00``)."""
    if cents is None:
        return "—"
    return f"¥{cents / 100:,.2f}"
