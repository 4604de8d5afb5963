"""Request middleware: the audit context (request id, client address, declared purpose), and the reason
a page refused a request (for the one-line client-error log, ``pingan.core.request_log``)."""

from __future__ import annotations

import json
import re
import uuid

from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404
from django.utils.translation import gettext

from pingan.core import audit, problems
from pingan.core.request_log import note_reason


class AuditContextMiddleware:
    """Give every request pingan's own id and record who asks from where.

    The id is always generated here (a client cannot choose what the audit trail calls its request); a
    well-formed ``X-Request-ID`` from the client or its proxy is kept beside it as ``client_request_id``
    (``core.audit.clean_request_id``), a malformed one is dropped. The response carries pingan's id.
    The purpose of reading personal data is chosen once per sign-in and kept in the session (``purpose``);
    API tokens bring their own (``core.auth``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rid = uuid.uuid4().hex
        request.request_id = rid  # error pages show it, so a user can quote it to support
        purpose = ""
        if hasattr(request, "session"):
            purpose = request.session.get("purpose", "")
        token = audit.set_context(audit.AuditContext(
            request_id=rid, client_addr=request.META.get("REMOTE_ADDR", ""), purpose=purpose,
            client_request_id=audit.clean_request_id(request.headers.get("X-Request-ID")),
            signed_in=lambda: getattr(request, "user", None)))  # read late: API tokens authenticate in the view
        try:
            response = self.get_response(request)
        finally:
            audit.reset_context(token)
        response["X-Request-ID"] = rid
        return response


class ClientErrorMiddleware:
    """Note why a page view refused a request (``Http404``/``PermissionDenied``) for the one-line log.

    Django logs a 404 with no reason at all; this keeps the exception's message on the request, where
    :class:`pingan.core.request_log.ClientErrorFilter` finds it. The response is left to Django.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Http404 | PermissionDenied):
            note_reason(request, str(exception) or type(exception).__name__)
        return None


#: Characters no text column can hold (PostgreSQL refuses NUL in text; an unpaired UTF-16 surrogate is not
#: Unicode text and cannot be encoded).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _unstorable_in(value) -> bool:
    """True when ``value`` (JSON: str, list, dict, scalars) holds a NUL or unpaired surrogate anywhere."""
    if isinstance(value, str):
        return bool(_UNSTORABLE.search(value))
    if isinstance(value, list):
        return any(_unstorable_in(v) for v in value)
    if isinstance(value, dict):
        return any(_unstorable_in(k) or _unstorable_in(v) for k, v in value.items())
    return False


def unstorable_input(request) -> str:
    """Where the request carries text that no database column can hold: ``"path"``, ``"query"``, ``"form"``
    or ``"json"`` — or ``""`` when nowhere. The API's multipart bodies are left to the API (reading them here
    would fix the upload handlers before the view chooses them)."""
    if _UNSTORABLE.search(request.path):
        return "path"
    if any(_unstorable_in(k) or _unstorable_in(request.GET.getlist(k)) for k in request.GET):
        return "query"
    ctype = request.content_type or ""
    if request.method in ("POST", "PUT", "PATCH"):
        # a page's form, urlencoded or multipart (a page POST is parsed by the CSRF check anyway); the API's
        # multipart uploads are left to the API, which types every field and cleans file names
        form = ctype == "application/x-www-form-urlencoded" or (
            ctype == "multipart/form-data" and not request.path.startswith("/api/"))
        if form:
            if any(_unstorable_in(k) or _unstorable_in(request.POST.getlist(k)) for k in request.POST):
                return "form"
        elif ctype == "application/json" or ctype.endswith("+json"):
            body = request.body
            if b"\\u" in body or b"\x00" in body:  # only an escape or a raw NUL can carry them
                try:
                    if _unstorable_in(json.loads(body)):
                        return "json"
                except ValueError:
                    return ""  # not JSON: the API's parser answers that
    return ""


class UnstorableTextMiddleware:
    """Refuse a request whose text holds a NUL or an unpaired surrogate, with 400, before any view.

    Such text reaches no database: PostgreSQL refuses NUL in text (it was an HTTP 500), and a lone surrogate
    cannot be encoded. The API answers a problem document (``bad_request``); pages the 400 page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        where = unstorable_input(request)
        if not where:
            return self.get_response(request)
        if problems.is_api(request.path):  # in the request's language (it was English whatever was asked)
            return problems.problem(request, 400, "bad_request", lambda: gettext(
                "The request's %(where)s contains a NUL character or an unpaired surrogate, which no text can "
                "hold.") % {"where": where})
        detail = f"the request's {where} contains a NUL character or an unpaired surrogate, which no text can hold"
        note_reason(request, f"bad_request: {detail}")
        raise BadRequest(detail)


class RefillMiddleware:
    """A page that shows a form again with what was sent (a dict of the values, ``request.POST`` itself) shows
    each refused character as ``⟨U+XXXX⟩`` (``core.forms.refilled``), never raw: issue 11's trial refilled a
    watch-list reason holding U+202E and the field read reversed. Every value of a template response's context
    that is a string, dict, ``QueryDict``, list or tuple is refilled, item by item (HTML the view marked safe,
    a model instance, a queryset are not; Django forms: ``core.forms.RefillRenderer``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_template_response(self, request, response):
        from pingan.core.forms import refilled

        context = response.context_data
        if isinstance(context, dict):  # refilled says which values it rewrites, and returns the others as they are
            response.context_data = {k: refilled(v) for k, v in context.items()}
        return response


def allowed_methods(view) -> list[str] | None:
    """The methods a view takes, when it says so: ``require_http_methods`` (``require_GET``, ``require_POST``…)
    on the view or on any view it wraps (``login_required`` outside it, say), or a class-based view's handlers;
    ``None`` when the view does not say (it answers every method, or checks for itself)."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return [m.upper() for m in view_class.http_method_names if hasattr(view_class, m)]
    seen = 0
    while view is not None and seen < 20:  # a wrapper chain is short; the bound guards a cycle
        for name, cell in zip(getattr(getattr(view, "__code__", None), "co_freevars", ()),
                              getattr(view, "__closure__", None) or (), strict=False):
            if name == "request_method_list":
                return list(cell.cell_contents)
        view, seen = getattr(view, "__wrapped__", None), seen + 1
    return None


class MethodNotAllowedMiddleware:
    """A request with a method its address does not take answers 405 with something to read: the site's page
    for a page (Django's own 405 has an empty body, so a browser shows its bare "HTTP ERROR 405"), the problem
    document for the API (ninja's is the bare text ``Method not allowed``), keeping the ``Allow`` header.

    Placed before ``CsrfViewMiddleware``: a form sent to a page that only shows is told the page takes no form,
    not that the form expired — the method is checked (``process_view``) before the CSRF token is. Any other
    405 (a view checking for itself, ninja) is replaced on the way out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or getattr(response, "pingan_method_page", False) or response.get(
                "Content-Type", "").startswith("application/problem+json"):
            return response
        return self._refuse(request, response.get("Allow", ""))

    def process_view(self, request, view_func, view_args, view_kwargs):
        allowed = allowed_methods(view_func)
        if allowed is None or request.method in allowed:
            return None
        return self._refuse(request, ", ".join(allowed))

    @staticmethod
    def _refuse(request, allowed: str):
        from pingan.core.errorpages import method_not_allowed

        response = method_not_allowed(request, allowed)
        response.pingan_method_page = True
        return response
