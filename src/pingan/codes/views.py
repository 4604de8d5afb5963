"""Safety-code pages and plain views: published keys (well-known URLs), the offline verification page
(with its service worker and web app manifest), the owner's code page with QR/poster downloads and the
dispute form (纠错), and the police queue of disputes and level changes (four-eyes). Views stay thin.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import resources

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from pingan.codes import render, selectors, services
from pingan.codes.levels import RULE_TEXT_EN, RULE_TEXT_ZH, RULESET_VERSION, Level
from pingan.codes.models import LEVEL_LABELS, REVOCATION_REASON_LABELS, SafetyCode
from pingan.codes.texts import REVOKED_EXPLAIN, REVOKED_STATUS, VERDICT_EXPLAIN, VERDICT_STATUS, verdict_headline
from pingan.codes.token import PREFIX
from pingan.core.confirm import confirm_first
from pingan.core.downloads import file_response
from pingan.core.error_messages import page_message
from pingan.core.errors import DomainError, NotFound, PermissionDenied
from pingan.core.models import POLICE_ROLES, Role
from pingan.core.paging import counted_lists
from pingan.core.texts import lang
from pingan.core.web import POLICE, page
from pingan.lib.filenames import download_name

#: Published key sets may be cached by verifiers for five minutes (rotation keeps old keys published).
KEYS_CACHE_CONTROL = "public, max-age=300"


def _public(response: HttpResponse, cache_control: str = KEYS_CACHE_CONTROL) -> HttpResponse:
    response["Cache-Control"] = cache_control
    # Third-party verifiers (other origins) fetch keys and lists from the browser.
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def cose_key_set(request: HttpRequest) -> HttpResponse:
    """``/.well-known/pingan/cose-keys``: every published key as a COSE_KeySet (RFC 9052 §7), CBOR."""
    return _public(HttpResponse(services.trust_store().to_cose_key_set(), content_type="application/cose-key-set"))


@require_GET
def jwks(request: HttpRequest) -> HttpResponse:
    """``/.well-known/pingan/jwks.json``: every published key as a JWK Set (RFC 7517 §5)."""
    return _public(JsonResponse(services.trust_store().to_jwks(), content_type="application/jwk-set+json"))


# ---------------------------------------------------------------- the offline verification page


@cache
def _verify_js() -> bytes:
    return resources.files("pingan.codes").joinpath("static/codes/verify.js").read_bytes()


def _etagged(request: HttpRequest, body: bytes, content_type: str) -> HttpResponse:
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type=content_type)
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"  # always revalidate online; the service worker serves it offline
    return response


def _verify_page_text() -> dict:
    """The words the verification page's script shows, in the active language.

    ``headline`` (``headline_revoked`` per revocation reason) is the verdict a person reads first
    (:func:`pingan.codes.texts.verdict_headline`). ``status`` and ``layer`` name the verdicts and layers of
    ``verify.js`` (docs/codes.md); ``explain`` says,
    per verdict, what it means for the person holding the phone and what to do, ``revoked`` per revocation reason
    (a replaced code was not withdrawn by the police; the verifier's own
    ``reason`` is technical English and goes under "technical details" only); ``revocation`` names the
    revocation reasons. The sentences carry ``%(name)s`` placeholders that the script fills in.
    """
    return {
        "label": {lv.value: str(LEVEL_LABELS[lv]) for lv in Level},
        "status": {k: str(v) for k, v in VERDICT_STATUS.items()},
        "explain": {k: str(v) for k, v in VERDICT_EXPLAIN.items()},
        "revocation": {k: str(v) for k, v in REVOCATION_REASON_LABELS.items()},
        "revoked": {k: str(v) for k, v in REVOKED_EXPLAIN.items()},
        "revoked_status": {k: str(v) for k, v in REVOKED_STATUS.items()},
        # the verdict first — valid, not valid (and why), revoked, expired — per status and per revocation reason
        "headline": {k: verdict_headline(k) for k in VERDICT_STATUS},
        "headline_revoked": {k: verdict_headline("revoked", k) for k in REVOKED_STATUS},
        "layer": {"prefix": _("prefix"), "base45": _("base45 encoding"), "digits": _("digits of the link"),
                  "zlib": _("zlib compression"),
                  "cbor": "CBOR", "cose": _("COSE signature structure"), "cwt": _("CWT claims")},
        "details": _("Technical details (for support)"),
        "no_qr": _("No QR code could be read from this picture. Take the photo closer, straight on and in focus."),
        "no_keys": _("Cannot load the public keys: %(error)s. Open this page once while online."),
        # "Loaded 1 public key and 2 revocation lists": each count with its own singular and plural — under "For
        # developers", not as the page's first line (issue 11's trial: engine talk to a citizen)
        "loaded": _("Loaded %(keys)s and %(lists)s"),
        "keys": [ngettext("%(n)s public key", "%(n)s public keys", n) for n in (1, 2)],
        "lists": [ngettext("%(n)s revocation list", "%(n)s revocation lists", n) for n in (1, 2)],
        # the first line once the check can run: nothing to say online; offline, since when its data is
        "ready": _("Ready to check."),
        "offline": _("No network: the check uses what this device saved at %(when)s."),
        # a time in the bureau's zone: the zone's name where it has one a reader knows (北京时间), else its offset
        "zone_time": _("%(time)s (Beijing time)") if _beijing_time() else "%(time)s %(offset)s",
        "valid": _("%(level)s · %(name)s · valid until %(until)s · covers %(people)s people"),
        "valid_one": _("%(level)s · %(name)s · valid until %(until)s · covers one person"),
        # every row of the roster was rejected: "covers 0 people" said nothing a reader could use (issue 11)
        "valid_none": _("%(level)s · %(name)s · valid until %(until)s · no one on the roster could be screened"),
        "where": _(" (%(layer)s layer)"),
        "what": _("%(level)s · %(name)s"),
    }


#: Time zones on Beijing time (China Standard Time, UTC+08:00 all year).
BEIJING_TIME_ZONES = frozenset({"Asia/Shanghai", "Asia/Chongqing", "Asia/Chungking", "Asia/Harbin", "PRC"})


def _beijing_time() -> bool:
    """Whether the bureau's zone (``TIME_ZONE``) is Beijing time: the verification page then says "北京时间" /
    "Beijing time" beside a time, as the other pages' notes do, rather than "UTC+08:00" (issue 11's trial)."""
    return settings.TIME_ZONE in BEIJING_TIME_ZONES


def _verify_page_words() -> dict:
    """The verification page's own words (headings, labels, buttons, the published rule) in the active
    language: the server renders them, and the script renders the same words in the language the reader
    chose, offline too (:func:`_verify_page_texts`)."""
    title, site = _("Safety-code verification"), _("pingan")
    return {
        # "site": the frame's brand (base.html), which the script switches offline with the page's words
        "title": title, "doc_title": f"{title} · {site}", "site": site, "language": _("Language"),
        "verify_link": _("Check a safety code"),
        "trust": _("Getting the check ready…"),
        "code": _("Scan or paste a safety code (a link to this page, or text that starts with “%(prefix)s”)")
        % {"prefix": PREFIX},
        "check": _("Verify"), "scan": _("Scan"), "photo": _("Check a photo or screenshot of the QR code"),
        "rule_heading": _("Level rule"),
        # the published rule in the language (never both side by side, never the module id)
        "rule": RULE_TEXT_ZH if lang() == "zh" else RULE_TEXT_EN,
        # a code whose level a police station set by an approved level change is not the rule's (issue 11: 黄码
        # beside "…否则为绿码" for a screening all green); the code itself does not say which, so the page says
        # that it can be
        "rule_police": _("A police station may also set a code's level by an approved level change (after "
                         "checking a correction request): the level is then the station's, not the rule's."),
        "private": _("The check runs on this device and sends nothing anywhere; once this page has been opened, "
                     "it also works without a network."),
        "developers": _("For developers: the public keys"),
        "other_verifiers": _("Other verifiers can check codes with the published keys:"),
    }


def _verify_page_texts() -> dict:
    """Every language's words of the page and its script (``{language code: words}``): the service worker
    serves the page from its cache, in the language of the visit that cached it, so the script renders the
    words of the language the reader chose (the language cookie, or the page's own menu), with or without a
    network."""
    out = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            out[code] = {**_verify_page_text(), "page": _verify_page_words(),
                         "levels": {lv.value: str(LEVEL_LABELS[lv]) for lv in Level}}
    return out


@require_GET
def verify_page(request: HttpRequest) -> HttpResponse:
    """``/verify/``: verify a pasted or scanned code in the browser (Web Crypto), offline once loaded; in the
    reader's language, chosen on the page or elsewhere on the site, offline too."""
    lists = [reverse("api:revocation_list", kwargs={"issuer": i}) for i in services.revocation_issuers()]
    language = translation.get_language()
    texts = _verify_page_texts()
    ctx = {
        "jwks_url": reverse("codes:jwks"), "revocation_urls": lists,
        "ruleset_version": RULESET_VERSION, "prefix": PREFIX, "texts": texts,
        "words": texts.get(language, texts[settings.LANGUAGE_CODE])["page"],
        "language_cookie": settings.LANGUAGE_COOKIE_NAME,
        "languages": [(code, translation.get_language_info(code)["name_local"]) for code, _n in settings.LANGUAGES],
        "levels": [(lv.value, LEVEL_LABELS[lv], lv.rgb) for lv in Level],
        # When this copy was rendered: offline, the service worker serves an older copy, and the page says so.
        "served_at": timezone.now().isoformat(timespec="microseconds"),
        # times on the page are the bureau's, with their offset, whatever zone the phone is set to
        "time_zone": settings.TIME_ZONE,
    }
    response = TemplateResponse(request, "codes/verify.html", ctx)
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def verify_script(request: HttpRequest) -> HttpResponse:
    """``/verify/verify.js``: the browser verifier module (``pingan/codes/static/codes/verify.js``)."""
    return _etagged(request, _verify_js(), "text/javascript; charset=utf-8")


#: The vendored QR reader (zxing-wasm, ``static/codes/vendor/zxing-wasm/SOURCE.md``) served under /verify/vendor/,
#: inside the service worker's scope so that photo decoding works offline: path → content type.
VENDOR_FILES = {"zxing-wasm/es/reader/index.js": "text/javascript; charset=utf-8",
                "zxing-wasm/es/share.js": "text/javascript; charset=utf-8",
                "zxing-wasm/reader/zxing_reader.wasm": "application/wasm"}


@cache
def _vendor_file(name: str) -> bytes:
    return resources.files("pingan.codes").joinpath(f"static/codes/vendor/{name}").read_bytes()


@require_GET
def verify_vendor(request: HttpRequest, name: str) -> HttpResponse:
    """``/verify/vendor/<name>``: the bundled QR reader for photos and screenshots (nothing from a CDN)."""
    if name not in VENDOR_FILES:
        raise Http404("no such file")
    return _etagged(request, _vendor_file(name), VENDOR_FILES[name])


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """``/verify/sw.js``: caches the page and its script so that it loads with the network cut."""
    from django.templatetags.static import static

    # the site frame's files the page loads (base.html), cached with it for offline use
    frame = [static("pingan/site.css"), static("pingan/favicon.svg")]
    body = TemplateResponse(request, "codes/sw.js", {"version": hashlib.sha256(_verify_js()).hexdigest()[:12],
                                                     "frame": json.dumps(frame)})
    return _etagged(request, body.rendered_content.encode(), "text/javascript; charset=utf-8")


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    """``/verify/manifest.webmanifest``: the W3C web app manifest, so phones can add the page to the home screen."""
    body = {"name": "平安码核验 pingan verifier", "short_name": "平安码核验", "start_url": reverse("codes:verify"),
            "scope": reverse("codes:verify"), "display": "standalone", "background_color": "#ffffff",
            "theme_color": "#1e9e4a", "lang": "zh-CN"}
    return _etagged(request, json.dumps(body, ensure_ascii=False).encode(), "application/manifest+json")


# ---------------------------------------------------------------- owner and police pages


def _current_or_404(request: HttpRequest, premises_id: int) -> SafetyCode:
    try:
        code = selectors.code_current(actor=request.user, premises_id=premises_id)
    except NotFound:
        code = None
    if code is None:
        raise Http404("no current code")
    return code


#: Codes, correction requests and level changes per page of a premises' code page.
HISTORY_PER_PAGE = 20


@require_GET
@page()
def premises_code(request: HttpRequest, premises_id: int) -> HttpResponse:
    """The premises' code: QR, level colour, validity, poster download, dispute form; police: level change."""
    premises = selectors.premises_get(actor=request.user, premises_id=premises_id)  # NotFound: page() says 404
    return _premises_code_page(request, premises)


def _premises_code_page(request: HttpRequest, premises, *, form: str = "", error: str = "") -> HttpResponse:
    """The code page; after a refused form (``form``: "dispute" or "override") it is shown again with the
    error beside that form and what was typed kept (issue 11: "已是该等级" at the page top, far from the form),
    with status 400."""
    get = request.GET
    lists = {"codes": selectors.codes_of_premises(actor=request.user, premises_id=premises.pk),
             "disputes": selectors.disputes_list(actor=request.user).filter(premises=premises),
             "overrides": selectors.overrides_list(actor=request.user).filter(premises=premises)}
    ctx = {
        "premises": premises, "is_owner": request.user.pk == premises.owner_id,
        "is_police": request.user.role in POLICE_ROLES,
        **counted_lists(get, lists, HISTORY_PER_PAGE),  # each history pages on its own
        "levels": [(lv.value, LEVEL_LABELS[lv]) for lv in Level],
        "revocation_reasons": [(k, REVOCATION_REASON_LABELS[k]) for k in ("fraud", "error")],
        "dispute_min": services.DISPUTE_MIN_TEXT, "dispute_max": services.MAX_TEXT,
        "form_error": {form: error} if form else {}, "posted": request.POST if form else {},
    }
    _with_next_step(ctx["overrides"].items, request.user)
    return TemplateResponse(request, "codes/premises_code.html", ctx, status=400 if form else 200)


def _with_next_step(overrides, actor) -> None:
    """Each open level change with ``can_decide`` (the service's own rule: the page shows Approve and Reject
    only where the service would take them) and, for one the viewer cannot decide, ``waiting`` (what happens
    next, said to the viewer's role)."""
    for ov in overrides:
        ov.can_decide = ov.status == "requested" and services.may_decide_override(ov, actor)
        ov.waiting = "" if ov.can_decide or ov.status != "requested" else services.override_waiting_text(ov, actor)


def _back(request: HttpRequest, premises_id: int):
    return redirect(reverse("codes:premises", args=[premises_id]))


@require_POST
@page()
def premises_code_issue(request: HttpRequest, premises_id: int) -> HttpResponse:
    """Issue (or re-issue) the premises' code from its latest screening."""
    premises = selectors.premises_get(actor=request.user, premises_id=premises_id)
    try:
        code = services.safety_code_issue(premises=premises, actor=request.user)
        if code.issued_now:
            messages.success(request, _("Safety code issued (%(level)s).") % {"level": code.level_label})
        else:  # the live code is already the latest screening's: nothing renewed, the poster stays valid
            messages.info(request, _("The %(level)s issued %(when)s comes from the latest screening and is valid "
                                     "until %(until)s: nothing to renew, and the poster on the door stays valid. "
                                     "A new screening (upload the roster again) renews it.") % {
                "level": code.level_label, "when": date_format(timezone.localtime(code.issued_at), "Y-m-d H:i"),
                "until": date_format(timezone.localtime(code.expires_at), "Y-m-d H:i")})
    except DomainError as exc:
        messages.error(request, page_message(exc))
    return _back(request, premises_id)


def _download_name(code, what: str, ext: str) -> str:
    """"莲前东路8号 3单元502室-平安码-2026-12-07.png": the premises, what the file is and the code's issue date, not
    ``pingan-code-2.png`` (issue 11)."""
    return download_name(code.premises.label, what, timezone.localdate(code.issued_at).isoformat(), ext=ext)


@login_required
@require_GET
def premises_qr(request: HttpRequest, premises_id: int, kind: str) -> HttpResponse:
    """The current code as a QR image (``svg`` or ``png``) for the owner or police of the jurisdiction."""
    code = _current_or_404(request, premises_id)
    url = services.code_url(code, verify_url=services.verify_url(request))  # any phone camera opens it
    if kind == "svg":
        response = HttpResponse(render.qr_svg(url, title=_("Safety code %(id)s") % {"id": code.code_id}),
                                content_type="image/svg+xml")
    else:
        response = file_response(render.qr_png(url), "image/png", _download_name(code, _("Safety code"), "png"))
    response["Cache-Control"] = "private, no-cache"
    return response


@login_required
@require_GET
def premises_poster(request: HttpRequest, premises_id: int) -> HttpResponse:
    """The printable A4 door poster (PDF) of the current code."""
    code = _current_or_404(request, premises_id)
    pdf = services.code_poster(code, verify_url=services.verify_url(request), lang=lang())  # the reader's
    response = file_response(pdf, "application/pdf", _download_name(code, _("door poster"), "pdf"))
    response["Cache-Control"] = "private, no-cache"
    return response


@require_POST
@page()
def premises_dispute(request: HttpRequest, premises_id: int) -> HttpResponse:
    """The owner's dispute form (纠错)."""
    premises = selectors.premises_get(actor=request.user, premises_id=premises_id)
    try:
        services.dispute_open(premises=premises, text=request.POST.get("text", ""), actor=request.user,
                              code_id=request.POST.get("code_id", ""))
        messages.success(request, _("Correction request sent: the responsible police station will handle it."))
    except PermissionDenied as exc:  # not this viewer's form at all (it is not on their page): said at the top
        messages.error(request, page_message(exc))
    except DomainError as exc:
        return _premises_code_page(request, premises, form="dispute", error=page_message(exc))
    return _back(request, premises_id)


@require_POST
@page()
def premises_override(request: HttpRequest, premises_id: int) -> HttpResponse:
    """Police request a manual level (needs a second approver)."""
    premises = selectors.premises_get(actor=request.user, premises_id=premises_id)
    try:
        ov = services.level_override_request(premises=premises, level=request.POST.get("level", ""),
                                             reason=request.POST.get("reason", ""), actor=request.user)
        # what happens next, as the requester's role has it (an officer was told "another station chief")
        messages.success(request, _("Level change requested. %(next)s") % {
            "next": services.override_waiting_text(ov, request.user)})
    except PermissionDenied as exc:  # not this viewer's form at all (it is not on their page): said at the top
        messages.error(request, page_message(exc))
    except DomainError as exc:
        return _premises_code_page(request, premises, form="override", error=page_message(exc))
    return _back(request, premises_id)


@require_POST
@page(roles=POLICE)
def premises_code_revoke(request: HttpRequest, premises_id: int) -> HttpResponse:
    """Police of the jurisdiction withdraw the premises' current code (fraud, or issued in error)."""
    code = _current_or_404(request, premises_id)
    reason = request.POST.get("reason", "")
    if reason not in ("fraud", "error"):  # "rescreened" is the system's own reason, never chosen by hand
        messages.error(request, _("Choose why the code is revoked."))
        return _back(request, premises_id)
    if (confirm := confirm_first(request, action=_("Revoke the code"), what=code.premises.label)):
        return confirm
    try:
        services.safety_code_revoke(code=code, reason=reason, actor=request.user)
        messages.success(request, _("The safety code was revoked: verifiers show it as revoked from now on."))
    except DomainError as exc:
        messages.error(request, page_message(exc))
    return _back(request, premises_id)


@require_GET
@page(roles=POLICE)
def police_queue(request: HttpRequest) -> HttpResponse:
    """Suspended codes, disputes and level-change requests of the officer's jurisdiction, open ones first, then
    the decided ones (suspensions released or resolved, disputes, level changes) with who decided and when."""
    user, get = request.user, request.GET
    lists = {
        "open_disputes": selectors.disputes_list(actor=user, status="open"),
        "closed_disputes": selectors.disputes_list(actor=user).exclude(status="open"),
        "open_overrides": selectors.overrides_list(actor=user, status="requested"),
        "open_reviews": selectors.reviews_list(actor=user, status="open"),
        # upheld by the police, the level not changed yet: the station chief's next step (issue 11)
        "upheld": selectors.upheld_awaiting_change(actor=user),
        "closed_overrides": selectors.overrides_list(actor=user).exclude(status="requested"),
        # a released or resolved suspension is decided too: who released it, when, with what note
        "closed_reviews": selectors.reviews_list(actor=user).exclude(status="open")
        .select_related("issued_code").order_by("-decided_at", "-id"),
    }
    ctx = {
        **counted_lists(get, lists),  # each pages on its own
        # the bureau's analysts read the queue; officers and station chiefs of the jurisdiction release
        "can_release": request.user.role in (Role.OFFICER, Role.STATION_CHIEF),
    }
    # each earlier roster the people left out come from, by file and upload date (not only the last one)
    selectors.with_left_out_rosters(ctx["open_reviews"].items)
    _with_next_step(ctx["open_overrides"].items, request.user)
    # each open row's level as asked and, once the code was replaced, the level now (issue 11's trial)
    for name in ("open_disputes", "upheld", "open_overrides"):
        selectors.with_level_now(ctx[name].items)
    # the decided lists share one list on the page, each with its own pager below it
    ctx["decided_pagers"] = [(ctx[name], name, what, ctx["links"][name]) for name, what in (
        ("closed_disputes", _("correction")), ("closed_overrides", _("level change")),
        ("closed_reviews", _("suspended code")))]
    return TemplateResponse(request, "codes/police.html", ctx)


@require_POST
@page()
def dispute_resolve(request: HttpRequest, dispute_id: int) -> HttpResponse:
    """Record a dispute's outcome."""
    d = selectors.dispute_get(actor=request.user, dispute_id=dispute_id)  # NotFound: page() says 404
    upheld = request.POST.get("decision") == "upheld"
    # rejecting a landlord's request is final: asked first, like every rejection (docs/web.md)
    if not upheld and d.status == "open" and (confirm := confirm_first(
            request, action=_("Reject the correction request"), what=d.premises.label, back=reverse("codes:police"))):
        return confirm
    try:
        services.dispute_resolve(dispute=d, upheld=upheld, outcome=request.POST.get("outcome", ""),
                                 actor=request.user)
        messages.success(request, _("Correction request upheld: the outcome is shown to the owner of %(premises)s. "
                                    "The level changes only by a level change, which a station chief approves: it "
                                    "is listed under “Upheld, level not yet changed” until one is requested.")
                         % {"premises": d.premises.label} if upheld else
                         _("Correction request rejected: the outcome is shown to the owner of %(premises)s.")
                         % {"premises": d.premises.label})
    except DomainError as exc:  # refused (PermissionDenied too): said on the queue page
        messages.error(request, page_message(exc))
    return redirect("codes:police")


@require_POST
@page()
def override_decide(request: HttpRequest, override_id: int, decision: str) -> HttpResponse:
    """Approve or reject a level change (four-eyes: not the requester)."""
    ov = selectors.override_get(actor=request.user, override_id=override_id)  # NotFound: page() says 404
    note = request.POST.get("note", "")
    what = f"{ov.premises.label} → {ov.level_label}"
    try:
        if decision == "approve":
            services.level_override_approve(override=ov, actor=request.user, note=note)
            messages.success(request, _("Level change approved: %(what)s. A new code was issued; the owner prints "
                                        "the new door poster.") % {"what": what})
        else:
            # a rejection is asked first, like every rejection (not one the service refuses anyway: decided, or
            # the requester's own); the message says which way it went (it said "Decision recorded.", in
            # Chinese "已审批", approved, for a rejection too)
            if ov.status == "requested" and ov.requested_by_id != request.user.pk and (confirm := confirm_first(
                    request, action=_("Reject the level change"), what=what, back=reverse("codes:police"))):
                return confirm
            services.level_override_reject(override=ov, actor=request.user, note=note)
            messages.success(request, _("Level change rejected: %(what)s. The code stays as it was.")
                             % {"what": what})
    except DomainError as exc:
        messages.error(request, page_message(exc))
    return redirect("codes:police")


@require_POST
@page()
def review_release(request: HttpRequest, review_id: int) -> HttpResponse:
    """Release a suspended code after the police checked the roster (a note says what was checked)."""
    _decide_review(request, review_id, services.code_review_release,
                   _("The code was released and issued under the published rule."))
    return redirect("codes:police")


def _decide_review(request: HttpRequest, review_id: int, decide, done: str):
    """Run ``decide`` (a review service) on a review the user may see (else ``NotFound``: ``page()`` says 404)
    with the form's note; the outcome, or the refusal, as a message. Returns the review."""
    rv = selectors.review_get(actor=request.user, review_id=review_id)
    try:
        decide(review=rv, actor=request.user, note=request.POST.get("note", ""))
        messages.success(request, done)
    except DomainError as exc:
        messages.error(request, page_message(exc))
    return rv


@require_POST
@page()
def review_confirm_left(request: HttpRequest, review_id: int) -> HttpResponse:
    """The police confirm that the flagged people a newer roster left out really left (a note says how)."""
    rv = _decide_review(request, review_id, services.code_review_confirm_left,
                        _("Recorded: the people left out of the roster left."))
    return redirect("dashboard:premises", rv.premises_id)
