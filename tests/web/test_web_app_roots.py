"""Every app's root URL leads somewhere (issue 11: ``/dispatch/`` was a 404): to the app's main page for the
user's role, home when the app has none for them, the sign-in page for nobody; and the dispatch console says
why its units board is empty and what to do (issue 11: the "警力" heading had nothing under it)."""

from __future__ import annotations

import pytest
from django.urls import URLResolver, get_resolver
from web_support import sign_in

pytestmark = pytest.mark.django_db


def app_roots() -> list[str]:
    """``/<prefix>/`` of every app the site includes under a prefix of its own, and the codes' ``/codes/``."""
    roots = {"/" + str(p.pattern) for p in get_resolver().url_patterns
             if isinstance(p, URLResolver) and str(p.pattern) not in ("", "api/", "i18n/")}
    return sorted(roots | {"/codes/"})


def test_every_apps_root_answers_every_role_without_a_404(client, cast):
    assert "/dispatch/" in app_roots() and len(app_roots()) >= 8
    for user in (cast.officer_a, cast.chief_a, cast.analyst, cast.landlord_a, cast.auditor, cast.citizen):
        sign_in(client, user, purpose="jurisdiction_management")
        for root in app_roots():
            response = client.get(root)
            assert response.status_code in (200, 302, 403), (user.username, root, response.status_code)
    client.logout()
    response = client.get("/dispatch/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_dispatch_and_codes_roots_go_to_the_roles_main_page(client, cast):
    for user, root, where in ((cast.chief_a, "/dispatch/", "/dispatch/console/"),
                              (cast.officer_a, "/dispatch/", "/dispatch/terminal/"),
                              (cast.landlord_a, "/dispatch/", "/"), (cast.chief_a, "/codes/", "/codes/police/")):
        sign_in(client, user, purpose="jurisdiction_management")
        response = client.get(root)
        assert (response.status_code, response["Location"]) == (302, where), (user.username, root)


@pytest.mark.parametrize(("lang", "said"), [("zh-hans", "没有在班的巡逻警力"), ("en", "No patrol unit is on a shift")])
def test_the_console_says_why_no_unit_is_on_its_board(client, cast, lang, said):
    sign_in(client, cast.chief_a, purpose="jurisdiction_management")
    client.cookies["django_language"] = lang
    html = client.get("/dispatch/console/").content.decode()
    empty = html[html.index('id="no-units"'):]
    assert said in empty[:400] and 'href="/dispatch/roster/"' in empty[:400]
