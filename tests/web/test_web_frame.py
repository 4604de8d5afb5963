"""The site's frame: role-aware navigation, home panels, error pages, language menu, favicon, /api/docs."""

from __future__ import annotations

import re

import pytest
from web_support import sign_in

pytestmark = pytest.mark.django_db


def nav_keys(html: str) -> list[str]:
    nav = re.search(r'<nav class="sections".*?</nav>', html, re.S)
    return re.findall(r'<a href="([^"]+)"', nav.group(0)) if nav else []


class TestNavigation:
    @pytest.mark.parametrize(("who", "has", "lacks"), [
        ("officer_a", ["/", "/police/", "/codes/police/"], ["/police/overview/", "/audit/", "/screening/"]),
        ("chief_a", ["/", "/police/", "/codes/police/", "/police/overview/"], ["/audit/", "/screening/"]),
        ("analyst", ["/police/", "/police/overview/"], ["/audit/", "/screening/"]),
        ("auditor", ["/", "/audit/"], ["/police/", "/screening/", "/codes/police/"]),
        ("landlord_a", ["/screening/"], ["/", "/police/", "/audit/", "/codes/police/"]),
        ("enterprise", ["/screening/"], ["/police/", "/audit/"]),
        ("citizen", ["/"], ["/police/", "/screening/", "/audit/"]),
    ])
    def test_it_shows_each_role_only_its_sections(self, client, cast, who, has, lacks):
        sign_in(client, getattr(cast, who))
        links = nav_keys(client.get("/no-such-page/").content.decode())  # every role gets the frame there
        for url in has:
            assert url in links, (who, url, links)
        for url in lacks:
            assert url not in links, (who, url, links)

    def test_it_marks_the_current_section(self, client, cast):
        sign_in(client, cast.officer_a)
        html = client.get("/codes/police/").content.decode()
        assert re.search(r'<a href="/codes/police/" aria-current="page">', html)
        assert not re.search(r'<a href="/" aria-current="page">', html)

    def test_a_landlords_home_is_the_screening_page(self, client, cast):
        sign_in(client, cast.landlord_a)
        response = client.get("/")
        assert response.status_code == 302 and response["Location"] == "/screening/"

    def test_an_app_can_add_a_section_for_its_roles(self, client, cast):
        from pingan.core import navigation

        navigation.register(navigation.Section(key="test-extra", label="Extra", url_name="codes:verify",
                                               roles={"officer"}, order=99))
        try:
            sign_in(client, cast.officer_a)
            assert "/verify/" in nav_keys(client.get("/").content.decode())
            sign_in(client, cast.landlord_a)
            assert "/verify/" not in nav_keys(client.get("/screening/").content.decode())
        finally:
            navigation._SECTIONS.pop("test-extra")


