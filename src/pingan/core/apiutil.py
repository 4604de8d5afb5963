"""Shared pieces of every app's API: bounded pagination, and the error responses each operation declares.

**Pagination.** :class:`Pagination` is ninja's ``LimitOffsetPagination`` with ``offset`` bounded by what a
database ``OFFSET`` holds (PostgreSQL ``bigint``, 2^63 − 1): a larger one answers 422, not a 500 from the
database. Use it as ``@paginate(Pagination)``.

**Declared errors.** Every operation's OpenAPI entry lists the problem responses it can give
(:func:`declare_errors`, applied to the whole document by ``config.api``), derived from the operation:

* 400 ``bad_request`` — every operation: text with a NUL or an unpaired surrogate (``core.middleware``),
  malformed JSON, an unknown ``X-Purpose``;
* 401 ``unauthorised`` and 403 (``permission_denied``, ``purpose_required``, ``csrf_failed``) — every
  operation that needs an account;
* 404 ``not_found`` — every operation with a path parameter (the object does not exist or the caller may not
  see it) and every operation that needs an account (a record the caller may not see);
* 413 ``upload_too_large`` — every operation with a body (``core.uploads``);
* 422 ``invalid_request`` — every operation with parameters or a body;
* 429 ``rate_limited`` — every operation a ninja throttle guards;
* 503 ``busy`` with ``Retry-After`` — every operation: each reads the database (the account, the session, the
  audit trail), and while the embedded database is held by another process's long write (an import, a
  screening) the request is answered 503 to be sent again (``core.errorpages``; issue 11: the document declared
  no 503, though the API answered it); so is one while a service it depends on is down (``core.unavailable``:
  ``database_unavailable``, ``event_log_unavailable``, ``cache_unavailable``);

and what an operation adds itself with ``openapi_extra={"responses": problems({409: "…"})}``.
"""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

#: The largest ``OFFSET`` a PostgreSQL query takes (``bigint``).
MAX_OFFSET = 2**63 - 1


class Pagination(LimitOffsetPagination):
    """``limit`` (1 to ``NINJA_PAGINATION_MAX_LIMIT``) and ``offset`` (0 to 2^63 − 1); 422 outside."""

    class Input(LimitOffsetPagination.Input):
        offset: int = Field(0, ge=0, le=MAX_OFFSET)


class ProblemOut(Schema):
    """An RFC 9457 problem document: ``code`` is stable and what clients branch on; ``detail`` is English
    for people; some problems add members (``errors``, ``limit_per_minute``, ``purged_at``, …)."""

    type: str
    title: str
    status: int
    detail: str
    code: str


PROBLEM_REF = {"$ref": "#/components/schemas/ProblemOut"}

#: What each generic status means, for the document.
STATUS_TEXT = {
    400: "bad request (`bad_request`: a NUL or unpaired surrogate in the text, malformed JSON; `bad_purpose`)",
    401: "no valid API token or session (`unauthorised`)",
    403: "the account may not do this (`permission_denied`; `purpose_required`: a police account without a "
         "purpose of use; `csrf_failed`: a session request without its CSRF token)",
    404: "not found, or the caller may not see it (`not_found`)",
    422: "the request does not match the schema (`invalid_request`, with `errors`)",
    413: "the upload is over the file limit, `PINGAN_MAX_UPLOAD_BYTES` (20 MiB; the body may carry 1 MiB more of "
         "form) (`upload_too_large`, with `limit` in bytes, `limit_mib` and `size`)",
    429: "too many requests (`rate_limited`)",
    503: "the database is busy with another process's long write, an import or a screening (`busy`), or a "
         "service the site depends on cannot be reached — the database (`database_unavailable`), the NATS event "
         "log (`event_log_unavailable`: none of the request's events was accepted), the Redis cache "
         "(`cache_unavailable`): nothing was done; send the request again after `Retry-After` seconds",
}

#: The response headers a problem of a status carries (RFC 9110 §10.2.3: when to try again).
STATUS_HEADERS = {
    503: {"Retry-After": {"description": "seconds to wait before trying again", "schema": {"type": "integer"}}},
}


def problems(statuses: dict[int, str] | list[int]) -> dict[int, dict]:
    """OpenAPI responses for ``statuses`` (a list of codes, or codes → descriptions), as problem documents."""
    items = statuses.items() if isinstance(statuses, dict) else ((s, STATUS_TEXT.get(s, "")) for s in statuses)
    return {status: {"description": text or STATUS_TEXT.get(status, "error"),
                     "content": {"application/problem+json": {"schema": PROBLEM_REF}},
                     **({"headers": STATUS_HEADERS[status]} if status in STATUS_HEADERS else {})}
            for status, text in items}


def declare_errors(schema: dict[str, Any], *, throttled: set[str] = frozenset()) -> dict[str, Any]:
    """Add to every operation of an OpenAPI ``schema`` the problem responses it can give (module docstring);
    ``throttled``: the operation ids that a rate throttle guards (429)."""
    schema.setdefault("components", {}).setdefault("schemas", {})["ProblemOut"] = ProblemOut.json_schema()
    for item in schema.get("paths", {}).values():
        for method, op in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            statuses = [400, 503]
            params = op.get("parameters", [])
            authenticated = bool(op.get("security"))
            if authenticated:
                statuses += [401, 403, 404]
            if any(p.get("in") == "path" for p in params):
                statuses.append(404)
            if params or op.get("requestBody"):
                statuses.append(422)
            if op.get("requestBody"):
                statuses.append(413)
            if op.get("operationId") in throttled:
                statuses.append(429)
            responses = op["responses"] = {str(k): v for k, v in op.get("responses", {}).items()}
            for status, response in problems(sorted(set(statuses))).items():
                responses.setdefault(str(status), response)
    return schema
