"""Issue 11: the fund-flow graph on the case page. On the Chinese page it said "hop 1 →" in English, its legend
overprinted itself and was cut ("资金沉"), the victim's account was drawn blue ("passed through") with ¥0.00
though the victim sent the money, and at 375 px two of four accounts were hidden in a sideways box with no
hint. The graph's words come translated, the legend is wrapping HTML, the victim is green with what was sent,
and a phone gets a row per hop."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from antifraud_support import CHROMIUM, MULE, SHOTS, VICTIM_ACCT, browser_page, sign_in
from django.test import Client

from pingan.antifraud.flowsvg import COLOURS, NODE_W_DOWN, PAD, PER_LINE, flow_svg

CHAIN = {"victims": ["6217000000000009"], "holdings": [{"account": "6222020000000004", "cents": 323_000}],
         "edges": [{"from": "6217000000000009", "to": "6222020000000002", "cents": 323_000, "hop": 1},
                   {"from": "6222020000000002", "to": "6222020000000003", "cents": 323_000, "hop": 2},
                   {"from": "6222020000000003", "to": "6222020000000004", "cents": 323_000, "hop": 3}]}
WORDS = {"victim": "受害人", "hop": "第 {n} 级"}


def _nodes(svg: str) -> list[tuple[str, str, str]]:
    """(kind, fill, amount) of each drawn account."""
    return re.findall(r'<g data-kind="(\w+)"><rect [^>]*fill="([^"]+)"/><text[^>]*>[^<]*</text><text[^>]*>([^<]*)<',
                      svg)


@pytest.mark.parametrize("result", [CHAIN, {k: v for k, v in CHAIN.items() if k != "victims"}],
                         ids=["victims kept", "a trace stored before"])
def test_the_victims_account_is_green_with_what_the_victim_sent(result):
    nodes = _nodes(flow_svg(result, labels=WORDS))
    assert nodes[0] == ("victim", COLOURS["victim"], "¥3,230.00"), nodes
    assert [k for k, _f, _a in nodes] == ["victim", "account", "account", "held"]


@pytest.mark.parametrize("vertical", [False, True])
def test_the_graph_draws_only_the_words_it_is_given(vertical):
    svg = flow_svg(CHAIN, labels=WORDS, vertical=vertical)
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert "hop" not in svg.replace("<title>", "") and "→" not in "".join(texts)
    assert [t for t in texts if not re.match(r"[…¥0-9]", t)] == ["受害人", "第 1 级", "第 2 级", "第 3 级"]


def test_a_phone_gets_a_row_per_hop_that_fits_its_width():
    """Two accounts a line at most: 319 px is 375 less the page's margins and the card's padding."""
    fan = {"victims": ["V"], "edges": [{"from": "V", "to": f"62220200000000{i:02}", "cents": 100, "hop": 1}
                                        for i in range(5)]}
    width = lambda svg: int(re.search(r'width="(\d+)"', svg).group(1))  # noqa: E731
    assert width(flow_svg(CHAIN, labels=WORDS)) > 375
    assert width(flow_svg(CHAIN, labels=WORDS, vertical=True)) == 2 * PAD + NODE_W_DOWN
    down = flow_svg(fan, labels=WORDS, vertical=True)
    assert width(down) == 2 * PAD + PER_LINE * NODE_W_DOWN + 12 <= 319
    assert len(set(re.findall(r'<rect x="(\d+)" y="(\d+)"', down))) == 6  # none drawn over another


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_case_page_shows_the_legend_as_text_in_the_readers_language(client, centre, case, language):
    from pingan.antifraud import services

    report, _ = case
    services.trace_run(actor=centre.officer, report=report)
    client.force_login(centre.officer, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session["purpose"] = "case_investigation"
    session.save()
    client.cookies["django_language"] = language
    page = client.get(f"/antifraud/reports/{report.pk}/").content.decode()
    graph = page[page.index('id="flow-graph"'):]
    graph = graph[:graph.index("</ul>")]
    legend = re.sub(r"<[^>]+>", "", graph[graph.index('class="flow-legend"'):]).split()
    if language == "zh-hans":
        assert legend[1:] == ["受害人账户", "经过", "资金沉淀", "待调单", "终止"], legend
        assert "hop" not in re.sub(r"<title>.*?</title>", "", graph) and "第 1 级" in graph
    else:
        assert "the victim's account" in graph.replace("&#x27;", "'") and "hop 1" in graph
    assert graph.count("<svg") == 2 + 5  # across and down, and the legend's five swatches
    assert '<g data-kind="victim"><rect' in graph and VICTIM_ACCT[-8:] in graph and MULE[-8:] in graph


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_every_account_of_the_graph_is_on_screen_at_375_and_1280(live_server, centre, case, monkeypatch):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed")
    from playwright.sync_api import sync_playwright

    from pingan.antifraud import services

    report, _ = case
    run = services.trace_run(actor=centre.officer, report=report)
    accounts = len({e[k] for e in run.result["edges"] for k in ("from", "to")})
    client = sign_in(Client(), centre.officer)
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        for lang in ("zh-hans", "en"):
            for width in (375, 1280):
                page = browser_page(browser, live_server, client, lang, width)
                page.goto(f"{live_server.url}/antifraud/reports/{report.pk}/")
                graph = page.locator("#flow-graph")
                graph.screenshot(path=str(SHOTS / f"flow-graph-{lang}-{width}.png"))
                box = graph.bounding_box()
                shown = [b for b in (n.bounding_box() for n in page.locator("#flow-graph g[data-kind]").all()) if b]
                assert len(shown) == accounts, (lang, width, shown)
                assert all(box["x"] <= b["x"] and b["x"] + b["width"] <= box["x"] + box["width"] for b in shown), \
                    (lang, width, box, shown)
                legend = [page.locator(".flow-legend li").nth(i).bounding_box() for i in range(5)]
                assert all(a["x"] + a["width"] <= b["x"] or b["y"] >= a["y"] + a["height"]
                           for a, b in itertools.pairwise(legend)), legend  # never overprinted
                assert page.evaluate("document.documentElement.scrollWidth") <= width
                if width == 375:  # nothing to swipe to: the hint is not shown
                    assert page.locator("#flow-graph .flow-down .scroll-hint").is_hidden()
                page.context.close()
        browser.close()
