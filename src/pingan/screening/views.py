"""Submitter pages: register premises, upload a roster, watch progress, read and download results.

Views stay thin: parse the request, call one service or selector, render. One view serves the full page and
its htmx partial (``request.htmx``). Submitters see only the submitter view of a result: status, level,
reason and a masked document number — never a hit, never a police field.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from pingan.codes import selectors as codes_selectors
from pingan.core import selectors as core_selectors
from pingan.core import services as core_services
from pingan.core import texts
from pingan.core.confirm import confirm_first
from pingan.core.downloads import file_response
from pingan.core.error_messages import page_message
from pingan.core.errors import Conflict, DomainError, Gone
from pingan.core.models import Premises
from pingan.core.paging import counted, kept_query, window
from pingan.core.web import SUBMITTERS, page
from pingan.lib.redact import mask_numbers
from pingan.screening import selectors, services, tasks
from pingan.screening.forms import PremisesForm, RenameForm, RosterForm, SignupForm
from pingan.screening.models import ScreeningJob, to_fix_q
from pingan.screening.services import DOWNLOAD_TYPES

#: Rows to fix per page of a screening's page (each is three lines on a phone).
FIX_PER_PAGE = 20

#: Screenings per page of the submitter's start page.
HOME_JOBS = 5


@require_GET
@page(roles=SUBMITTERS)
def home(request: HttpRequest) -> HttpResponse:
    """The submitter's start page: the first steps (register, template, upload, poster) with what is done,
    their premises with the latest screening and safety code, and their recent screenings with counts."""
    premises = list(selectors.premises_with_latest(actor=request.user))
    # the screenings counted, then one page (``jobs``) of the newest (issue 11: twenty listed made the page
    # 3,041 px at 375 px; each premises above links its latest results already)
    history = selectors.job_list(actor=request.user)
    jobs = window(history, request.GET.get("jobs"), HOME_JOBS)
    to_fix = selectors.jobs_to_fix(actor=request.user, jobs=jobs)
    for j in jobs:  # each screening's rows to fix, as its results page counts them (issue 11's trial F9)
        j.to_fix = to_fix.get(j.pk, 0)
    return TemplateResponse(request, "screening/home.html", {
        "premises": premises, "jobs": jobs,
        "jobs_count": history.order_by().count(),
        "steps": {"premises": bool(premises), "screened": any(p.latest_job_id for p in premises),
                  "code": any(p.has_code for p in premises)},
    })


@require_http_methods(["GET", "POST"])
@page(roles=SUBMITTERS)
def premises_new(request: HttpRequest) -> HttpResponse:
    """Register a premises; the responsible police unit is derived from its administrative code."""
    # a landlord registers a rental property, an enterprise a site of its own
    kind = Premises.Kind.RENTAL if request.user.role == "landlord" else Premises.Kind.ENTERPRISE
    form = PremisesForm(request.POST or None, initial={"kind": kind})
    existing = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            p = core_services.premises_create(actor=request.user, name=d["name"], kind=d["kind"],
                                              address=d["address"], room=d["room"], adcode=d["code"])
        except DomainError as exc:
            form.add_error(None, page_message(exc))
            if exc.code == "premises_exists":  # a link to the one registered already
                existing = core_selectors.premises_scoped(actor=request.user).filter(
                    pk=exc.params["premises_id"]).first()
        else:
            messages.success(request, _("Registered %(name)s. Responsible police unit: %(unit)s. Next: upload the "
                                        "roster of the people there.") % {"name": p.name, "unit": p.unit.label})
            return redirect("screening:home")
    return TemplateResponse(request, "screening/premises_form.html", {"form": form, "existing": existing})


@require_http_methods(["GET", "POST"])
@page(roles=SUBMITTERS)
def premises_edit(request: HttpRequest, premises_id: int) -> HttpResponse:
    """Rename a premises (the history of its names below), or remove it (deleted, or archived when screenings
    or codes recorded it: ``core.services.premises_remove``)."""
    premises = core_selectors.premises_scoped(actor=request.user).filter(pk=premises_id).first()
    if premises is None:
        raise Http404("premises not found")
    form = RenameForm(request.POST if request.POST.get("action") == "rename" else None,
                      initial={"name": premises.name})
    if request.method == "POST" and request.POST.get("action") == "remove":
        confirm = confirm_first(request, action=_("Remove the premises"), what=premises.label)
        if confirm is not None:
            return confirm
        try:
            removed = core_services.premises_remove(actor=request.user, premises=premises)
        except DomainError as exc:
            messages.error(request, page_message(exc))
            return redirect("screening:premises_edit", premises_id=premises.pk)
        if removed.outcome == "deleted":
            messages.success(request, _("Removed %(name)s.") % {"name": removed.name})
        else:
            messages.success(request, _("Removed %(name)s from your list. Its screenings and codes are kept as "
                                        "records under the retention rules.") % {"name": removed.name})
        return redirect("screening:home")
    if request.method == "POST" and form.is_valid():
        try:
            core_services.premises_rename(actor=request.user, premises=premises, name=form.cleaned_data["name"])
        except DomainError as exc:
            form.add_error("name", page_message(exc))
        else:
            messages.success(request, _("Renamed to %(name)s.") % {"name": form.cleaned_data["name"].strip()})
            return redirect("screening:premises_edit", premises_id=premises.pk)
    return TemplateResponse(request, "screening/premises_edit.html", {
        "premises": premises, "form": form, "history": counted(premises.name_changes.all(), request.GET.get("page")),
        "records": premises.jobs.exists() or premises.safety_codes.exists()})


def _client_addr(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """A landlord or enterprise registers an account and its first premises; the account waits for the police
    station of the premises to confirm it (``core.services.registration_submit``). Rate-limited per address."""
    if request.user.is_authenticated:
        return redirect("core:home")
    form = SignupForm(request.POST or None, initial={"role": "landlord"})
    if request.method == "POST":
        wait = core_services.signup_rate_hit(_client_addr(request))
        if wait is not None:
            return TemplateResponse(request, "screening/signup_paused.html", {"minutes": wait}, status=429)
        if form.is_valid():
            d = form.cleaned_data
            try:
                reg = core_services.registration_submit(
                    username=d["username"], password=d["password"], role=d["role"], display_name=d["display_name"],
                    phone=d["phone"], premises_name=d["name"], address=d["address"], room=d["room"],
                    adcode=d["code"], client_addr=_client_addr(request))
            except DomainError as exc:
                field = {"username_taken": "username", "weak_password": "password", "bad_phone": "phone",
                         "address_required": "address"}.get(exc.code)
                form.add_error(field, page_message(exc))
            else:
                return TemplateResponse(request, "screening/signup_done.html", {"reg": reg}, status=201)
    return TemplateResponse(request, "screening/signup.html", {"form": form},
                            status=400 if form.is_bound and form.errors else 200)


@require_http_methods(["GET", "POST"])
@page(roles=frozenset({"officer", "station_chief"}))
def signups(request: HttpRequest) -> HttpResponse:
    """The station's queue of sign-ups: confirm (the account and its premises become active) or refuse with a
    reason (a confirmation first)."""
    if request.method == "POST":
        reg = core_selectors.registration_get(actor=request.user, registration_id=int(request.POST.get("id") or 0))
        try:
            if request.POST.get("decision") == "approve":
                core_services.registration_approve(registration=reg, actor=request.user,
                                                   note=request.POST.get("note", ""))
                messages.success(request, _("Confirmed: %(person)s can sign in and screen %(premises)s.") % {
                    "person": reg.display_name, "premises": reg.premises_name})
            else:
                confirm = confirm_first(request, action=_("Refuse the registration"), what=reg.premises_name)
                if confirm is not None:
                    return confirm
                core_services.registration_reject(registration=reg, actor=request.user,
                                                  note=request.POST.get("note", ""))
                messages.success(request, _("Refused: %(name)s reads your reason when signing in.") % {
                    "name": reg.display_name})
        except DomainError as exc:
            messages.error(request, page_message(exc))
        return redirect("screening:signups")
    return TemplateResponse(request, "screening/signups.html", {
        "pending": counted(core_selectors.registrations_pending(actor=request.user), request.GET.get("page"))})


@require_http_methods(["GET", "POST"])
@page(roles=SUBMITTERS)
def upload(request: HttpRequest) -> HttpResponse:
    """Upload a roster for one of the submitter's premises; it is screened in the background."""
    mine = core_selectors.premises_scoped(actor=request.user)  # the submitter's own: no one else's data
    chosen = request.GET.get("premises")
    if not chosen:  # a landlord with one premises has nothing to choose
        only = list(mine.values_list("pk", flat=True)[:2])
        chosen = only[0] if len(only) == 1 else None
    form = RosterForm(request.POST or None, request.FILES or None, premises_qs=mine, initial={"premises": chosen})
    reused = False
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["roster"]
        try:
            job, _created = tasks.screening_job_submit(
                actor=request.user, roster_name=f.name, roster_bytes=f.read(),
                premises=form.cleaned_data["premises"], idempotency_key=request.POST.get("idempotency_key", ""))
        except DomainError as exc:
            form.add_error("roster", page_message(exc))
            reused = exc.code == "idempotency_key_reused"
        else:
            return redirect("screening:job", job_id=job.pk)
    # before the upload: which premises would have their code suspended by a roster that leaves people out. The
    # page shows the chosen premises' only (issue 11: with several premises every one's paragraph stood above the
    # form, ~1000 px at 375 px, even with ?premises= choosing one); pingan/upload.js shows another's on a change
    # each named by its label (name and room: two flats of one building may share a name), as the selector does
    baselines = [(p, b, p.label) for p in mine[:20] if (b := codes_selectors.roster_baseline(p)) is not None]
    shown = str(request.POST.get("premises") or chosen or "")
    return TemplateResponse(request, "screening/upload.html", {
        "form": form, "has_premises": mine.exists(), "baselines": baselines, "shown_premises": shown,
        # a fresh key per form: a double-submitted form makes one job, not two; a form whose key already
        # made a job with another file gets a new one
        "idempotency_key": (not reused and request.POST.get("idempotency_key")) or uuid.uuid4().hex})


