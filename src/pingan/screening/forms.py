"""Forms of the submitter pages: register a premises, upload a roster."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from pingan.core.jobs import failure_message
from pingan.core.models import Premises
from pingan.core.texts import lang, paren
from pingan.core.uploads import mib, upload_limit
from pingan.dashboard import geo
from pingan.lib import adcodes, places
from pingan.screening.roster import RosterError, check_table_file


def adcode_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The city's districts and their townships, grouped by district, for the adcode select, named in the
    reader's language as every page names them (``lib.places``: 思明区 莲前街道 / Lianqian Subdistrict (莲前街道),
    Siming District; issue 11: the English page listed the Chinese names only)."""
    language = lang()
    groups = []
    for county in adcodes.children(geo.CITY):
        name = places.county_label(county.code, language) or county.name
        items = [(county.code, f"{name}{paren(_('whole district'))}")]
        # as area_label says a place: the township, then the district (English) / 思明区 莲前街道 (Chinese)
        items += [(t.code, f"{places.township_label(t.name, 'en')}, {name}" if language == "en"
                   else f"{name} {t.name}") for t in geo.townships() if t.county == county.code]
        groups.append((name, items))
    return groups


class PremisesForm(forms.Form):
    """A premises: name, kind, address and its administrative area (a GB/T 2260 / NBS township code)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Premises.Kind.choices)
    address = forms.CharField(label=_("Address"), max_length=300,
                              help_text=_("street and number of the building, e.g. 1 Lianqian East Road"))
    room = forms.CharField(label=_("Flat, room or shop number"), max_length=50, required=False,
                           help_text=_("e.g. unit 2, room 301, or shop 12; leave empty for a whole building"))
    area = forms.ChoiceField(label=_("Administrative area"), required=False,
                             help_text=_("the district or, better, the township (街道/镇) the premises lies in"))
    adcode = forms.CharField(label=_("or an administrative code"), required=False, max_length=12,
                             help_text=_("6-digit county or 9-digit township code, if not in the list"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # a prompt, not Django's "---------" or a bare dash (issue 11)
        self.fields["area"].choices = [("", _("Choose the district or township")), *adcode_choices()]

    def clean(self):
        data = super().clean()
        code = (data.get("adcode") or "").strip() or data.get("area") or ""
        if not code:  # beside the field, so that it shows with the other fields' errors
            self.add_error("area", _("Choose the administrative area or type its code."))
        data["code"] = code
        return data


#: What to do with a roster over the upload limit. Not "split it": a screening is the whole roster of the
#: premises and each upload replaces the one before, so a part leaves the other parts' people out
#: (docs/screening.md "A roster too large").
TOO_LARGE_HINT = _("Upload the whole roster in one file — each upload replaces the roster before it, so do not split "
                   "it. To make the file smaller, save it as XLSX (compressed: usually a fraction of the same CSV) "
                   "and delete the columns the roster template does not have; if it is still too large, ask the "
                   "responsible police station.")


def _too_large(name: str, size: str) -> str:
    """What is said of a roster file over the upload limit: its name and size (MiB), the limit, then
    :data:`TOO_LARGE_HINT` — a space between the sentences in English, nothing after a Chinese 。."""
    said = _("%(name)s is %(size)s MiB; files of at most %(limit)s MiB are accepted.") % {
        "name": name, "size": size, "limit": mib(upload_limit())}
    return said + (" " if lang() == "en" else "") + str(TOO_LARGE_HINT)


#: Up to this many premises, the upload form offers them as radio buttons (their text wraps); more, as a select.
RADIO_PREMISES = 8


class RosterForm(forms.Form):
    """A roster file for one of the submitter's premises."""

    premises = forms.ModelChoiceField(label=_("Premises"), queryset=Premises.objects.none(),
                                      empty_label=_("Choose the premises"))
    # allow_empty_file: clean_roster rejects an empty file itself, naming it (Django's own message does not)
    roster = forms.FileField(label=_("Roster file (XLSX, XLS or CSV)"), allow_empty_file=True)

    def __init__(self, *args, premises_qs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roster"].help_text = _("XLSX, XLS or CSV, at most %(limit)s MiB.") % {"limit": mib(upload_limit())}
        # the browser refuses a file over the limit before sending it (pingan/upload.js; the server checks again):
        # the limit in bytes, and what it then says ({name} and {size} filled in by the script)
        self.max_bytes = upload_limit()
        self.too_large_text = _too_large("{name}", "{size}")
        field = self.fields["premises"]
        if premises_qs is not None:
            field.queryset = premises_qs
            # a choice of a few premises is a list of radio buttons whose text wraps: a select shows one line of
            # its choice, and a long name cut the room and the address off at 375 px (issue 11's re-check); many
            # premises stay a select, whose choice the page then says in full under it (base.html)
            if premises_qs.count() <= RADIO_PREMISES:
                field.empty_label = None
                field.widget = forms.RadioSelect(attrs={"class": "choice"})
                field.widget.choices = field.choices
        # two flats of one building may share a name: the room (Premises.label) and the address tell them apart —
        # the room first, as a phone's select shows the start of an option and cut the room off the end (issue 11)
        field.label_from_instance = lambda p: " · ".join(x for x in (p.label, p.address) if x)

    def clean_roster(self):
        f = self.cleaned_data["roster"]
        if f.size > upload_limit():  # the one limit (pingan.core.uploads; a 100,000-row XLSX is about 6 MiB)
            raise forms.ValidationError(_too_large(f.name, mib(f.size)))
        if f.size == 0:
            raise forms.ValidationError(_("%(name)s is empty; choose the filled-in roster file.") % {"name": f.name})
        # by its content, as the size: a PDF or an image is refused here, not queued to fail (issue 11)
        try:
            check_table_file(f.read(), f.name)
        except RosterError as exc:
            raise forms.ValidationError(failure_message(exc.code, exc.params, exc.message)) from None
        finally:
            f.seek(0)
        return f


class RenameForm(forms.Form):
    """A premises' new name."""

    name = forms.CharField(label=_("New name"), max_length=200)


class SignupForm(PremisesForm):
    """A landlord's or enterprise's self-registration: who they are, how the station reaches them, the account,
    and their first premises (the fields of :class:`PremisesForm`, its kind following the role)."""

    role = forms.ChoiceField(label=_("I register as"), widget=forms.RadioSelect,
                             choices=[("landlord", _("a landlord (rental property)")),
                                      ("enterprise", _("an enterprise (its site)"))])
    display_name = forms.CharField(label=_("Your name, or the company's"), max_length=100)
    phone = forms.CharField(label=_("Contact phone"), max_length=20,
                            help_text=_("the police station calls this number to confirm who you are"))
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("Password again"),
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    field_order = ["role", "display_name", "phone", "username", "password", "password2", "name", "address", "room",
                   "area", "adcode"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["kind"]  # a landlord registers a rental property, an enterprise its site
        self.fields["name"].label = _("Name of the premises")

    def clean(self):
        """Every field's problem at once, beside its field (a new user's trial with phone "12345" and the
        passwords "short"/"short2" was told only to choose the area): the form's own checks, then what
        :func:`~pingan.core.services.registration_problems` finds."""
        from pingan.core import services as core_services
        from pingan.core.error_messages import page_message

        data = super().clean()
        if data.get("password") and data.get("password2") and data["password"] != data["password2"]:
            self.add_error("password2", _("The two passwords differ."))
        problems = core_services.registration_problems(
            username=data.get("username", ""), password=data.get("password", ""), phone=data.get("phone", ""),
            adcode=data.get("code", ""))
        for field, exc in problems.items():
            target = field if field != "adcode" else ("adcode" if (data.get("adcode") or "").strip() else "area")
            if target in self.fields and target not in self.errors:
                self.add_error(target, page_message(exc))
        return data
