"""Request bodies over the limit are refused before they are read (issue 12: a 200 MB upload was read
whole, to disk, before the 20 MB roster limit applied).

:class:`UploadLimitMiddleware` answers ``413 Content Too Large`` (RFC 9110 §15.5.14) from the request's
``Content-Length`` alone, so nothing of such a body is read or stored; Django reads at most
``Content-Length`` bytes of any body, so a body cannot be longer than the header says. The limit is
the file limit, ``PINGAN_MAX_UPLOAD_BYTES`` (default 20 MiB: :func:`upload_limit`), plus
:data:`FORM_ALLOWANCE` (1 MiB) for the rest of a multipart form (:func:`request_limit`).

**One limit, one unit.** The file limit has one source, the setting, and every place that states it — this
413 page, the upload form's hint and its error, the API's errors, the docs — says it in MiB (2^20 bytes) with
:func:`mib` ("20 MiB"; a page showed "21.0 MB", the request limit in MiB called MB, while the docs said
20 MB). The API answers a problem document (``upload_too_large``, with ``limit``: the file limit in bytes,
``limit_mib``, and ``size``), pages a page saying the limit. A proxy or WSGI server in front should refuse
such bodies too (nginx ``client_max_body_size``, waitress ``max_request_body_size``): they read the body
before Django sees the request.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext

from pingan.core import problems, texts
from pingan.core.request_log import note_reason

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


MIB = 2**20
#: What a multipart form may add to the file it carries (field names, boundaries, the other fields).
FORM_ALLOWANCE = MIB


def upload_limit() -> int:
    """The largest file an upload may carry, in bytes (``PINGAN["MAX_UPLOAD_BYTES"]``)."""
    return settings.PINGAN["MAX_UPLOAD_BYTES"]


def request_limit() -> int:
    """The largest request body, in bytes: :func:`upload_limit` plus :data:`FORM_ALLOWANCE`."""
    return upload_limit() + FORM_ALLOWANCE


def mib(n: int) -> str:
    """Bytes as MiB the way pingan states sizes: whole numbers without decimals (``20``), others with one
    (``25.3``), thousands separated (``1,024``)."""
    value = n / MIB
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"



#: What the API's refusal of a file over the limit advises (English, for programs: pages say it in the reader's
#: language). Not "split the roster": each upload replaces the premises' roster, so a part leaves people out.
TOO_LARGE_ADVICE = ("upload the whole roster as one smaller file (XLSX, no extra columns): each upload replaces "
                    "the roster before it, so a part would leave people out")


class UploadLimitMiddleware:
    """Refuse a request whose declared body exceeds :func:`request_limit`. Placed after
    the authentication middleware (its page has the user and the language) and before anything reads the
    body (CSRF does, in ``process_view``, after every middleware's ``__call__``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in _BODY_METHODS:
            limit = request_limit()
            try:
                size = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                size = 0
            if size > limit:
                return self.refuse(request, size, limit)
        return self.get_response(request)

    def refuse(self, request: HttpRequest, size: int, limit: int) -> HttpResponse:
        files = upload_limit()
        detail = (f"the upload is {mib(size)} MiB ({size:,} bytes); files of at most {mib(files)} MiB are "
                  f"accepted: {TOO_LARGE_ADVICE}")
        note_reason(request, f"upload_too_large: {detail}")
        if problems.is_api(request.path):
            # in the request's language, as the page says it (it was English whatever the client asked for)
            def said() -> str:
                gap = " " if texts.lang() == "en" else ""  # Chinese sentences follow one another without a space
                return gap.join((
                    gettext("The upload is %(size_mib)s MiB; files of at most %(limit_mib)s MiB are accepted. "
                            "Nothing of it was kept.") % {"size_mib": mib(size), "limit_mib": mib(files)},
                    gettext("A screening takes the whole roster of the premises in one file: each upload replaces "
                            "the roster before it, so do not split it — the people of the other parts would be "
                            "missing from the latest roster.")))

            response = problems.problem(request, 413, "upload_too_large", said,
                                        title=gettext("The file is too large"),
                                        extra={"limit": files, "limit_mib": files // MIB, "size": size})
        else:
            response = TemplateResponse(request, "core/upload_too_large.html",
                                        {"size_mib": mib(size), "limit_mib": mib(files),
                                         "back": request.path}, status=413).render()
        # (the unread body: the WSGI server drains it or closes the connection; an application may not set
        # Connection itself, PEP 3333)
        return response


class ASGIBodyLimit:
    """The same limit under an ASGI server (``pingan serve``: uvicorn), where Django's ``ASGIHandler`` reads the
    whole body into a temporary file *before* any middleware runs — a 200 MB upload was still spooled to disk.

    Wraps the ASGI application. A body-carrying request whose ``Content-Length`` is over the limit reaches
    Django with an empty body stream: nothing of it is read from the socket, and
    :class:`UploadLimitMiddleware` answers it from the header as under WSGI (the page, or the problem
    document). A body without a length (``Transfer-Encoding: chunked``) is counted as Django reads it; past
    the limit this answers 413 itself (a problem document under ``/api/``, plain text elsewhere) and tells
    Django the client went away, so at most the limit plus one chunk is ever read.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope.get("type") != "http" or scope.get("method") not in _BODY_METHODS:
            return await self.app(scope, receive, send)
        limit = request_limit()
        length = None
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    length = int(value)
                except ValueError:
                    length = None
        if length is not None and length > limit:
            return await self.app(scope, _empty_body(), send)
        if length is None:
            return await self.app(scope, _counting(scope, receive, send, limit), send)
        return await self.app(scope, receive, send)


def _empty_body():
    """A ``receive`` that ends the body at once and then waits (Django cancels its disconnect listener when
    the response is sent); the client's body is never read."""
    import asyncio

    sent = False

    async def receive():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()

    return receive


def _counting(scope, receive, send, limit: int):
    seen, refused = 0, False

    async def counting():
        nonlocal seen, refused
        if refused:
            return {"type": "http.disconnect"}
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                refused = True
                await _refuse_asgi(scope, send, seen, limit)
                return {"type": "http.disconnect"}
        return message

    return counting


def _scope_request(scope) -> HttpRequest:
    """A bare request carrying what chooses the language of an ASGI scope (path, ``Accept-Language``, the
    language cookie): the refusal below is sent before Django builds one."""
    from http.cookies import SimpleCookie

    request = HttpRequest()
    request.path = request.path_info = scope.get("path", "")
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
    if "accept-language" in headers:
        request.META["HTTP_ACCEPT_LANGUAGE"] = headers["accept-language"]
    cookie = SimpleCookie()
    cookie.load(headers.get("cookie", ""))
    request.COOKIES = {k: m.value for k, m in cookie.items()}
    return request


async def _refuse_asgi(scope, send, seen: int, limit: int) -> None:
    from django.utils import translation

    files = upload_limit()
    request = _scope_request(scope)

    def said() -> str:  # in the request's language, as the page and the API say it (never both side by side)
        return gettext("The upload is more than %(limit_mib)s MiB, the largest file accepted; %(read)s bytes were "
                       "read before it was refused. Nothing of it was kept.") % {
            "limit_mib": mib(files), "read": f"{seen:,}"}

    with translation.override(translation.get_language_from_request(request)):
        if problems.is_api(request.path):
            body = problems.problem(request, 413, "upload_too_large", said, title=gettext("The file is too large"),
                                    extra={"limit": files, "limit_mib": files // MIB}).content
            ctype = b"application/problem+json"
        else:
            body = f"{gettext('The file is too large')}\n{said()}\n".encode()
            ctype = b"text/plain; charset=utf-8"
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", ctype), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
