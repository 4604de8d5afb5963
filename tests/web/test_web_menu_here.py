"""Every page names its section on the phone's menu button (issue 11: the officer's code page at 375 px read
"☰ 菜单" — "Menu" — instead of the section it belongs to; before that the dispatch pages and a landlord's
premises pages). Each role opens every page of the site without arguments and the pages of one premises,
screening and person; a page that shows the frame's menu must name a section there, not "Menu"."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import translation
from web_support import sign_in

from pingan.core.models import Role

pytestmark = pytest.mark.django_db

#: Pages that are not a section's: the home page, sign-in, the account's own pages, the police's declaration of
#: purpose (the gate before their pages), the public pages anyone opens (the verification page, the citizens'
#: service catalogue, which is a section of the citizen's only).
OUTSIDE = re.compile(r"^/($|login/|logout/|password|account/|i18n/|api/|verify/|\.well-known/|favicon|register|"
                     r"signup|purpose/|citizen/)")
#: Pages a role may open that belong to none of its sections: none (issue 11's trial: the plain premises list
#: answered an auditor and a dispatcher, who have no premises to see, with an empty list under "☰ 菜单"; it is
#: now for the police and the owners only).
NO_SECTION: dict[str, re.Pattern] = {}


def _paths(resolver=None, prefix: str = ""):
    for p in (resolver or get_resolver()).url_patterns:
        route = str(p.pattern)
        if isinstance(p, URLResolver):
            yield from _paths(p, prefix + route)
        elif isinstance(p, URLPattern) and not p.pattern.converters and "<" not in route and "(" not in route \
                and not route.endswith((".js", ".json", ".pdf", ".csv", ".xlsx", ".webmanifest", ".svg", ".png")):
            yield "/" + prefix + route.lstrip("^").rstrip("$")


@pytest.fixture
def pages(cast):
    from web_support import make_job

    job = make_job(cast.landlord_a, cast.premises_a, "menu")
    person = job.persons.filter(status="accepted").first()
    return sorted({p for p in _paths() if not OUTSIDE.match(p)} | {
        f"/codes/premises/{cast.premises_a.pk}/", f"/screening/jobs/{job.pk}/",
        f"/police/premises/{cast.premises_a.pk}/", f"/police/persons/{person.pk}/", f"/premises/{cast.premises_a.pk}/"})


@pytest.mark.parametrize("role", ["officer", "station_chief", "analyst", "landlord", "auditor", "dispatcher"])
def test_every_page_names_its_section_on_the_phone_menu(client, cast, pages, role):
    from pingan.core.models import OrgUnit
    from pingan.core.services import user_create

    user = {"officer": cast.officer_a, "station_chief": cast.chief_a, "analyst": cast.analyst,
            "landlord": cast.landlord_a, "auditor": cast.auditor}.get(role) or user_create(
        username="menu_dispatcher", password=None, role=Role.DISPATCHER,
        unit=OrgUnit.objects.get(code="350200-ZH"), display_name="menu_dispatcher")
    sign_in(client, user, purpose="jurisdiction_management")
    with translation.override("zh-hans"):
        generic = translation.gettext("Menu")
    unnamed = []
    for path in pages:
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans")
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        here = re.search(r'<span class="menu-here">(.*?)</span>', response.content.decode())
        if here and here.group(1) == generic and not (role in NO_SECTION and NO_SECTION[role].match(path)):
            unnamed.append(path)
    assert unnamed == [], " ".join(unnamed)


@pytest.mark.parametrize("role", ["auditor", "dispatcher", "admin"])
def test_the_premises_pages_are_for_those_who_have_premises_to_see(client, cast, role):
    """An auditor, a dispatcher or an administrator sees no premises (``core.scoping``): /premises/ answered
    them "辖区内暂无场所" under a menu button naming no section; now the site's 403 page, which says the page
    is not for their role."""
    from pingan.core.models import OrgUnit
    from pingan.core.services import user_create

    user = {"auditor": cast.auditor, "admin": cast.admin}.get(role) or user_create(
        username="menu_dispatcher", password=None, role=Role.DISPATCHER,
        unit=OrgUnit.objects.get(code="350200-ZH"), display_name="menu_dispatcher")
    sign_in(client, user)
    for path in ("/premises/", f"/premises/{cast.premises_a.pk}/"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "辖区内暂无场所" not in response.content.decode()
    sign_in(client, cast.officer_a, purpose="jurisdiction_management")
    assert client.get("/premises/").status_code == 200
