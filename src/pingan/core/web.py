"""Small page helpers shared by every app's views: where a ``next`` parameter may send the browser, the page a
form was sent from, and the police purpose-of-use redirect."""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

from pingan.core import audit
from pingan.core.models import POLICE_ROLES


def safe_next(request: HttpRequest, value: str | None, default: str = "core:home") -> str:
    """``value`` when it is a path on this site (``/police/?page=2``), else the URL of ``default``.

    Refused, and replaced by ``default``: another host (``https://evil.example/``, ``//evil.example``,
    ``/\\evil.example``), any scheme (``javascript:``, ``data:``), control characters, and anything that is not
    an absolute path. Every view that redirects to a request-supplied URL goes through this.
    """
    if value and value.startswith("/") and not value.startswith(("//", "/\\")) and value.isprintable() \
            and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()},
                                                require_https=request.is_secure()):
        return value
    return resolve_url(default)


def form_page(request: HttpRequest) -> str:
    """The page the form was on (its ``Referer``) when it is on this site, else ``/``: where a refused POST goes
    back to, and where a confirmation page's "Go back" leads."""
    referer = request.META.get("HTTP_REFERER", "")
    if url_has_allowed_host_and_scheme(referer, {request.get_host()}, require_https=request.is_secure()):
        return referer
    return "/"


def needs_purpose(request: HttpRequest) -> bool:
    """True for a police account that has not declared this session's purpose of use (or an unknown one)."""
    return request.user.role in POLICE_ROLES and request.session.get("purpose") not in audit.PURPOSES


def purpose_url(request: HttpRequest) -> str:
    """``/purpose/?next=<this page>``: where a police account declares its purpose before reading."""
    return f"/purpose/?next={quote(request.get_full_path())}"
