"""Every role's sections have distinct names in each language (two tabs both called 统计与地图 told a
station chief nothing about which is which)."""

from __future__ import annotations

import pytest
from django.utils import translation

from pingan.core import navigation
from pingan.core.models import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
@pytest.mark.parametrize("role", [r.value for r in Role])
def test_no_two_sections_of_a_role_share_a_name(lang, role):
    class User:
        is_authenticated = True

    User.role = role
    with translation.override(lang):
        labels = [str(s["label"]) for s in navigation.sections_for(User(), "/")]
        descriptions = [str(s["description"]) for s in navigation.sections_for(User(), "/") if s["description"]]
    assert len(labels) == len(set(labels)), labels
    assert len(descriptions) == len(set(descriptions)), descriptions


def _user_of(role: str, cast):
    """An account of ``role`` (the cast's, or a new one in the bureau for roles the cast lacks)."""
    from pingan.core.models import UNIT_ROLES
    from pingan.core.services import user_create

    for name in ("analyst", "auditor", "admin", "chief_a", "officer_a", "landlord_a", "enterprise", "citizen"):
        if getattr(cast, name).role == role:
            return getattr(cast, name)
    unit = cast.unit_a.parent if role in UNIT_ROLES else None
    return user_create(username=f"nav-{role}", password="a-long-password-1", role=role, unit=unit,
                       display_name=role)


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_every_section_a_role_is_shown_is_a_page_it_can_use(client, cast, role):
    from web_support import sign_in

    user = _user_of(role, cast)
    sign_in(client, user, purpose="jurisdiction_management")
    for s in navigation.sections_for(user, "/"):
        response = client.get(s["url"])
        if response.status_code == 302 and s["url"] == "/":  # a role whose home is its first section
            response = client.get(response["Location"])
        assert response.status_code == 200, (role, s["key"], s["url"], response.status_code)


def test_grouped_sections_open_from_their_groups_tab_and_stand_alone_without_it(cast):
    menu = {item["key"]: item for item in navigation.menu_for(cast.analyst, "/alerts/silences/")}
    assert [c["key"] for c in menu["alerts"]["children"]] == [
        "alerts", "alert_silences", "alert_watchlist", "dead_letters", "viid_subscriptions"]
    assert menu["alerts"]["current"] and "alert_silences" not in menu
    assert [c["key"] for c in menu["jurisdiction"]["children"]] == ["jurisdiction", "codes_queue", "overview"]
    assert len(menu) <= 8  # an analyst's dozen sections in one row at 1280 px
    admin = [item["key"] for item in navigation.menu_for(cast.admin, "/")]
    assert "dead_letters" in admin and "alerts" not in admin  # no Alerts tab for the admin: its own tab


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_a_section_a_role_may_not_use_answers_the_sites_403_page_not_404(client, cast, role):
    """An officer opening /audit/ (or any section not theirs) is told they may not, in the site's frame: a 404
    would say the page does not exist. (Objects of another jurisdiction stay 404: test_web_permissions.)"""
    from web_support import sign_in

    user = _user_of(role, cast)
    sign_in(client, user, purpose="jurisdiction_management")
    mine = {s.key for s in navigation._SECTIONS.values() if role in s.roles}
    wrong = {}
    for s in navigation._SECTIONS.values():
        url = navigation._url(s)
        if s.key in mine or url is None or url == "/":
            continue
        response = client.get(url)
        if response.status_code != 403:
            wrong[s.key] = (url, response.status_code)
        elif b'class="bar"' not in response.content:
            wrong[s.key] = (url, "403 without the site's frame")
    assert wrong == {}, (role, wrong)


def _self_links(html: str, path: str) -> list[str]:
    """Links of the page's main part that lead to the page itself (a filter's or a page number's query string
    is another view of it; a tab bar's current tab, marked aria-current, is the page's name, not a way on)."""
    import re

    main = html.split("<main>", 1)[-1].split("</main>", 1)[0]
    return [a for a in re.findall(r"<a\b[^>]*>.*?</a>", main, re.S)
            if re.search(rf'href="{re.escape(path)}"', a) and 'aria-current="page"' not in a]


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_no_page_of_a_section_links_to_itself(client, cast, role):
    """"平安码详情与纠错" on the code's own page led back to that page: no page's body links to itself."""
    from web_support import sign_in

    user = _user_of(role, cast)
    sign_in(client, user, purpose="jurisdiction_management")
    found = {}
    for s in navigation.sections_for(user, "/"):
        response = client.get(s["url"], follow=True)
        path = response.request["PATH_INFO"]
        if links := _self_links(response.content.decode(), path):
            found[path] = links
    assert found == {}, (role, found)


