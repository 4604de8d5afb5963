"""Core forms: the audit page's filters (labels shown, codes submitted)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pingan.core import audit
from pingan.core.models import OrgUnit


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

    person = forms.CharField(required=False, max_length=100, label=_("Person (full name or ID number)"))
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