@require_GET
@page(roles=SUBMITTERS)
def roster_template(request: HttpRequest) -> HttpResponse:
    """The roster template (XLSX) with the expected columns and an example row, in the reader's language."""
    from pingan.screening.template import roster_template_filename, roster_template_xlsx

    return file_response(roster_template_xlsx(texts.lang()), DOWNLOAD_TYPES["xlsx"],
                         roster_template_filename(texts.lang()))


@require_GET
@page()
def job(request: HttpRequest, job_id: int) -> HttpResponse:
    """A job: progress while it runs (htmx polls the partial), then its results.

    The partial answers ``HX-Refresh`` once the job has finished, so the browser loads the results page.
    A job whose person data the retention policy deleted shows when, and its counts, without rows.
    """
    j = selectors.job_get(actor=request.user, job_id=job_id)
    finished = j.status in (ScreeningJob.Status.DONE, ScreeningJob.Status.FAILED)
    if request.htmx:
        response = TemplateResponse(request, "screening/partials/progress.html", {"job": j})
        if finished:
            response["HX-Refresh"] = "true"
        return response
    ctx: dict = {"job": j, "finished": finished,
                 "earlier": selectors.job_same_roster_earlier(actor=request.user, job=j),
                 # the safety code relative to this screening: its own, and the premises' current one
                 "code": codes_selectors.job_code_state(j) if j.status == ScreeningJob.Status.DONE else {}}
    if j.purged_at is not None:
        ctx["purged_on"] = timezone.localdate(j.purged_at)
    elif j.status == ScreeningJob.Status.DONE:
        rows = selectors.job_results(actor=request.user, job_id=j.pk)
        # what to fix: rows not screened, and screened rows whose document number is to fix (models.NUMBER_TO_FIX:
        # yellow, or a number the engine corrected, screened as that person); the screened list has the others,
        # and the summary counts both. Counted first, then one page (``fix``) of them, the rows not screened
        # first (issue 11: 2,000 rows on one page made the landlord's page 15,032 px at 375 px)
        # (and a screened row whose phone is not a valid number: models.PHONE_TO_FIX, issue 11)
        # (selectors.job_fix_counts: the same counts as pingan screen's summary)
        to_fix = to_fix_q()
        counts = ctx["fix_counts"] = selectors.job_fix_counts(rows)
        ctx["number_to_fix"] = counts["unverified"]
        # the screened rows listed under "Screened people" (issue 11: "1 screened" above "No accepted rows."
        # when the one screened row was under "What to fix"): the summary and that list say the same
        ctx["screened_listed"] = max(j.tally["accepted"] - counts["unverified"] - counts["phone"], 0)
        ctx["to_fix"] = window(rows.filter(to_fix).annotate(
            first=Case(When(status="rejected", then=Value(0)), default=Value(1), output_field=IntegerField()))
            .order_by("first", "row"), request.GET.get("fix"), FIX_PER_PAGE)
        ctx["police"] = request.user.is_police
        # folded like the police's (issue 11's trial F13: the landlord's page of the demo's 165 rows to fix was
        # 8,988 px at 375 px): a list of more than one page opens on a click, and opened while paging through it
        ctx["fold_fix"] = ctx["police"] or ctx["to_fix"].has_other_pages
        ctx["fix_open"] = not ctx["police"] and "fix" in request.GET
        if ctx["police"]:  # the people who need action first, counted, searchable; green folded away. Every
            # screened row, those with a number to fix too (issue 11: 黄 2 on the chips, 0 on the tiles and "nobody
            # to act on" while the two yellow people sat among the rows to fix): the tiles add up to the chips
            ctx.update(_police_people(request, rows.filter(status="accepted")))
        else:
            # red, then yellow, then green; one page (``page``) of them (the summary above counts them)
            ctx["page"] = window(rows.filter(status="accepted").exclude(to_fix).annotate(
                first=Case(When(level="red", then=Value(0)), When(level="yellow", then=Value(1)), default=Value(2),
                           output_field=IntegerField())).order_by("first", "row"), request.GET.get("page"))
        # the notes may quote cells of the roster: long digit runs masked, as everywhere a page echoes input
        ctx["notes"] = [mask_numbers(str(n)) for n in ([texts.render(n) for n in j.stats.get("notes", [])]
                                                      or [texts.legacy(w) for w in j.stats.get("warnings", [])])]
        ctx["risk_notes"] = ([texts.render(n) for n in j.stats.get("risk_data_notes", [])]
                             or [texts.legacy(w) for w in j.stats.get("risk_data_warnings", [])])
        ctx["ruleset_title"] = texts.pick(j.stats.get("ruleset_title") or {}) or j.ruleset_id
        ctx["lookback_days"] = j.stats.get("lookback_days")
    return TemplateResponse(request, "screening/job.html", ctx)


