"""Operation templates written in pingan (the template page and the API) and after-action reviews on record
(issue 14 follow-up: templates were bundled files only, and neither had an API). Validation names the field
in the reader's language; role × own/other jurisdiction for every page and endpoint."""

from __future__ import annotations

import datetime as dt
import json
import re
from importlib import resources

import pytest
from dispatch_support import CENTRE
from test_dispatch_operations import NOBODY, _post, _users, make_op, sign_in

pytestmark = pytest.mark.django_db

STADIUM = resources.files("pingan.dispatch").joinpath("data/operation_templates/stadium-event.toml").read_text()
SOURCE = STADIUM.replace('title_en = "', 'title_en = "Night market: ', 1).replace("duration_hours = 6",
                                                                                 "duration_hours = 5")


def _put(client, url, body):
    return client.put(url, json.dumps(body), content_type="application/json")


def test_a_template_is_written_checked_versioned_and_used_for_an_operation(force):
    from django.utils import timezone

    from pingan.core.errors import DomainError
    from pingan.dispatch import services
    from pingan.dispatch.services import Conflict

    row = services.template_create(actor=force.chief_a, unit=force.unit_a, key="night-market", source=SOURCE)
    assert (row.version, row.title_en.startswith("Night market")) == (1, True)
    op = services.operation_from_template(actor=force.chief_a, unit=force.unit_a, template_id="night-market",
                                          name="夜市", venue="中山路", lon=CENTRE[0], lat=CENTRE[1],
                                          starts_at=timezone.now())
    assert op.ends_at - op.starts_at == dt.timedelta(hours=5)
    assert (op.template_id, op.template_version) == ("night-market", "1.0.0")
    row = services.template_update(actor=force.chief_a, template_pk=row.pk, expected_version="1.0.0",
                                   source=SOURCE.replace("duration_hours = 5", "duration_hours = 4"))
    assert row.version == 2
    with pytest.raises(Conflict) as e:  # an editor that started from version 1 does not overwrite version 2
        services.template_update(actor=force.dispatcher, template_pk=row.pk, expected_version="1.0.0", source=SOURCE)
    assert e.value.code == "template_changed"
    for source, message_id, field in (
        ("title_en = ", "template_toml", ""),
        (SOURCE.replace("duration_hours = 5", "duration_hours = 0"), "template_duration", "duration_hours"),
        (SOURCE.replace('kind = "checkpoint"', 'kind = "roadblock"', 1), "template_post_kind", "post 2"),
        (SOURCE.replace("[units]", "[units]\nhorse = 2", 1), "template_units", "units.horse"),
        (SOURCE.replace('priority = "P2"', 'priority = "P9"', 1), "template_rules", "rule"),
    ):
        with pytest.raises(DomainError) as e:
            services.template_create(actor=force.chief_a, unit=force.unit_a, key="broken", source=source)
        assert (e.value.code, e.value.message_id, e.value.params["field"]) == ("bad_template_document", message_id,
                                                                              field)
    for key in ("stadium-event", "night-market", "No Caps", "x"):  # bundled, taken, malformed
        with pytest.raises(DomainError) as e:
            services.template_create(actor=force.chief_a, unit=force.unit_a, key=key, source=SOURCE)
        assert e.value.code == "bad_template_key"


def test_who_may_write_and_read_templates(force):
    from pingan.core.errors import NotFound, PermissionDenied
    from pingan.dispatch import selectors, services

    row = services.template_create(actor=force.chief_a, unit=force.unit_a, key="night-market", source=SOURCE)
    with pytest.raises(PermissionDenied):  # another station's chief, for station A
        services.template_create(actor=force.chief_b, unit=force.unit_a, key="b-market", source=SOURCE)
    with pytest.raises(NotFound):  # nor edit A's
        services.template_update(actor=force.chief_b, template_pk=row.pk, expected_version="1.0.0", source=SOURCE)
    with pytest.raises(PermissionDenied):
        services.template_create(actor=force.officer_a, unit=force.unit_a, key="o-market", source=SOURCE)
    keys = {d["key"] for d in selectors.templates(actor=force.chief_b)}
    assert "night-market" not in keys and {"stadium-event", "street-festival"} <= keys
    assert "night-market" in {d["key"] for d in selectors.templates(actor=force.dispatcher)}  # the city
    assert services.template_update(actor=force.dispatcher, template_pk=row.pk, expected_version="1.0.0",
                                    source=SOURCE).version == 2
    with pytest.raises(PermissionDenied):
        selectors.templates(actor=force.officer_a)
    from pingan.core.errors import DomainError

    with pytest.raises(DomainError) as e:  # B cannot set up an operation from A's template
        services.operation_from_template(actor=force.chief_b, unit=force.unit_b, template_id="night-market",
                                         name="x", venue="y", lon=CENTRE[0], lat=CENTRE[1],
                                         starts_at=dt.datetime(2026, 12, 24, tzinfo=dt.UTC))
    assert e.value.code == "bad_template"


