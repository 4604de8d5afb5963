"""Error pages in the site's frame and the user's language, each with a way on (``config.urls`` handlers).

Django's own 403/404 pages are bare English text; these extend ``base.html`` (header, navigation,
language menu), say what happened in words a user understands, and link onwards: home (or sign-in), back,
and, for a refused page, who the user is signed in as. The request id (``X-Request-ID``) is shown so a user
can quote it to support. A 500 renders without touching the database when it can; if even that fails, a
self-contained page is returned.

A request for the API (``/api/…``) gets a problem document instead of a page, in the request's language
(``core.problems``): a program cannot read HTML, and the review found a busy database answering the API the 503
page.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

from pingan.core import problems
from pingan.core.unavailable import RETRY_AFTER_S, unavailable

log = logging.getLogger(__name__)


def _render(request: HttpRequest, status: int, **extra) -> HttpResponse:
    if problems.is_api(request.path):
        return problems.error_problem(request, status, extra.get("code"))
    ctx = {"status": status, "request_id": getattr(request, "request_id", ""), **extra}
    return HttpResponse(loader.render_to_string(f"{status}.html", ctx, request), status=status)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return _render(request, 404)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return _render(request, 403)


@requires_csrf_token
def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    return _render(request, 400)


def refused(request: HttpRequest, message: str) -> HttpResponse:
    """The 400 page saying why the request was refused (``message``, in the reader's language)."""
    return _render(request, 400, message=message)


def method_not_allowed(request: HttpRequest, allowed: str) -> HttpResponse:
    """A page asked with a method it does not take (a form sent to a page that only shows, an address typed for
    a button's action): the 405 page saying so, with a way on; the API's problem document for ``/api/…``. The
    ``Allow`` header lists the methods the address takes."""
    if problems.is_api(request.path):
        return problems.method_not_allowed(request, allowed)
    methods = {m.strip() for m in allowed.split(",") if m.strip()}
    ctx = {"status": 405, "request_id": getattr(request, "request_id", ""),
           "action_only": "GET" not in methods, "show_only": methods <= {"GET", "HEAD", "OPTIONS"}}
    response = HttpResponse(loader.render_to_string("405.html", ctx, request), status=405)
    response["Allow"] = allowed
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without a valid CSRF token: usually a page left open too long, or cookies blocked."""
    if problems.is_api(request.path):
        return problems.csrf_problem(request)
    return _render(request, 403, csrf=True)


_FALLBACK_500 = """<!doctype html><html lang="zh-hans"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>500 · 平安 pingan</title></head>
<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem">
<h1>出错了 · Something went wrong</h1>
<p>服务器内部错误，已记录。请稍后重试。<br>
The server could not complete the request; the error was logged. Try again later.</p>
<p><a href="/">返回首页 · Home</a></p></body></html>"""


#: How long a client is asked to wait when the embedded database is busy or a service is down (``Retry-After``,
#: seconds).
BUSY_RETRY_AFTER_S = RETRY_AFTER_S


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page in the site's frame; the bilingual fallback above if the frame itself fails.

    When what failed is the embedded SQLite database held by another process's long write (``database is
    locked`` after the busy timeout: a large import or screening — ``pingan.core.dbbusy.is_busy``), the answer is
    503 with ``Retry-After``, saying the site is busy and to try again in a minute: nothing is wrong, the request
    can simply be sent again (the fresh-user trial signed in during ``pingan stats demo``'s import and got a 500).
    The same 503 when a service the site depends on is down (``core.unavailable``): PostgreSQL unreachable, the
    NATS event log, the Redis cache — each says which and that nothing was kept; the page is drawn as no one signed
    in when the database is what is down (the account could not be read). Django calls this handler inside its
    ``except`` block, so the exception is ``sys.exc_info()``'s."""
    import sys

    exc = sys.exc_info()[1]
    code = unavailable(exc)
    status = 503 if code else 500
    if code == "database_unavailable":
        from django.contrib.auth.models import AnonymousUser

        request.user = AnonymousUser()  # the frame asks for the account: never go back to the database for it
    try:
        response = _render(request, status, **({"code": code} if code else {}))
    except Exception:  # the error may lie in the very things the frame needs (database, templates)
        log.exception("the %s page could not be rendered; answering the plain fallback", status)
        response = HttpResponse(_FALLBACK_500, status=status)
    if status == 503:
        response["Retry-After"] = str(BUSY_RETRY_AFTER_S)
    return response
