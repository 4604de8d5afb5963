"""Core forms: the audit page's filters (labels shown, codes submitted)."""

from __future__ import annotations

from django import forms
from django.forms.renderers import DjangoTemplates
from django.http import QueryDict
from django.utils.safestring import SafeData
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pingan.core import audit
from pingan.core.models import OrgUnit
from pingan.lib import textchars


def _labelled(codes: dict, current: str) -> list[tuple[str, str]]:
    """``(code, label)`` choices sorted by label in the active language, "any" first; a code given in the
    query but no longer registered stays selectable (shown as itself)."""
    choices = sorted(((code, str(label)) for code, label in codes.items()), key=lambda c: c[1])
    if current and current not in codes:
        choices.append((current, current))
    return [("", str(_("any"))), *choices]


class AuditFilterForm(forms.Form):
    """The auditor's search: a person (full name or full ID number), an account, a unit (with the units under
    it), what was done, to what, why, and a date range (local dates, inclusive)."""

    person = forms.CharField(required=False, max_length=100, label=_("Person (full name, ID number or phone number)"))
    actor = forms.CharField(required=False, max_length=150, label=_("Account (user or display name)"))
    agent = forms.ChoiceField(required=False, label=_("Who acted"))
    unit = forms.ChoiceField(required=False, label=_("Unit"))
    action = forms.ChoiceField(required=False, label=pgettext_lazy("audit", "Action"))
    object_type = forms.ChoiceField(required=False, label=_("Object"))
    object_id = forms.CharField(required=False, max_length=64, label=_("Object number"))
    purpose = forms.ChoiceField(required=False, label=_("Purpose"))
    with_searches = forms.BooleanField(required=False, label=_("Also list searches of the audit trail"))
    since = forms.DateField(required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data=None, units=None, **kwargs):
        """``units``: the units the picker offers (``core.scoping.organisation_units``; default every unit)."""
        super().__init__(data, **kwargs)
        data = data or {}
        self.fields["action"].choices = _labelled(audit.ACTIONS, data.get("action", ""))
        self.fields["object_type"].choices = _labelled(audit.OBJECT_TYPES, data.get("object_type", ""))
        self.fields["purpose"].choices = _labelled(audit.PURPOSES, data.get("purpose", ""))
        from pingan.core.selectors import agent_filter_choices

        self.fields["agent"].choices = [("", str(_("any"))), *agent_filter_choices()]
        units = [(u.code, f"{u.label} ({u.code})")
                 for u in (OrgUnit.objects.order_by("path") if units is None else units)]
        self.fields["unit"].choices = [("", str(_("any"))), *units]

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError(_("The start date is after the end date."), code="date_range")
        return data


# --- Refilling a refused value -----------------------------------------------------------------------------
#
# Every typed text is refused when it holds a control, text-direction or line-separator character
# (``core.errors.outside_text``, ``pingan.lib.textchars``), and most forms are shown again with what was sent.
# Put back raw, the character acts in the input once more: issue 11's trial refilled a watch-list reason
# holding U+202E and the field read ``涉嫌窃m13]…盗`` (reversed). So a value shown again in a form writes each
# such character as ``⟨U+XXXX⟩`` in its place — the name and position the error message gives it, where the
# person can see it and delete it — and zero-width characters are left out, as the service leaves them out.
# Sent back unchanged, the mark itself is refused (``outside_text``): it is never stored as text.
# One mechanism for every form: Django forms through :class:`RefillRenderer` (``FORM_RENDERER``), the pages
# that refill from a dict or ``request.POST`` through ``core.middleware.RefillMiddleware``.


def refilled(value):
    """``value`` as a form shows it again: a string with each refused character written as ``⟨U+XXXX⟩``
    (:func:`pingan.lib.textchars.shown`, line breaks kept for a text area) and zero-width characters removed;
    lists, tuples, dicts and ``QueryDict`` s the same, item by item; anything else unchanged."""
    if isinstance(value, str):
        if isinstance(value, SafeData) or not textchars.has_any(value):  # HTML a view built: not a typed value
            return value
        return textchars.shown(textchars.strip_invisible(value), allow_newlines=True)
    if isinstance(value, QueryDict):
        if not any(isinstance(v, str) and textchars.has_any(v) for _k, vs in value.lists() for v in vs):
            return value
        out = QueryDict(mutable=True, encoding=value.encoding)
        for key, values in value.lists():
            out.setlist(key, [refilled(v) for v in values])
        out._mutable = False
        return out
    if isinstance(value, dict):
        out = {k: refilled(v) for k, v in value.items()}
        return value if all(out[k] is v for k, v in value.items()) else out  # the view's own object, if unchanged
    if isinstance(value, list | tuple) and not hasattr(value, "_fields"):  # not a named tuple
        items = [refilled(v) for v in value]
        if all(a is b for a, b in zip(items, value, strict=True)):
            return value  # unchanged: the view's own object (a list subclass such as ErrorList keeps its class)
        return tuple(items) if isinstance(value, tuple) else items
    return value


class RefillBoundField(forms.BoundField):
    """A Django form's field shown with :func:`refilled` (what is validated is the value as sent)."""

    def value(self):
        return refilled(super().value())


class RefillRenderer(DjangoTemplates):
    """The form renderer of every Django form (``FORM_RENDERER``): bound fields show a refused value with
    its characters named (:class:`RefillBoundField`)."""

    bound_field_class = RefillBoundField
