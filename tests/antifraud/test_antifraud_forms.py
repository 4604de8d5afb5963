"""Issue 11: the anti-fraud forms. Each field has a visible label (the suspect-identifier form was a select and
an input with none; so were the trace's rule, the orders' kind, the bank's feedback and a warning's outcome);
a stacked form's file picker stands on its own line (the statement import's "Account (if the file does not
name it)" ran on after it). A station officer's list of reports says it holds their unit's only."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from antifraud_support import CHROMIUM, SHOTS, browser_page, sign_in
from django.test import Client

from pingan.antifraud import services

pytestmark = pytest.mark.django_db



class Fields(HTMLParser):
    """The form fields of a page's <main> a person fills in, each with the visible text of its <label>."""

    VOID = {"input", "br", "img", "hr", "meta", "link"}

    def __init__(self):
        super().__init__()
        self.main = False
        self.labels: list[list[str]] = []  # the text of each open label
        self.hidden = 0  # depth inside a visually-hidden element
        self.stack: list[bool] = []  # per open element: whether it hides its text
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "main":
            self.main = True
        hides = "visually-hidden" in (a.get("class") or "")
        if tag == "label":
            self.labels.append([])
        fills = tag in ("select", "textarea") or (tag == "input" and a.get("type") not in (
            "hidden", "submit", "file", "checkbox", "radio"))
        if self.main and fills:
            self.found.append((a.get("name", ""), "".join(self.labels[-1]).strip() if self.labels else ""))
        if tag not in self.VOID:
            self.stack.append(hides)
            self.hidden += hides

    def handle_endtag(self, tag):
        if tag == "label" and self.labels:
            self.labels.pop()
        if tag not in self.VOID and self.stack:
            self.hidden -= self.stack.pop()

    def handle_data(self, data):
        if self.labels and not self.hidden:
            self.labels[-1].append(data)


def _fields(html: str) -> list[tuple[str, str]]:
    p = Fields()
    p.feed(html)
    return p.found


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_field_of_the_anti_fraud_pages_has_a_visible_label(client, centre, case, language):
    report, _ = case
    run = services.trace_run(actor=centre.officer, report=report)
    [order] = services.orders_from_trace(actor=centre.officer, trace=run)
    order = services.order_send(actor=centre.officer, order=services.order_approve(actor=centre.chief, order=order))
    assert services.realtime_event({"kind": "sms", "counterpart": "+86 139 0000 0002", "counterpart_kind": "phone",
                                    "person": "13800000077"})  # an open warning, with its outcome form
    sign_in(client, centre.officer, language)
    pages = {"report": f"/antifraud/reports/{report.pk}/", "order": f"/antifraud/orders/{order.pk}/",
             "warnings": "/antifraud/warnings/", "blocks": "/antifraud/blocks/"}
    names = {}
    for what, url in pages.items():
        fields = _fields(client.get(url).content.decode())
        assert fields, what
        unlabelled = [name for name, label in fields if not label]
        assert not unlabelled, (what, unlabelled, fields)
        names[what] = {n for n, _l in fields}
    assert {"kind", "value", "method", "max_hops", "account", "bank"} <= names["report"]
    assert {"feedback", "executed_yuan"} <= names["order"]
    assert {"outcome", "note"} <= names["warnings"]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_station_officer_is_told_the_list_holds_their_units_reports(client, cast, centre, case, language):
    """The bureau has FZ-1 (the centre's); station A's officer sees none, said as none for their unit."""
    page = sign_in(client, cast.officer_a, language).get("/antifraud/").content.decode()
    said = page[page.index('id="no-reports"'):]
    said = said[:said.index("</li>")]
    unit = cast.officer_a.unit.label
    assert unit in said
    assert ("本单位" in said if language == "zh-hans" else "None for your unit" in said), said
    centre_page = sign_in(client, centre.officer, language).get("/antifraud/").content.decode()
    assert 'id="no-reports"' not in centre_page and f"/antifraud/reports/{case[0].pk}/" in centre_page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_statement_forms_fields_stand_one_under_another(live_server, centre, case, monkeypatch):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed")
    from playwright.sync_api import sync_playwright

    report, _ = case
    client = sign_in(Client(), centre.officer)
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        for lang in ("zh-hans", "en"):
            for width in (375, 1280):
                page = browser_page(browser, live_server, client, lang, width)
                page.goto(f"{live_server.url}/antifraud/reports/{report.pk}/")
                form = page.locator("form[action$='/statements/']")
                form.screenshot(path=str(SHOTS / f"statement-form-{lang}-{width}.png"))
                picker = form.locator(".file-pick").bounding_box()
                account = form.locator("label:has(input[name=account])").bounding_box()
                assert account["y"] >= picker["y"] + picker["height"], (lang, width, picker, account)
                ident = page.locator("form[action$='/identifiers/']")
                ident.screenshot(path=str(SHOTS / f"identifier-form-{lang}-{width}.png"))
                for name in ("kind", "value"):
                    label = ident.locator(f"label:has([name={name}])")
                    assert label.inner_text().strip() != "" and label.locator(f"[name={name}]").is_visible()
                assert page.evaluate("document.documentElement.scrollWidth") <= width
                page.context.close()
        browser.close()