def _police_people(request: HttpRequest, accepted) -> dict:
    """The police view of a screening's people (issue 11: 23,150 px at 375 px, every row on one page): the
    counts by level, then one page (``page``) of the flagged ones (silent watchlist hits, red, yellow) — or of
    what the search (``q``, ``level``: the jurisdiction view's ``PeopleFilter``) found among all screened —
    and, folded, one page (``green``) of the green people."""
    where = selectors.PeopleFilter.from_query(request.GET)
    ordered = accepted.annotate(order=Case(When(silent_hit=True, then=Value(0)), When(level="red", then=Value(1)),
                                           When(level="yellow", then=Value(2)), default=Value(3),
                                           output_field=IntegerField())).order_by("order", "row")
    flagged = services.flagged_rows()  # what the jurisdiction view lists as flagged (``accepted`` rows already)
    people = where.apply(ordered) if where.active else ordered.filter(flagged)
    # counts only (nobody named): no audit record
    counts = accepted.order_by().aggregate(
        total=Count("pk"), red=Count("pk", filter=Q(level="red")), yellow=Count("pk", filter=Q(level="yellow")),
        green=Count("pk", filter=~flagged), silent=Count("pk", filter=Q(silent_hit=True)),
        # the watchlist hits the submitter's result says green: in the green chip, not the green tile (issue 11)
        silent_green=Count("pk", filter=Q(silent_hit=True, level="green")))
    counts["found"] = people.order_by().count() if where.active else None
    return {"where": where, "people_counts": counts, "query": kept_query(request.GET, ("q", "level")),
            "people": window(people, request.GET.get("page")),
            "greens": None if where.active else window(accepted.exclude(flagged).order_by("row"),
                                                       request.GET.get("green"))}


@require_GET
@page()
def job_download(request: HttpRequest, job_id: int, fmt: str) -> HttpResponse:
    """The job's results as CSV or XLSX: the submitter view, or the police view for police accounts.

    410 Gone, with a page saying when, once the retention policy deleted the job's person data; 409 Conflict,
    with a page saying so and linking to the job's page (which shows its progress), before the job is done.
    """
    try:
        # people get their language; the API's export keeps the machine-readable form
        data, name, content_type = services.screening_job_download(actor=request.user, job_id=job_id, fmt=fmt,
                                                                   lang=texts.lang())
    except Gone as exc:
        return TemplateResponse(request, "screening/purged.html", {"job_id": job_id, "message": page_message(exc)},
                                status=410)
    except Conflict as exc:  # queued, running or failed: no results yet
        return TemplateResponse(request, "screening/not_done.html", {"job_id": job_id, "message": page_message(exc)},
                                status=409)
    except DomainError as exc:  # an unknown format
        raise Http404(exc.message) from None
    return file_response(data, content_type, name)
