"""Core pages: sign-in, purpose of use, home by role, premises (scoped), audit search. Views stay thin."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from pingan.core import audit, auditexport, navigation, selectors
from pingan.core.downloads import day, download_name, file_response
from pingan.core.forms import AuditFilterForm
from pingan.core.models import SUBMITTER_ROLES
from pingan.core.paging import counted, query_without_page
from pingan.core.scoping import organisation_units
from pingan.core.web import POLICE, page, safe_next


class LoginView(auth_views.LoginView):
    """Sign-in. An applicant whose self-registration is waiting for the station, or was refused, is told so
    (with the station's reason) instead of "wrong password" — only when the password is right."""

    template_name = "core/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form):
        from pingan.core.services import registration_of_credentials

        reg = registration_of_credentials(self.request.POST.get("username", ""), self.request.POST.get("password", ""))
        return self.render_to_response(self.get_context_data(form=form, registration=reg))


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' lock-out answer (``AXES_LOCKOUT_CALLABLE``): 429 with a page saying for whom, from where
    and for how long sign-in is refused (``AXES_COOLOFF_TIME``, counted from the last failed attempt)."""
    minutes = round(float(settings.AXES_COOLOFF_TIME) * 60)
    until = timezone.localtime() + dt.timedelta(minutes=minutes)
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    return render(request, "core/locked_out.html", {
        "minutes": minutes, "until": until, "username": username, "limit": settings.AXES_FAILURE_LIMIT,
    }, status=429)


@login_required
@require_http_methods(["GET", "POST"])
def purpose(request: HttpRequest):
    """Police users declare why they read personal data in the work no law of the action fixes a purpose for
    (screening, the jurisdiction, safety codes: ``audit.DECLARED_PURPOSES``), asked at sign-in and changeable
    from the account menu; alert handling, dispatch, case property, anti-fraud and citizen services record
    under their own purpose (``audit.FIXED_PURPOSES``)."""
    error = ""
    if request.method == "POST":
        chosen = request.POST.get("purpose", "")
        if chosen in audit.DECLARED_PURPOSES:
            request.session["purpose"] = chosen
            return redirect(safe_next(request, request.GET.get("next")))
        error = _("Choose the purpose of use, then continue.")  # nothing (or no known purpose) picked
    return TemplateResponse(request, "core/purpose.html",
                            {"purposes": [(code, audit.purpose_label(code)) for code in audit.DECLARED_PURPOSES],
                             "current": request.session.get("purpose", ""), "error": error},
                            status=400 if error else 200)


@page()
def home(request: HttpRequest):
    """The signed-in user's start page: the panels their apps registered (``core.navigation``) and a card
    per section that no shown panel stands for (``Panel.replaces``). A role without a home section (enterprise,
    landlord) goes to its first section."""
    sections = navigation.sections_for(request.user, request.path)
    if sections and not any(s["key"] == "home" for s in sections):
        return redirect(sections[0]["url"])
    panels = navigation.panels_for(request)
    replaced = {"home", *(p["replaces"] for p in panels)}  # a section whose panel is shown gets no card besides
    cards = [s for s in navigation.menu_for(request.user, request.path) if s["key"] not in replaced]
    return TemplateResponse(request, "core/home.html", {"panels": panels, "cards": cards})


#: Who has premises to see (``core.scoping.scope``): the police of a jurisdiction and the owners. Others — an
#: auditor, a dispatcher, an administrator, a custodian … — get the site's 403 page, not an empty list under a
#: "☰ 菜单" that belongs to none of their sections (issue 11's trial).
PREMISES_READERS = POLICE | SUBMITTER_ROLES


@page(roles=PREMISES_READERS)
def premises_list(request: HttpRequest):
    if request.user.role in SUBMITTER_ROLES:  # their premises, with what to do next, are on their own page
        sections = navigation.sections_for(request.user, request.path)
        if sections:
            return redirect(sections[0]["url"])
    items = counted(selectors.premises_list(actor=request.user), request.GET.get("page"))
    return TemplateResponse(request, "core/premises_list.html", {"premises": items})


@page(roles=PREMISES_READERS)
def premises_detail(request: HttpRequest, premises_id: int):
    p = selectors.premises_get(actor=request.user, premises_id=premises_id)
    return TemplateResponse(request, "core/premises_detail.html", {"p": p})


#: Records per page of the audit page (issue 11: 50 made it 11,116 px at 375 px, each record a card there)
AUDIT_PAGE_SIZE = 20


@page(roles=frozenset(selectors.AUDIT_READERS))  # the site's 403 page for others: the page exists, not for them
def audit_search(request: HttpRequest):
    """The auditor's page: who looked at whom (or at what), when and why; filters by label; newest first."""
    form, query = _audit_query(request)
    context = {"form": form, "searched": bool(request.GET),
               "phones_missing": selectors.audit_has_records_without_phones(actor=request.user)}
    if query is None:
        return TemplateResponse(request, "core/audit.html", context)
    records = selectors.audit_search(actor=request.user, query=query)
    page = counted(records, request.GET.get("page"), AUDIT_PAGE_SIZE)
    context.update(page=page, rows=selectors.audit_rows(page.items), person=query.person,
                   person_form=audit.search_text_form(query.person) if query.person else "", ran=True,
                   query_string=query_without_page(request.GET),
                   export_parts=auditexport.parts(page.total))
    return TemplateResponse(request, "core/audit.html", context)


def _audit_query(request: HttpRequest) -> tuple[AuditFilterForm, selectors.AuditQuery | None]:
    """The audit page's filter form from the query string and its search (``None``: the form is invalid)."""
    form = AuditFilterForm(request.GET or None, units=organisation_units(request.user))
    if form.is_bound and not form.is_valid():
        return form, None
    fields = form.cleaned_data if form.is_bound else {}
    given = {k: v for k, v in fields.items() if v not in (None, "") and k != "with_searches"}
    return form, selectors.AuditQuery(**given, with_searches=fields.get("with_searches", False))


@require_GET
@page(roles=frozenset(selectors.AUDIT_READERS))
def audit_export(request: HttpRequest):
    """The audit page's results as CSV (the same filters; headers in the reader's language beside the stable
    codes), in parts of ``EXPORT_LIMIT`` records, newest first: ``?part=n`` (the page links every part; a file of
    one part of several is named so, ``Audit trail-2026-12-07-part2of3.csv``). Each part is recorded as an export of the
    trail with its filters. It cut the result at the newest 10,000 before (CI, test_paged_lists): an auditor
    could not get the rest of a wide search at all."""
    _form, query = _audit_query(request)
    if query is None:
        return redirect(f"{reverse('core:audit')}?{request.GET.urlencode()}")
    part = counted(selectors.audit_search(actor=request.user, query=query, action="export"), request.GET.get("part"),
                   auditexport.EXPORT_LIMIT)
    of = f"part{part.number}of{part.pages}" if part.pages > 1 else ""
    return file_response(auditexport.page_csv(part.items), "text/csv; charset=utf-8",
                         download_name(_("Audit trail"), day(), of, ext="csv"))