@pytest.mark.parametrize(("lang", "words"), [("zh-hans", ["duration_hours", "小时"]),
                                              ("en", ["duration_hours", "hours above 0"])])
def test_the_template_pages_by_role_and_jurisdiction(client, force, lang, words):
    from pingan.dispatch.models import OperationTemplate

    client.cookies["django_language"] = lang
    users = _users(force)
    for name in ("dispatcher", "chief_a", "chief_b"):
        page = sign_in(client, users[name]).get("/dispatch/operations/templates/")
        assert page.status_code == 200 and "stadium-event" in page.content.decode(), name
    for name in NOBODY:
        assert sign_in(client, users[name]).get("/dispatch/operations/templates/").status_code == 403, name
        assert client.post("/dispatch/operations/templates/new/", {"key": "x-y-z"}).status_code == 403, name
    c = sign_in(client, force.chief_a)
    new = c.get("/dispatch/operations/templates/new/?from=street-festival").content.decode()
    # a copy, without the id and version (a line of the TOML; the page's scripts may say "said = …")
    assert "lantern" in new.lower() and not re.search(r"(?m)^\s*(?:id|version) = ", new)
    form = {"key": "night-market", "unit": force.unit_a.code, "source": SOURCE}
    bad = c.post("/dispatch/operations/templates/new/",
                 {**form, "source": SOURCE.replace("duration_hours = 5", "duration_hours = 0")})
    text = bad.content.decode()
    assert bad.status_code == 400 and all(w in text for w in words), text[:300]
    assert not OperationTemplate.objects.exists()
    r = c.post("/dispatch/operations/templates/new/", form)
    assert r.status_code == 302 and r["Location"] == "/dispatch/operations/templates/night-market/"
    assert "night-market" in c.get("/dispatch/operations/").content.decode()  # offered for set-up
    url = r["Location"]
    assert sign_in(client, force.chief_b).get(url).status_code == 404  # another station's
    assert sign_in(client, force.chief_b).post(url, {"source": SOURCE, "version": "1.0.0"}).status_code == 404
    assert sign_in(client, force.chief_b).post("/dispatch/operations/templates/new/",
                                               {**form, "key": "b-market"}).status_code == 403
    c = sign_in(client, force.dispatcher)
    r = c.post(url, {"source": SOURCE.replace("duration_hours = 5", "duration_hours = 3"), "version": "1.0.0"})
    assert r.status_code == 302 and OperationTemplate.objects.get().version == 2
    stale = sign_in(client, force.chief_a).post(url, {"source": SOURCE, "version": "1.0.0"})
    assert stale.status_code == 409 and OperationTemplate.objects.get().version == 2


def test_the_template_api_by_role_and_jurisdiction(client, force):
    users = _users(force)
    url = "/api/v1/dispatch/operation-templates"
    got = sign_in(client, force.chief_a).get(url).json()
    assert {"stadium-event", "street-festival"} <= {t["key"] for t in got} and all(t["bundled"] for t in got)
    assert "[[post]]" in got[0]["source"]
    r = _post(client, url, {"key": "night-market", "source": SOURCE})
    assert r.status_code == 201 and r.json()["unit"] == force.unit_a.code and r.json()["version"] == "1.0.0"
    bad = _post(client, url, {"key": "broken", "source": SOURCE.replace("duration_hours = 5", "duration_hours = 0")})
    assert bad.status_code == 400 and bad.json()["code"] == "bad_template_document"
    assert bad["Content-Type"] == "application/problem+json"
    assert _post(sign_in(client, force.chief_b), url, {"key": "b-m", "unit": force.unit_a.code,
                                                       "source": SOURCE}).status_code in (403, 422)
    assert _post(client, url, {"key": "b-market", "unit": force.unit_a.code, "source": SOURCE}).status_code == 403
    assert "night-market" not in {t["key"] for t in client.get(url).json()}
    assert _put(client, f"{url}/night-market", {"source": SOURCE, "version": "1.0.0"}).status_code == 404
    assert _put(client, f"{url}/stadium-event", {"source": SOURCE, "version": "1.0.0"}).status_code == 404  # read only
    for name in NOBODY:
        c = sign_in(client, users[name])
        assert c.get(url).status_code == 403, name
        assert _post(c, url, {"key": "n-m", "source": SOURCE}).status_code in (403, 404), name
        assert _put(c, f"{url}/night-market", {"source": SOURCE, "version": "1.0.0"}).status_code in (403, 404), name
    c = sign_in(client, force.dispatcher)
    r = _put(c, f"{url}/night-market", {"source": SOURCE, "version": "1.0.0"})
    assert r.status_code == 200 and r.json()["version"] == "2.0.0"
    r = _put(sign_in(client, force.chief_a), f"{url}/night-market", {"source": SOURCE, "version": "1.0.0"})
    assert r.status_code == 409 and r.json()["code"] == "template_changed"