def test_the_code_page_does_not_link_to_itself_but_the_job_and_police_pages_link_to_it(client, cast, screened):
    from web_support import sign_in

    from pingan.codes.services import safety_code_issue

    job = screened[0]
    safety_code_issue(premises=job.premises, actor=cast.landlord_a)
    url = f"/codes/premises/{job.premises_id}/"
    for user, page in ((cast.landlord_a, f"/screening/jobs/{job.pk}/"),
                       (cast.officer_a, f"/police/premises/{job.premises_id}/")):
        sign_in(client, user, purpose="jurisdiction_management")
        for lang in ("zh-hans", "en"):
            client.cookies["django_language"] = lang
            html = client.get(url).content.decode()
            assert 'id="safety-code"' in html and _self_links(html, url) == [], (user, lang)
            assert f'href="{url}"' in client.get(page).content.decode(), (user, page)


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_document_title_names_the_site_once(client, cast, lang):
    """The home page's title read "平安 · 平安": a page without a title of its own is titled by the site alone."""
    import re

    from web_support import sign_in

    client.cookies["django_language"] = lang
    site = "平安" if lang == "zh-hans" else "pingan"
    titles = {}
    for user in (cast.landlord_a, cast.officer_a, cast.auditor):
        sign_in(client, user, purpose="jurisdiction_management")
        for url in ("/", "/purpose/", f"/premises/{cast.premises_a.pk}/", "/verify/"):
            html = client.get(url, follow=True).content.decode()
            titles[(user.username, url)] = title = re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()
            assert title.endswith(site) and not title.startswith(f"{site} · "), title
    assert any(t != site for t in titles.values())


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_a_dispatch_page_outside_the_console_names_its_section_in_the_phone_menu(client, cast, lang):
    """The dispatcher's /dispatch/operations/ (and the roster, the operation templates) belonged to no section:
    the phone's menu button read "☰ 菜单 / Menu" there instead of the page's section (issue 11)."""
    import re

    from web_support import sign_in

    from pingan.core.models import OrgUnit
    from pingan.core.services import user_create

    dispatcher = user_create(username="disp_menu", password="a-long-password-1", role=Role.DISPATCHER,
                             unit=OrgUnit.objects.get(code="350200-ZH"), display_name="disp_menu")
    with translation.override(lang):
        name = str(navigation._SECTIONS["dispatch_console"].label)
    for user in (dispatcher, cast.chief_a):
        sign_in(client, user, purpose="jurisdiction_management")
        client.cookies["django_language"] = lang
        for path in ("/dispatch/console/", "/dispatch/operations/", "/dispatch/roster/",
                     "/dispatch/operations/templates/"):
            response = client.get(path)
            assert response.status_code == 200, (user.username, path, response.status_code)
            here = re.search(r'<span class="menu-here">(.*?)</span>', response.content.decode())
            assert here and here.group(1) == name, (user.username, path, here and here.group(1))
    menu = {item["key"]: item for item in navigation.menu_for(cast.officer_a, "/dispatch/terminal/")}
    assert menu["dispatch_terminal"]["current"]  # an officer's own unit page stays "My unit"


def test_a_landlords_premises_pages_name_my_premises_in_the_menu(cast):
    """/premises/ and a premises' page (core) belonged to no section: the landlord's phone menu said "Menu"."""
    for path in ("/premises/", f"/premises/{cast.premises_a.pk}/", "/screening/"):
        menu = {item["key"]: item for item in navigation.menu_for(cast.landlord_a, path)}
        assert menu["screening"]["current"], path
        assert [k for k, item in menu.items() if item["current"]] == ["screening"], path


def _page_title(html: str) -> str:
    """The page's own title: the document title without " · <site>" (``{% page_title %}``)."""
    import re

    title = " ".join(re.search(r"<title>(.*?)</title>", html, re.S).group(1).split())
    return title.rsplit(" · ", 1)[0] if " · " in title else title


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("role", [r.value for r in Role])
def test_each_menu_entry_is_named_as_the_page_it_opens(client, cast, role, language):
    """Issue 11's second trial: the overview's menu entry and the page's title named it differently. A menu
    entry's label is the title of the page it opens, in each language (home, whose page is the site's name, and
    a role's "/" that sends it on, aside)."""
    from django.conf import settings
    from web_support import sign_in

    user = _user_of(role, cast)
    sign_in(client, user, purpose="jurisdiction_management")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    differ = []
    with translation.override(language):
        for s in navigation.sections_for(user, "/"):
            if s["key"] == "home":
                continue
            response = client.get(s["url"])
            assert response.status_code == 200, (role, s["key"], response.status_code)
            title = _page_title(response.content.decode())
            if title != str(s["label"]):
                differ.append(f"{s['key']}: menu {str(s['label'])!r}, page {title!r}")
    assert differ == []
