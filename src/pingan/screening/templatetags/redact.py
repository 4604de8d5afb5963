"""``{{ text|masked }}``: text echoed from an upload (a file name, a failure message quoting a cell) with long
digit runs masked (:func:`pingan.lib.redact.mask_numbers`)."""

from __future__ import annotations

from django import template

from pingan.lib.redact import mask_numbers

register = template.Library()


@register.filter
def masked(value: object) -> str:
    return mask_numbers("" if value is None else str(value))