class TestHome:
    def test_a_station_chief_sees_the_level_changes_waiting_for_approval(self, client, cast, screened):
        from pingan.codes.services import level_override_request, safety_code_issue

        safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)
        level_override_request(premises=cast.premises_a, level="yellow", reason="房东报告租客有风险区行程",
                               actor=cast.officer_a)
        sign_in(client, cast.chief_a)
        html = client.get("/").content.decode()
        assert 'id="home-queue"' in html and cast.premises_a.name in html and "officer_a" in html
        # the officer who asked sees that one is waiting, not an approval list of his own request
        sign_in(client, cast.officer_a)
        html = client.get("/").content.decode()
        assert 'id="home-queue"' in html and "#override-" not in html

    def test_an_analyst_is_told_of_an_approval_as_information_not_as_something_to_act_on(self, client, cast,
                                                                                            screened):
        # issue 11's trial: "您好，厦门市公安局研判人员 研判人员 · 厦门市公安局" then "待处理事项 · 1 个等级变更待审批 ·
        # 打开纠错与审批" for a change only the station chief approves
        from pingan.codes.services import level_override_request, safety_code_issue

        safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)
        level_override_request(premises=cast.premises_a, level="yellow", reason="房东报告租客有风险区行程",
                               actor=cast.officer_a)
        cast.analyst.display_name = ""
        cast.analyst.save(update_fields=["display_name"])
        sign_in(client, cast.analyst)
        client.cookies["django_language"] = "zh-hans"
        html = client.get("/").content.decode()
        h1 = html[html.index("<h1"):html.index("</h1>")]
        assert h1.count("研判人员") == 1, h1
        panel = html[html.index('id="home-queue"'):].split("</section>")[0]
        assert "待处理事项" not in panel and "待审批" not in panel and "打开纠错与审批" not in panel, panel
        assert "供您知悉：1 个等级变更正等待所长审批。" in panel
        assert "notice" not in html.split('id="home-queue"')[0][-40:]  # not styled as a call to act
        client.cookies["django_language"] = "en"
        panel = client.get("/").content.decode().split('id="home-queue"')[1].split("</section>")[0]
        assert "For your information: 1 level change waits for a station chief" in panel
        assert "Waiting for a decision" not in panel and "awaiting approval" not in panel, panel
        # the chief, who can approve it, is still told it waits for them
        sign_in(client, cast.chief_a)
        panel = client.get("/").content.decode().split('id="home-queue"')[1].split("</section>")[0]
        assert "Waiting for a decision" in panel and "1 level change awaiting approval" in panel, panel
        assert re.search(r" \(current: (green|yellow|red) code\)", panel), panel  # what it changes from
        client.cookies["django_language"] = "zh-hans"
        panel = client.get("/").content.decode().split('id="home-queue"')[1].split("</section>")[0]
        assert re.search(r"（当前 [绿黄红]码）", panel), panel

    def test_the_queue_panel_says_0_pending_when_nothing_waits(self, client, cast):
        """Issue 11's trial: with nothing pending the chief's home had no way to the Requests (纠错与审批) queue,
        and an officer's home never had one: every police role's home leads there, saying "0 pending"."""
        for user in (cast.chief_a, cast.officer_a, cast.analyst):
            sign_in(client, user)
            for lang, pending, heading in (("zh-hans", "0 项待处理", "纠错与审批"), ("en", "0 pending", "Requests")):
                client.cookies["django_language"] = lang
                html = client.get("/").content.decode()
                assert 'id="home-jurisdiction"' in html or user is cast.analyst
                panel = html.split('id="home-queue"')[1].split("</section>")[0]
                assert pending in panel and f"<h2>{heading}</h2>" in panel and 'href="/codes/police/"' in panel, panel
                assert "notice" not in html.split('id="home-queue"')[0][-40:]  # nothing to act on


