"""RFC 9457 problem documents (``application/problem+json``): the API's answer to every error, wherever it is
raised — an operation's handler (``config.api``), Django's error handlers when the request was for ``/api/…``
(a route that does not exist, an unhandled failure, the embedded database busy, a refused CSRF check:
``core.errorpages``), a method the operation does not take (``core.middleware.MethodNotAllowedMiddleware``) and the
middleware that refuse a request before any view (``core.middleware``, ``core.uploads``).

Review of the API (issue 11): a busy SQLite database answered an API client the site's HTML 503 page, an
unknown ``/api/`` route the HTML 404 page and a wrong method ninja's bare text ``Method not allowed``.

``type`` and ``code`` are stable English identifiers for programs; ``title`` and ``detail`` are for a person,
in the request's language (``Accept-Language``, else the site's default, Chinese).
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy

from pingan.core.request_log import note_reason

#: The members every problem document has (RFC 9457 §3.1 and pingan's ``code``); an error's extra members
#: never replace them.
PROBLEM_MEMBERS = frozenset({"type", "title", "status", "detail", "instance", "code"})

#: A problem's ``title`` by its ``code`` (RFC 9457 §3.1.3: a short summary of the problem type), in the request's
#: language; a code not named here is titled by its HTTP status (:data:`STATUS_TITLES`). The ``code`` and ``type``
#: stay the stable English identifiers programs test.
TITLES = {
    "unauthorised": gettext_lazy("Not signed in"),
    "invalid_request": gettext_lazy("The request does not match the API"),
    "bad_request": gettext_lazy("The request body cannot be read"),
    "csrf_failed": gettext_lazy("The request lacks its CSRF token"),
    "rate_limited": gettext_lazy("Too many requests"),
    "busy": gettext_lazy("The site is busy"),
    "database_unavailable": gettext_lazy("The database cannot be reached"),
    "event_log_unavailable": gettext_lazy("The event log cannot be reached"),
    "cache_unavailable": gettext_lazy("A service the site uses cannot be reached"),
}
STATUS_TITLES = {
    400: gettext_lazy("Bad request"), 401: gettext_lazy("Not signed in"), 403: gettext_lazy("Not allowed"),
    404: gettext_lazy("Not found"), 405: gettext_lazy("Method not allowed"),
    409: gettext_lazy("Conflicts with the current state"),
    410: gettext_lazy("No longer available"), 413: gettext_lazy("Too large"),
    422: gettext_lazy("The request cannot be carried out"), 429: gettext_lazy("Too many requests"),
    500: gettext_lazy("Something went wrong on our side"), 503: gettext_lazy("Temporarily unavailable"),
}


def is_api(path: str) -> bool:
    """Whether ``path`` is the API's (``/api/…``), whose errors are problem documents, not pages."""
    return path == "/api" or path.startswith("/api/")


def problem_title(status: int, code: str) -> str:
    """A problem's ``title`` in the active language (the request's: ``Accept-Language``, else the site's)."""
    return str(TITLES.get(code) or STATUS_TITLES.get(status) or code.replace("_", " "))


def problem(request: HttpRequest, status: int, code: str, detail: Callable[[], str], *,
            title: str | None = None, extra: dict | None = None) -> HttpResponse:
    """An RFC 9457 problem document: ``type`` and ``code`` stable English identifiers, ``title`` and ``detail``
    for a person in the active language.

    ``detail`` is a function that words it in the active language: it is called once for the response and once
    in English for the server log (``pingan.core.request_log``), whose lines are the operator's, the same
    whatever language each client asked for."""
    from ninja.responses import NinjaJSONEncoder

    with translation.override("en"):
        note_reason(request, f"{code}: {detail()}")
    body = {k: v for k, v in (extra or {}).items() if k not in PROBLEM_MEMBERS}
    body.update({"type": f"https://pingan.invalid/problems/{code}",
                 "title": title if title is not None else problem_title(status, code), "status": status,
                 "detail": detail(), "code": code})
    return HttpResponse(json.dumps(body, cls=NinjaJSONEncoder), status=status,
                        content_type="application/problem+json")


def in_request_language(request: HttpRequest, make: Callable[[], HttpResponse]) -> HttpResponse:
    """``make()`` under the request's language, also where the failure came before ``LocaleMiddleware`` chose
    it (a session that could not be loaded: the database busy)."""
    with translation.override(translation.get_language_from_request(request)):
        return make()


#: Django's error handlers' problems for ``/api/…`` (``core.errorpages``): status → (code, detail).
ERRORS: dict[int, tuple[str, Callable[[], str]]] = {
    400: ("bad_request", lambda: gettext("The request cannot be read.")),
    403: ("permission_denied", lambda: gettext("Your account may not do this.")),
    404: ("not_found", lambda: gettext("There is no API operation at this address: the operations are listed "
                                       "at /api/docs (OpenAPI document: /api/openapi.json).")),
    500: ("server_error", lambda: gettext("The server could not complete the request; the error was logged. "
                                          "Try again in a moment.")),
    503: ("busy", lambda: gettext("Another task is writing a large amount of data (an import or a screening), "
                                  "so this request could not be saved just now. Nothing was lost: wait a "
                                  "minute and try again.")),
}

#: The other 503s (``core.unavailable``): a service the site depends on is down. Each says whether anything was
#: kept: the request was not carried out, and sending it again is safe.
UNAVAILABLE: dict[str, Callable[[], str]] = {
    "database_unavailable": lambda: gettext("The database cannot be reached just now, so this request was not "
                                            "carried out and nothing was changed. Try again in a minute."),
    "event_log_unavailable": lambda: gettext("The event log cannot be reached just now, so none of this "
                                             "request's events was accepted: nothing was stored. Send the same "
                                             "events again in a minute (an event sent twice is kept once)."),
    "cache_unavailable": lambda: gettext("A service the site uses cannot be reached just now, so this request "
                                         "was not carried out. Try again in a minute."),
}


def error_problem(request: HttpRequest, status: int, code: str | None = None) -> HttpResponse:
    """The problem document a Django error handler answers for an API request with ``status`` (a 503's ``code``:
    which service is unavailable, :data:`UNAVAILABLE`; ``busy`` by default)."""
    if code in UNAVAILABLE:
        detail = UNAVAILABLE[code]
    else:
        code, detail = ERRORS[status]
    return in_request_language(request, lambda: problem(request, status, code, detail))


def csrf_problem(request: HttpRequest) -> HttpResponse:
    """A session request to the API refused by Django's CSRF check (ninja's own check words it the same)."""
    return in_request_language(request, lambda: problem(request, 403, "csrf_failed", csrf_detail))


def csrf_detail() -> str:
    return gettext("A signed-in session's request must carry its CSRF token (the X-CSRFToken header); "
                   "programs use an API token instead.")


def method_not_allowed(request: HttpRequest, allowed: str) -> HttpResponse:
    """The problem document for an API request asked with a method its operation does not take (``Allow`` set)."""

    def detail() -> str:
        return gettext("This operation does not take %(method)s; it takes %(allowed)s.") % {
            "method": request.method, "allowed": allowed}

    refused = problem(request, 405, "method_not_allowed", detail)
    refused["Allow"] = allowed
    return refused
