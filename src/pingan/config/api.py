"""The HTTP API: wiring only. Versioned under ``/api/v1/``; OpenAPI 3 at ``/api/openapi.json``.

Errors are RFC 9457 problem details (``application/problem+json``); each handler keeps the detail on the
request, so the server log gets one line for it (``pingan.core.request_log``) instead of a bare status.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.translation import gettext, gettext_lazy
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.responses import NinjaJSONEncoder

from pingan.alerts.api import router as alerts_router
from pingan.antifraud.api import router as antifraud_router
from pingan.citizen.api import router as citizen_router
from pingan.codes.api import router as codes_router
from pingan.core import problems
from pingan.core.api import router as core_router
from pingan.core.apiutil import declare_errors
from pingan.core.auth import api_auth, fixed_purposes
from pingan.core.error_messages import page_message
from pingan.core.errors import DomainError
from pingan.core.problems import problem_title
from pingan.dispatch.api import router as dispatch_router
from pingan.evidence.api import router as evidence_router
from pingan.screening.api import router as screening_router
from pingan.stats.api import router as stats_router

# Swagger UI from the assets django-ninja ships ("ninja" in INSTALLED_APPS), never a CDN; no call to the public
# validator badge (validator.swagger.io) either, so /api/docs works on a network without internet.


class FramedSwagger(Swagger):
    """Swagger UI in the site's frame (``templates/api_docs.html``): the header, the language menu and the
    account, a way back home, and the page's title and introduction in the viewer's language — Swagger UI has no
    translations of its own, so the operations stay in English, as the API's names are (issue 11: the bare
    English page had no way back)."""

    template = "api_docs.html"


class PinganAPI(NinjaAPI):
    """The API, whose OpenAPI document declares every operation's error responses (``core.apiutil``)."""

    def get_openapi_schema(self, *args, **kwargs):
        throttled = {op.operation_id or self.get_openapi_operation_id(op)
                     for bound in self._get_bound_routers() for view in bound.path_operations.values()
                     for op in view.operations if op.throttle_objects}
        return declare_errors(super().get_openapi_schema(*args, **kwargs), throttled=throttled)


# docExpansion "none" draws the tags (one per app) folded and defaultModelsExpandDepth -1 leaves out the schema
# models' section: drawn open, the ~350 KB document made 7,211 DOM nodes and cost chromium 3.5-3.7 s of script;
# folded, ~220 nodes and 1.0-2.4 s (bench/api_docs_bench.py; figures and load in docs/web.md).
api = PinganAPI(title="pingan API", version="1", description="pingan (平安) smart-policing data platform",
                auth=api_auth, urls_namespace="api",
                docs=FramedSwagger(settings={"validatorUrl": None, "docExpansion": "none",
                                             "defaultModelsExpandDepth": -1}))

_DOCUMENTS: dict[str, tuple[bytes, bytes, str]] = {}


def source_fingerprint() -> str:
    """What the OpenAPI document is built from, as a hex digest: pingan's Python source and compiled catalogues
    (the routers, schemas, models' choices and the descriptions' translations) and the versions of Django,
    django-ninja and pydantic. A document kept on disk under it is the one this code builds (~20 ms to compute,
    where building takes 1–2.5 s)."""
    import hashlib
    from importlib.metadata import version
    from pathlib import Path

    import pingan

    root = Path(pingan.__file__).parent
    digest = hashlib.sha256("|".join(version(p) for p in ("django", "django-ninja", "pydantic")).encode())
    for path in sorted([*root.rglob("*.py"), *root.rglob("*.mo")]):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


_FINGERPRINT: list[str] = []


