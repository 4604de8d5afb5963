"""A file a person downloads, named so they recognise it — what it is, of what or where, and the date
(``lib.filenames.download_name``), never an id or a hash (issue 11: ``operation-3-review.pdf``,
``order-12.pdf``, ``3f2a9c0d1e2b4a5c.bin``) — with its ``Content-Disposition`` said the RFC 6266 way: an ASCII
``filename`` (the name in pinyin) and RFC 5987's ``filename*`` for the Chinese name
(``lib.filenames.content_disposition``). Every download of pages and API goes through :func:`file_response`
(``tests/core/test_download_names.py`` fails on a ``Content-Disposition`` set anywhere else).
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.utils import timezone

from pingan.lib.filenames import content_disposition, download_name

__all__ = ["day", "download_name", "file_response"]


def file_response(data: bytes | str, content_type: str, name: str, *, inline: bool = False) -> HttpResponse:
    """``data`` as a download named ``name`` (``inline``: shown in the browser, ``name`` when saved)."""
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition(name, inline=inline)
    return response


def day(at: dt.datetime | dt.date | None = None) -> str:
    """The local date of ``at`` (now when ``None``) as a file name gives it: ``2026-12-07``."""
    if at is None:
        return timezone.localdate().isoformat()
    if isinstance(at, dt.datetime):
        return timezone.localdate(at).isoformat() if timezone.is_aware(at) else at.date().isoformat()
    return at.isoformat()
