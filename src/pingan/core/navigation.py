"""The site's sections and home panels, registered by each app (core knows no app above it).

Every app adds its pages to the header's navigation and, optionally, a panel to the home page, from its
``AppConfig.ready()``::

    from pingan.core import navigation
    navigation.register(navigation.Section(
        key="alerts", label=_("Alerts"), url_name="alerts:home", roles={"officer", "dispatcher"}, order=40))
    navigation.register_panel(navigation.Panel(
        key="alerts", template="alerts/partials/home_panel.html", roles={"dispatcher"}, order=40,
        context=lambda request: {"open": alerts_selectors.open_count(actor=request.user)}))

``roles`` is who sees the entry (least privilege: a role not named sees nothing). The header shows the
sections of the signed-in user in ``order`` (the current one marked), the home page the panels; a panel's
``context`` is called only for a user of its roles and may return ``None`` to leave the panel out.

A section with ``group`` (another section's key) is listed under that section in the header, in a menu that
opens from it, so that an analyst's dozen sections fit one row at 1280 px (they overflowed as a sideways
scrolling strip); when the user cannot see the group's own section, it stands on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class Section:
    """One entry of the header's navigation.

    ``label`` is a lazy translation (short: it shares a phone's width with the others); ``url_name`` a
    name ``reverse()`` resolves without arguments; ``prefix`` the path prefix under which the section is
    the current one (default: its own URL), ``also`` more such prefixes (a section whose pages live under two
    paths: a landlord's premises pages are under /screening/ and /premises/); ``roles`` the roles that see
    it; ``description`` one line for the section's card on the home page.
    """

    key: str
    label: Any
    url_name: str
    roles: Collection[str]
    order: int = 100
    prefix: str | None = None
    description: Any = ""
    group: str | None = None
    also: tuple[str, ...] = ()


@dataclass(frozen=True)
class Panel:
    """One panel of the home page: a template rendered with ``context(request)`` for users of ``roles``."""

    key: str
    template: str
    roles: Collection[str]
    order: int = 100
    context: Callable[[HttpRequest], dict | None] = field(default=lambda request: {})
    #: The key of the section this panel stands for on the home page: where the panel is shown, that section's
    #: card is not (issue 11: an auditor's home showed "审计日志" twice, the panel and the section's card).
    replaces: str = ""


_SECTIONS: dict[str, Section] = {}
_PANELS: dict[str, Panel] = {}


def register(section: Section) -> None:
    """Add (or replace, by ``key``) a navigation section."""
    _SECTIONS[section.key] = section


def register_panel(panel: Panel) -> None:
    """Add (or replace, by ``key``) a home-page panel."""
    _PANELS[panel.key] = panel


def _url(section: Section) -> str | None:
    try:
        return reverse(section.url_name)
    except NoReverseMatch:  # an app whose URLs are not wired (e.g. a test settings module)
        return None


def sections_for(user, path: str = "") -> list[dict]:
    """The sections ``user`` may use, in order, as ``{"key", "label", "url", "current"}``; the current one
    is the section with the longest prefix of ``path``."""
    role = getattr(user, "role", None)
    if not getattr(user, "is_authenticated", False) or role is None:
        return []
    out = []
    for s in sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key)):
        if role not in s.roles:
            continue
        url = _url(s)
        if url is not None:
            out.append({"key": s.key, "label": s.label, "url": url, "prefix": s.prefix or url, "current": False,
                        "description": s.description, "also": s.also})

    def match(item: dict) -> int:  # the length of the item's longest prefix of path (-1: none)
        return max((len(p) for p in (item["prefix"], *item["also"])
                    if path.startswith(p) and (p != "/" or path == "/")), default=-1)

    matches = [item for item in out if match(item) >= 0]
    if matches:
        max(matches, key=match)["current"] = True
    return out


def app_root(prefix: str):
    """The view of an app's root URL (``/dispatch/``) that has no page of its own: the first section under
    ``prefix`` the user may use; the home page when there is none for them; the sign-in page, coming back
    here, when nobody is signed in (issue 11: ``/dispatch/`` was a 404)."""
    from django.contrib.auth.views import redirect_to_login
    from django.shortcuts import redirect

    def view(request: HttpRequest):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        for item in sections_for(request.user, prefix):
            if item["url"].startswith(prefix):
                return redirect(item["url"])
        return redirect("/")

    return view


def menu_for(user, path: str = "") -> list[dict]:
    """The header's entries for ``user``: :func:`sections_for`, each section with ``group`` moved into its
    group's entry as ``children`` (the group's own section first). An entry with children has ``current``
    when one of them is the current section."""
    items = sections_for(user, path)
    by_key = {item["key"]: item for item in items}
    out: list[dict] = []
    for item in items:
        parent = by_key.get(_SECTIONS[item["key"]].group or "")
        if parent is None or parent is item:
            out.append(item)
            continue
        if "children" not in parent:
            parent["children"] = [dict(parent)]
        parent["children"].append(item)
        parent["current"] = parent["current"] or item["current"]
    return out


def panels_for(request: HttpRequest) -> list[dict]:
    """The home-page panels of the request's user, in order, as ``{"key", "template", "context", "replaces"}``."""
    role = getattr(request.user, "role", None)
    out = []
    for p in sorted(_PANELS.values(), key=lambda p: (p.order, p.key)):
        if role in p.roles:
            from pingan.core import audit

            with audit.purpose_of(getattr(p.context, "__module__", "") or ""):  # an alerts panel: alert response
                ctx = p.context(request)
            if ctx is not None:
                out.append({"key": p.key, "template": p.template, "context": ctx, "replaces": p.replaces})
    return out


def context_processor(request: HttpRequest) -> dict:
    """``nav``: the header's sections for the request's user (lazy: computed when a template reads it)."""
    from django.utils.functional import SimpleLazyObject

    user = getattr(request, "user", None)
    return {"nav": SimpleLazyObject(lambda: menu_for(user, request.path))}