def _cached_document(lang: str) -> bytes:
    """The document in ``lang``, from ``DATA_DIR/cache`` when this code built it before (a restarted server's
    first /api/docs waited 1–2.5 s for it: issue 11), else built and kept there (best effort: a read-only data
    directory only costs the build)."""
    import gzip
    import json

    from django.conf import settings

    if not _FINGERPRINT:
        _FINGERPRINT.append(source_fingerprint())
    path = settings.DATA_DIR / "cache" / f"openapi-{lang or 'default'}-{_FINGERPRINT[0][:24]}.json.gz"
    try:
        return gzip.decompress(path.read_bytes())
    except (OSError, EOFError, gzip.BadGzipFile):
        pass
    body = json.dumps(api.get_openapi_schema(), ensure_ascii=False, cls=NinjaJSONEncoder).encode()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob(f"openapi-{lang or 'default'}-*.json.gz"):
            old.unlink(missing_ok=True)  # an older build's
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(gzip.compress(body, 6, mtime=0))
        tmp.replace(path)
    except OSError:
        pass
    return body


def openapi_document(request: HttpRequest) -> HttpResponse:
    """``/api/openapi.json``, built once per process and language (it was built again for every request:
    ~1–2.5 s of server time for the docs page to wait on) and kept on disk for the next process
    (:func:`_cached_document`), gzip-compressed when the client accepts it (353 KB → ~40 KB), with an ETag so
    that a reload revalidates in one round trip (304)."""
    import gzip
    import hashlib

    from django.utils.cache import patch_vary_headers
    from django.utils.translation import get_language

    lang = get_language() or ""
    if lang not in _DOCUMENTS:
        body = _cached_document(lang)
        _DOCUMENTS[lang] = (body, gzip.compress(body, 6, mtime=0), f'"{hashlib.sha256(body).hexdigest()[:32]}"')
    body, packed, etag = _DOCUMENTS[lang]
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
    elif "gzip" in request.headers.get("Accept-Encoding", ""):
        response = HttpResponse(packed, content_type="application/json")
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"  # always revalidated: a new release's document is seen at once
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


def problem(request: HttpRequest, status: int, title: str, detail: Callable[[], str], code: str,
            extra: dict | None = None):
    """An RFC 9457 problem document (:func:`pingan.core.problems.problem`) for an operation's error."""
    return problems.problem(request, status, code, detail, title=title, extra=extra)


@api.exception_handler(DomainError)
def _domain_error(request, exc: DomainError):
    # in English the API's own message (it names the endpoints to call: "poll GET /api/v1/jobs/12"); in another
    # language the message pages show (core.error_messages), the English one where no page wording exists
    from pingan.core.texts import lang

    def detail() -> str:
        return exc.message if lang(when_none="en") == "en" else page_message(exc)

    response = problem(request, exc.status, problem_title(exc.status, exc.code), detail, exc.code, exc.extra)
    if exc.status in (429, 503) and "retry_after" in (exc.extra or {}):
        response["Retry-After"] = str(exc.extra["retry_after"])  # RFC 9110 §10.2.3
    return response


@api.exception_handler(AuthenticationError)
def _auth_error(request, exc):
    return problem(request, 401, problem_title(401, "unauthorised"),
                   lambda: gettext("A valid API token (Authorization: Bearer …) or a signed-in session is required."),
                   "unauthorised")


#: Codes of ninja's own HTTP errors: the CSRF check of session requests, the rate throttles, a body that is
#: not the JSON or form it claims to be.
_HTTP_ERROR_CODES = {403: "csrf_failed", 429: "rate_limited", 400: "bad_request"}


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    code = _HTTP_ERROR_CODES.get(exc.status_code, f"http_{exc.status_code}")
    if exc.status_code == 400 and str(exc.message).startswith("Cannot parse request body"):
        detail, extra = _unreadable_body(request)
    else:
        extra = None

        def detail() -> str:
            if code == "csrf_failed":
                return problems.csrf_detail()
            if code == "rate_limited":
                return gettext("Too many requests from this client: wait a minute and try again.")
            return str(exc.message)

    response = problem(request, exc.status_code, problem_title(exc.status_code, code), detail, code, extra)
    if isinstance(exc, Throttled) and exc.wait:
        response["Retry-After"] = str(int(exc.wait))  # RFC 9110 §10.2.3: how long to wait before asking again
    return response