class TestErrorPages:
    def test_a_404_is_in_the_sites_frame_and_language_with_a_way_on(self, client, cast):
        sign_in(client, cast.landlord_a)
        response = client.get("/no/such/page/", HTTP_ACCEPT_LANGUAGE="zh-hans")
        html = response.content.decode()
        assert response.status_code == 404
        assert 'class="bar"' in html and "页面不存在" in html and 'href="/"' in html and "返回我的首页" in html
        client.cookies["django_language"] = "en"
        html = client.get("/no/such/page/").content.decode()
        assert "Page not found" in html and "Go to my home page" in html

    def test_a_403_says_the_page_belongs_to_another_role(self, client, cast):
        sign_in(client, cast.landlord_a)
        response = client.get("/police/", HTTP_ACCEPT_LANGUAGE="zh-hans")
        html = response.content.decode()
        assert response.status_code == 403 and "无权打开此页面" in html and "landlord_a" in html
        assert response["X-Request-ID"] in html  # the reference to quote to support

    def test_an_anonymous_404_offers_sign_in(self, client, db):
        html = client.get("/nothing/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "/login/?next=/nothing/" in html
        # nobody is signed in: the page does not speak of "your account" (the trial's finding)
        assert "your account" not in html and "only for signed-in users" in html
        zh = client.get("/nothing/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert "您的账号" not in zh and "仅供已登录用户查看" in zh

    def test_an_expired_form_says_so(self, cast):
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        sign_in(client, cast.landlord_a)
        response = client.post("/screening/premises/new/", {"name": "x"}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 403 and "The form has expired" in response.content.decode()

    def test_a_wrong_method_on_a_page_is_the_405_page_in_the_frame(self, client, cast):
        # issue 11: GET on a POST-only action answered 405 with an empty body (the browser's bare "HTTP ERROR 405")
        sign_in(client, cast.officer_a)
        url = f"/police/premises/{cast.premises_a.pk}/off-roster/"
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        html = response.content.decode()
        assert response.status_code == 405 and response["Allow"] == "POST"
        assert 'class="bar"' in html and "此地址是页面上按钮的操作" in html and "返回我的首页" in html
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert "This address is a button's action" in response.content.decode()

    def test_a_form_sent_to_a_show_only_page_is_not_an_expired_form(self, db):
        # issue 11: POST /verify/ (GET only) said "表单已过期": the method is checked before the CSRF token
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        for lang, says in (("zh-hans", "此页面不接收表单"), ("en", "This page takes no form")):
            response = client.post("/verify/", {"code": "x"}, HTTP_ACCEPT_LANGUAGE=lang)
            html = response.content.decode()
            assert response.status_code == 405 and response["Allow"] == "GET"
            assert says in html and "表单已过期" not in html and "expired" not in html

    def test_every_method_checked_view_says_what_it_takes(self):
        # the whole family: every view under require_http_methods (require_GET, require_POST …) is found
        from django.urls import get_resolver

        from pingan.core.middleware import allowed_methods

        def views(patterns):
            for p in patterns:
                if hasattr(p, "url_patterns"):
                    yield from views(p.url_patterns)
                else:
                    yield p.callback

        found = [allowed_methods(v) for v in views(get_resolver().url_patterns)]
        assert sum(1 for a in found if a == ["POST"]) >= 20 and sum(1 for a in found if a == ["GET"]) >= 20

    def test_the_footer_links_to_the_verify_page_except_on_it(self, client, cast):
        # issue 11: the verify page's footer link "Check a safety code" pointed to itself
        link = 'href="/verify/" data-t="verify_link"'
        assert link not in client.get("/verify/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        sign_in(client, cast.landlord_a)
        assert link in client.get("/", follow=True).content.decode()
        html = client.get("/verify/").content.decode()
        assert link not in html and 'href="/api/docs"' in html

    def test_a_500_is_in_the_frame_and_falls_back_to_a_plain_page(self, rf, cast, monkeypatch):
        from django.contrib.auth.models import AnonymousUser

        from pingan.core import errorpages

        request = rf.get("/x/")
        request.user = AnonymousUser()
        request.request_id = "abc123"
        response = errorpages.server_error(request)
        assert response.status_code == 500 and 'class="bar"' in response.content.decode()
        assert "abc123" in response.content.decode()

        def broken(*args, **kwargs):
            raise RuntimeError("database gone")

        monkeypatch.setattr(errorpages.loader, "render_to_string", broken)
        response = errorpages.server_error(request)
        assert response.status_code == 500 and "Something went wrong" in response.content.decode()


    @pytest.mark.parametrize(("language", "words"), [("zh-hans", "系统正忙"), ("en", "The site is busy")])
    def test_a_busy_embedded_database_answers_503_saying_to_try_again(self, cast, monkeypatch, language, words):
        # the fresh-user trial signed in while `pingan stats demo` imported 148,636 rows into SQLite: the session
        # could not be saved within the busy timeout and the sign-in answered 500
        from django.db import OperationalError
        from django.test import Client
        from web_support import PASSWORD

        def locked(*args, **kwargs):
            raise OperationalError("database is locked")

        monkeypatch.setattr("pingan.core.sessions.SessionStore.save", locked)
        client = Client(raise_request_exception=False)
        response = client.post("/login/", {"username": cast.landlord_a.username, "password": PASSWORD},
                               HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 503 and response["Retry-After"] == "30"
        assert words in response.content.decode() and 'class="bar"' in response.content.decode()

    def test_any_other_database_error_is_still_a_500(self, cast, monkeypatch):
        from django.db import OperationalError
        from django.test import Client
        from web_support import PASSWORD

        def gone(*args, **kwargs):
            raise OperationalError("disk I/O error")

        monkeypatch.setattr("pingan.core.sessions.SessionStore.save", gone)
        response = Client(raise_request_exception=False).post(
            "/login/", {"username": cast.landlord_a.username, "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 500 and not response.has_header("Retry-After")


class TestFrame:
    def test_the_language_menu_names_each_language_in_itself(self, client, db):
        html = client.get("/login/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert ">English</option>" in html and "英语" not in html and ">简体中文</option>" in html

    def test_it_has_a_favicon(self, client, db):
        html = client.get("/login/").content.decode()
        assert 'rel="icon"' in html and "favicon.svg" in html
        response = client.get("/favicon.ico")
        assert response.status_code == 301 and response["Location"].endswith("favicon.svg")

    def test_a_success_message_is_styled(self, client, cast):
        sign_in(client, cast.landlord_a)
        response = client.post("/screening/premises/new/", {"name": "新出租屋", "kind": "rental",
                                                            "address": "思明区莲前西路9号", "area": "350203010"},
                               follow=True)
        assert 'class="message success"' in response.content.decode()


class TestApiDocs:
    def test_swagger_ui_is_served_by_pingan_not_a_cdn(self, client, db):
        html = client.get("/api/docs").content.decode()
        scripts = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert any(s.endswith("swagger-ui-bundle.js") for s in scripts)
        assert not [s for s in scripts if s.startswith(("http:", "https:", "//"))], scripts
        assert '"validatorUrl": null' in html  # no call to validator.swagger.io

    def test_the_swagger_assets_are_found_by_the_static_finders(self):
        from django.contrib.staticfiles import finders

        for name in ("ninja/swagger-ui-bundle.js", "ninja/swagger-ui.css", "ninja/swagger-ui-init.js"):
            assert finders.find(name), name

    def test_the_docs_draw_the_apps_folded_and_no_models_section(self, client, db):
        html = client.get("/api/docs").content.decode()
        assert '"docExpansion": "none"' in html and '"defaultModelsExpandDepth": -1' in html

    def test_the_document_is_built_once_compressed_and_revalidated(self, client, db, monkeypatch, settings,
                                                                   tmp_path):
        import gzip
        import json

        from pingan.config import api as api_module

        settings.DATA_DIR = tmp_path  # no document kept by an earlier run
        api_module._DOCUMENTS.clear()
        built = []
        original = api_module.api.get_openapi_schema
        monkeypatch.setattr(api_module.api, "get_openapi_schema", lambda *a, **k: built.append(1) or original(*a, **k))
        plain = client.get("/api/openapi.json")
        packed = client.get("/api/openapi.json", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
        assert plain.status_code == packed.status_code == 200 and built == [1]  # built once
        assert packed["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed["Vary"]
        document = json.loads(gzip.decompress(packed.content))
        assert document == json.loads(plain.content) and "/api/v1/jobs" in document["paths"]
        assert len(packed.content) < len(plain.content) / 5
        again = client.get("/api/openapi.json", HTTP_IF_NONE_MATCH=plain["ETag"])
        assert again.status_code == 304 and not again.content
        # a restarted server (a new process) takes the document its code built before from DATA_DIR/cache
        api_module._DOCUMENTS.clear()
        assert client.get("/api/openapi.json").content == plain.content and built == [1]
        assert len(list((tmp_path / "cache").glob("openapi-*.json.gz"))) == 1

    def test_a_changed_source_builds_the_document_again(self, client, db, monkeypatch, settings, tmp_path):
        from pingan.config import api as api_module

        settings.DATA_DIR = tmp_path
        api_module._DOCUMENTS.clear()
        client.get("/api/openapi.json")
        monkeypatch.setattr(api_module, "_FINGERPRINT", ["f" * 64])  # what another version of the code gives
        api_module._DOCUMENTS.clear()
        built = []
        original = api_module.api.get_openapi_schema
        monkeypatch.setattr(api_module.api, "get_openapi_schema", lambda *a, **k: built.append(1) or original(*a, **k))
        assert client.get("/api/openapi.json").status_code == 200 and built == [1]
        assert [p.name.split("-")[-1] for p in (tmp_path / "cache").glob("openapi-*")] == ["f" * 24 + ".json.gz"]

    @pytest.mark.parametrize(("lang", "title", "back"), [("zh-hans", "接口文档", "首页"),
                                                        ("en", "API documentation", "Home")])
    def test_the_docs_are_in_the_site_s_frame_and_language_with_a_way_back(self, client, cast, lang, title, back):
        sign_in(client, cast.officer_a)
        client.cookies["django_language"] = lang
        html = client.get("/api/docs").content.decode()
        assert f'<h1 id="api-docs-title">{title}</h1>' in html and f"<title>{title}" in html
        assert f'<a href="/" id="back">‹ {back}</a>' in html and '<header class="bar">' in html
        assert 'id="swagger-ui"' in html and "pingan/api_docs.js" in html


@pytest.mark.parametrize(("lang", "says"), [("zh-hans", "各场所最近一次筛查中的人员"),
                                             ("en", "those of the latest screening of each premises")])
def test_the_overview_says_what_its_table_counts_beside_the_charts(client, cast, lang, says):
    """The trial read the 30-day chart (every screening) and the table (latest screening per premises) as a
    contradiction: the table says what it counts and why the charts differ."""
    sign_in(client, cast.chief_a)
    client.cookies["django_language"] = lang
    html = client.get("/police/overview/").content.decode()
    assert says in html and "30" in html