def test_reviews_on_record_by_role_and_jurisdiction(client, force):
    from pingan.dispatch.models import OperationReview

    users = _users(force)
    op = make_op(force)
    url = f"/api/v1/dispatch/operations/{op.pk}/reviews"
    c = sign_in(client, force.chief_a)
    r = _post(c, url, {"findings": "东门人流过大，下次增设一个检查点。"})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["author"] == force.chief_a.username and body["figures"]["alerts"] == 0
    assert set(body["figures"]["response"]) == {"acknowledge", "dispatch", "arrive"}
    assert [x["id"] for x in c.get(url).json()] == [body["id"]]
    assert _post(c, url, {"findings": ""}).status_code in (400, 422)
    assert sign_in(client, force.chief_b).get(url).status_code == 404
    assert _post(client, url, {"findings": "x"}).status_code == 404
    assert sign_in(client, force.dispatcher).get(url).status_code == 200
    for name in NOBODY:
        c = sign_in(client, users[name])
        assert c.get(url).status_code in (403, 404), name
        assert _post(c, url, {"findings": "x"}).status_code in (403, 404), name
    assert OperationReview.objects.count() == 1
    # the review page lists it and records another (the form)
    page = f"/dispatch/operations/{op.pk}/review/"
    c = sign_in(client, force.dispatcher)
    assert "东门人流过大" in c.get(page).content.decode()
    r = c.post(page, {"findings": "无人机巡查覆盖不足。"})
    assert r.status_code == 302 and OperationReview.objects.count() == 2
    assert c.post(page, {"findings": "  "}).status_code == 400
    assert sign_in(client, force.chief_b).post(page, {"findings": "x"}).status_code == 404
    assert sign_in(client, users["officer_a"]).post(page, {"findings": "x"}).status_code == 403


@pytest.mark.django_db(databases=[])
def test_every_template_problem_has_a_page_message():
    from pingan.core.error_messages import PAGE_MESSAGES
    from pingan.dispatch import optemplates, services

    assert set(services._TEMPLATE_PROBLEMS) == set(optemplates.PROBLEMS)
    for problem, make in services._TEMPLATE_PROBLEMS.items():
        assert make(optemplates.TemplateError("t", problem, "f", "d")).message_id in PAGE_MESSAGES


@pytest.mark.django_db(databases=[])
def test_a_sector_or_post_name_or_title_with_a_control_character_is_refused_naming_file_item_and_character():
    """Issue 11: a template's names (shown on the operation page and the console, printed on terminals) were not
    checked by the rule every other input follows (pingan.lib.textchars)."""
    from django.utils import translation

    from pingan.core.error_messages import page_message
    from pingan.core.errors import DomainError
    from pingan.dispatch import optemplates, services

    north = 'name_zh = "北看台及广场"'
    for source, field, chars, message_id in (
        (SOURCE.replace(north, 'name_zh = "北看台\u202e及广场"', 1), "sector 1: name_zh", ["U+202E"],
         "template_character"),
        (SOURCE.replace('name_zh = "北门安检口"', 'name_zh = "北门\u202e安检\\u001b口"', 1), "post 2: name_zh",
         ["U+202E", "U+001B"], "template_character"),
        (SOURCE.replace('title_en = "', 'title_en = "\u2066', 1), "title_en", ["U+2066"], "template_character"),
    ):
        with pytest.raises(DomainError) as e:
            services.template_parse(key="night-market", version=1, source=source)
        assert (e.value.code, e.value.message_id, e.value.params["field"], e.value.params["chars"]) == (
            "bad_template_document", message_id, field, chars)
        assert "template night-market" in e.value.message and chars[0] in e.value.message  # file, item, character
    with translation.override("zh-hans"):
        assert page_message(e.value) == ("“title_en”中有看不见的控制字符 U+2066（第 1 个字符），会改变文字的显示方式："
                                         "请从模板中删去。")
    gate = SOURCE.replace('name_zh = "北门安检口"', 'name_zh = "北门\\u202e安检\\u001b口"', 1)
    with pytest.raises(DomainError) as e:
        services.template_parse(key="night-market", version=1, source=gate)
    with translation.override("en"):
        assert page_message(e.value) == ("“post 2: name_zh” holds invisible control characters, U+202E, U+001B "
                                         "(characters 3, 6), which would change how the text shows: delete them "
                                         "from the template.")
    with pytest.raises(optemplates.TemplateError) as bundled:  # a bundled file is named by its path
        optemplates.parse_template({**__import__("tomllib").loads(SOURCE.replace(north, 'name_zh = "北\u202e"', 1))},
                                   path="stadium-event.toml")
    assert str(bundled.value).startswith("stadium-event.toml: sector 1: name_zh holds U+202E")