@api.exception_handler(Http404)
def _not_found(request, exc: Http404):
    # ninja's own answer was the JSON {"detail": "Not Found"}, not a problem document
    return problem(request, 404, problem_title(404, "not_found"),
                   lambda: gettext("Not found, or your account may not see it."), "not_found")


@api.exception_handler(PermissionDenied)
def _permission_denied(request, exc: PermissionDenied):
    # ninja passed it on to Django, whose 403 page is HTML
    return problem(request, 403, problem_title(403, "permission_denied"),
                   lambda: gettext("Your account may not do this."), "permission_denied")


def _unreadable_body(request: HttpRequest) -> tuple[Callable[[], str], dict]:
    """Why ninja could not parse the body, said for a person, with where it went wrong: a JSON body's line and
    column (issue 11: "Cannot parse request body" gave no position). ``(detail, extra members)``, the detail
    a function that words it in the active language (:func:`problem`), so the body is parsed once."""
    import json

    try:
        json.loads(request.body)
    except UnicodeDecodeError:
        return lambda: gettext("The request body is not UTF-8 text."), {}
    except json.JSONDecodeError as err:
        # the decoder's own words ("Expecting ',' delimiter") are English: the position says where to look
        where = {"line": err.lineno, "column": err.colno}

        def detail() -> str:
            return (gettext("The request body is not valid JSON: it goes wrong at line %(line)s, column %(column)s.")
                    % where)

        return detail, dict(where)
    except ValueError:
        pass
    return lambda: gettext("The request body cannot be read as the JSON or form data its Content-Type names."), {}


#: What a validation error's ``type`` (pydantic's) says about a field, in the request's language.
VALIDATION_WORDS = {
    "missing": gettext_lazy("is required"),
    "string_type": gettext_lazy("must be text"),
    "int_type": gettext_lazy("must be a whole number"),
    "int_parsing": gettext_lazy("must be a whole number"),
    "float_type": gettext_lazy("must be a number"),
    "float_parsing": gettext_lazy("must be a number"),
    "bool_type": gettext_lazy("must be true or false"),
    "bool_parsing": gettext_lazy("must be true or false"),
    "string_too_long": gettext_lazy("is too long"),
    "string_too_short": gettext_lazy("is too short"),
    "literal_error": gettext_lazy("is not one of the allowed values"),
    "enum": gettext_lazy("is not one of the allowed values"),
    "datetime_parsing": gettext_lazy("must be a date and time (ISO 8601)"),
    "date_parsing": gettext_lazy("must be a date (YYYY-MM-DD)"),
    "extra_forbidden": gettext_lazy("is not a field of this request"),
    "list_type": gettext_lazy("must be a list"),
    "dict_type": gettext_lazy("must be an object"),
    "model_attributes_type": gettext_lazy("must be an object"),
}


def _validation_detail(errors: list[dict]) -> str:
    """Each failing field and what is wrong with it, in the request's language: "body.name：必填；…" /
    "body.name: is required; …" (issue 11: the detail said only that the request did not match; pydantic's own
    ``msg``, "Field required", stays in ``errors`` for programs)."""
    from pingan.core import texts

    parts = []
    for e in errors[:10]:
        where = ".".join(str(x) for x in e.get("loc", ()) if x != "payload") or "body"
        said = VALIDATION_WORDS.get(e.get("type", ""))
        parts.append(texts.labelled(where, str(said) if said is not None else e.get("msg", "")))
    more = len(errors) - len(parts)
    if more > 0:
        parts.append(gettext("%(n)s more in errors") % {"n": more})
    return texts.labelled(gettext("The request does not match the API"), texts.separated(parts))


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    return problem(request, 422, problem_title(422, "invalid_request"), lambda: _validation_detail(exc.errors),
                   "invalid_request", {"errors": exc.errors})


# each router's endpoints record under the purpose its app's actions fix, if any (core.auth.fixed_purposes)
for _router in (core_router, screening_router, codes_router, alerts_router, stats_router, antifraud_router,
                dispatch_router, citizen_router, evidence_router):
    api.add_router("/v1/", fixed_purposes(_router))
