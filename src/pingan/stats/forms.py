"""Forms of the statistics pages: the CompStat parameters, a reclassification, a bureau-template upload."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from pingan.core.uploads import mib, upload_limit
from pingan.stats import classify
from pingan.stats.models import Incident


def scheme_choices() -> list[tuple[str, str]]:
    from django.utils.translation import get_language

    return [(s.id, s.label(get_language())) for s in classify.schemes().values()]


class CompStatForm(forms.Form):
    """``as_of`` (a day) and ``scheme`` (a classification id); both optional."""

    as_of = forms.DateField(required=False, label=_("As of"), widget=forms.DateInput(attrs={"type": "date"}))
    scheme = forms.ChoiceField(required=False, label=_("Classification"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheme"].choices = [("", _("default")), *scheme_choices()]


class DrillForm(CompStatForm):
    category = forms.CharField(required=False, max_length=64)
    window = forms.ChoiceField(required=False, choices=[(w, w) for w in
                                                        ("wtd", "wtd_prev", "d28", "d28_prev", "ytd", "ytd_prev")])


def offence_choices() -> list[tuple[str, str]]:
    from django.utils.translation import get_language

    vocab = classify.vocabulary()
    from pingan.core.texts import paren

    return [(k, f"{o.label(get_language())}{paren(k)}") for k, o in vocab.offences.items()]


def place_choices() -> list[tuple[str, str]]:
    from django.utils.translation import get_language

    vocab = classify.vocabulary()
    return [("", _("not recorded"))] + [(k, vocab.place_label(k, get_language())) for k in vocab.place_types]


class ReclassifyForm(forms.Form):
    """The fields a station chief or analyst may change, prefilled with the incident's values, and the reason."""

    offence = forms.ChoiceField(label=_("Offence"))
    place_type = forms.ChoiceField(label=_("Place"), required=False)
    attempted = forms.BooleanField(label=_("Attempted"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=Incident.Status.choices)
    clearance = forms.ChoiceField(label=_("Clearance"), choices=Incident.Clearance.choices, required=False)
    exceptional_code = forms.ChoiceField(label=_("Exceptional clearance (NIBRS)"),
                                         choices=Incident.ExceptionalCode.choices, required=False)
    cleared_on = forms.DateField(label=_("Cleared on"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))
    property_loss = forms.DecimalField(label=_("Property loss"), required=False, min_value=0, decimal_places=2,
                                       max_digits=16)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args, currency: str = "", **kwargs):
        from pingan.stats import present

        super().__init__(*args, **kwargs)
        self.fields["offence"].choices = offence_choices()
        self.fields["place_type"].choices = place_choices()
        if currency:  # the amount's unit beside its label: 损失金额（元） / Property loss (yuan)
            self.fields["property_loss"].label = _("Property loss (%(unit)s)") % {
                "unit": present.money_unit(currency)}

    @classmethod
    def for_incident(cls, inc: Incident) -> ReclassifyForm:
        return cls(currency=inc.currency, initial={
            f: getattr(inc, f) for f in ("offence", "place_type", "attempted", "status", "clearance",
                                         "exceptional_code", "cleared_on", "property_loss")})


class UploadForm(forms.Form):
    """A bureau template (CSV/XLSX/XLS) of incidents."""

    file = forms.FileField(label=_("Incident file (CSV, XLSX or XLS)"))

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > upload_limit():  # the one upload limit (pingan.core.uploads)
            raise forms.ValidationError(_("The file is %(size)s MiB; files of at most %(limit)s MiB are accepted: "
                                          "split it into several files.")
                                        % {"size": mib(f.size), "limit": mib(upload_limit())})
        return f
