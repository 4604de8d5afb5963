"""The alert page's back link returns where the person came from, else to their own work list (issue 11: a crew
of another station opened the alert from its unit terminal and "← Alerts terminal" took it elsewhere), through
the page's own forms too; role × own/other jurisdiction unchanged; in both languages."""

from __future__ import annotations

import re

import pytest
from dispatch_support import make_alert, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(force):
    """A 莲前 alert; 江头's car (crew officer_b) dispatched to it and accepted."""
    from pingan.dispatch import services

    force.alert = make_alert(force.unit_a)
    (a,) = services.dispatch_assign(actor=force.dispatcher, alert_id=force.alert.pk, patrol_unit_ids=[force.car_b.pk])
    services.assignment_answer(actor=force.officer_b, assignment_id=a.pk, accept=True)
    return force


def _back(body: str) -> tuple[str, str]:
    m = re.search(r'<a href="([^"]*)" id="back">← ([^<]*)</a>', body)
    assert m, body[:2000]
    return m.group(1), m.group(2)


def _page(client, user, url, lang="en"):
    c = sign_in(client, user, "alert_response")
    r = c.get(url, HTTP_ACCEPT_LANGUAGE=lang)
    return r.status_code, r.content.decode()


def test_the_crew_goes_back_to_its_unit_terminal_from_the_alert_it_opened_there(client, sent):
    terminal = sign_in(client, sent.officer_b, "alert_response").get("/dispatch/terminal/").content.decode()
    link = re.search(rf'href="(/alerts/{sent.alert.pk}/[^"]*)"', terminal).group(1)
    assert link == f"/alerts/{sent.alert.pk}/?from=/dispatch/terminal/"
    status, body = _page(client, sent.officer_b, link)
    assert status == 200 and _back(body) == ("/dispatch/terminal/", "My unit")
    status, body = _page(client, sent.officer_b, link, "zh-hans")
    assert _back(body) == ("/dispatch/terminal/", "我的警组")


def test_the_way_back_survives_the_pages_forms(client, sent):
    c = sign_in(client, sent.officer_b, "alert_response")
    r = c.post(f"/alerts/{sent.alert.pk}/?from=/dispatch/terminal/", {"to": "on_scene"})
    assert r.status_code == 302 and r["Location"] == f"/alerts/{sent.alert.pk}/?from=/dispatch/terminal/"
    assert _back(c.get(r["Location"]).content.decode())[0] == "/dispatch/terminal/"


@pytest.mark.parametrize("who, home, label", [
    ("officer_a", "/alerts/", "Alerts"),
    ("chief_a", "/dispatch/console/", "Command centre"),
    ("dispatcher", "/dispatch/console/", "Command centre"),
])
def test_without_a_way_back_the_link_is_the_viewers_own_work_list(client, sent, who, home, label):
    status, body = _page(client, getattr(sent, who), f"/alerts/{sent.alert.pk}/")
    assert status == 200 and _back(body) == (home, label)


@pytest.mark.parametrize("bad", ["https://evil.example/", "//evil.example/", "javascript:alert(1)", "/no/such/page/",
                                 "/alerts/%0d%0a"])
def test_a_way_back_off_the_site_or_to_no_page_is_ignored(client, sent, bad):
    from urllib.parse import quote

    status, body = _page(client, sent.officer_b, f"/alerts/{sent.alert.pk}/?from={quote(bad)}")
    assert status == 200 and _back(body) == ("/alerts/", "Alerts")


@pytest.mark.parametrize("who, status", [
    ("officer_b", 200),  # the crew, other station
    ("officer_a", 200),  # the alert's station
    ("chief_a", 200),
    ("dispatcher", 200),
    ("chief_b", 404),  # the crew's chief: not dispatched
])
def test_a_way_back_opens_nothing_the_viewer_may_not_see(client, sent, who, status):
    got, _body = _page(client, getattr(sent, who), f"/alerts/{sent.alert.pk}/?from=/dispatch/terminal/")
    assert got == status


def test_an_alert_of_another_station_stays_hidden_whatever_the_way_back(client, force):
    other = make_alert(force.unit_b)
    for user in (force.officer_a, force.chief_a):
        assert _page(client, user, f"/alerts/{other.pk}/?from=/dispatch/console/")[0] == 404


def test_the_consoles_dispatch_panel_links_the_alert_page_with_the_way_back(client, sent):
    for user in (sent.dispatcher, sent.chief_a):
        body = sign_in(client, user).get(f"/dispatch/console/alerts/{sent.alert.pk}/").content.decode()
        assert f'href="/alerts/{sent.alert.pk}/?from=/dispatch/console/"' in body
        status, page = _page(client, user, f"/alerts/{sent.alert.pk}/?from=/dispatch/console/", "zh-hans")
        assert status == 200 and _back(page) == ("/dispatch/console/", "指挥中心")


def test_the_way_back_is_written_one_way():
    """Reviewers (issue 11): ``?from=`` was written three ways in the alerts and dispatch templates (a hard-coded
    ``{% url %}``, ``{{ here|urlencode }}``, ``{{ request.path|urlencode }}``); now only ``{% url_from %}``
    (``alerts.backlinks.with_from``) writes it — and the alerts terminal's script the same way."""
    from pathlib import Path

    src = Path(__file__).resolve().parents[2] / "src" / "pingan"
    by_hand = [f"{t.relative_to(src)}: {line.strip()[:80]}"
               for t in [*src.glob("alerts/templates/**/*.html"), *src.glob("dispatch/templates/**/*.html")]
               for line in t.read_text().splitlines()
               if "?from=" in line and "operation_template_new" not in line]  # that one's from is a template key
    assert by_hand == []
    assert '"/?from=" + encodeURIComponent(location.pathname)' in (
        src / "alerts" / "static" / "alerts" / "terminal.js").read_text()


@pytest.mark.parametrize(("page", "written"), [
    ("/dispatch/console/", "/alerts/7/?from=/dispatch/console/"),
    ("/dispatch/operations/3/", "/alerts/7/?from=/dispatch/operations/3/"),
    ("/dispatch/a b&c/", "/alerts/7/?from=/dispatch/a%20b%26c/"),  # as |urlencode wrote it
])
def test_the_one_way_writes_what_the_three_wrote(rf, page, written):
    from django.template import Context, Template

    request = rf.get(page)
    tpl = Template("{% load alerts_tags %}{% url_from 'alerts:alert' 7 %}|{% url_from 'alerts:alert' 7 page=p %}")
    own, given = tpl.render(Context({"request": request, "p": page})).split("|")
    assert own == given == written
