"""The checks of tests/page_language.py catch what was seen on the pages (issue 11) and pass a clean page."""

from __future__ import annotations

from page_language import problems


def page(body: str, lang: str = "zh-hans") -> str:
    return f'<html lang="{lang}"><header>中文 English</header><main>{body}</main></html>'


def test_the_reported_identifiers_are_found():
    cases = {
        "<p>参考线 (response-targets@1.0.0)</p>": "rule-set id 'response-targets@1.0.0'",
        "<li>移交人 lq_officer:officer</li>": "internal identifier 'lq_officer:officer'",
        "<p>依据：(shared/reference/standards.md §4.1)</p>": "repository path 'standards.md'",
        "<p>地图来源见 SOURCE.md</p>": "repository path 'SOURCE.md'",
        "<option>思明区 350203012</option>": "raw area code '350203012'",
    }
    for body, expected in cases.items():
        assert any(p.startswith(expected) for p in problems(page(body), "zh-hans", [])), body


def test_english_pages_keep_chinese_only_in_data():
    html = page('<p>Premises 莲前出租屋 · nearby (就近办)</p><input placeholder="例如">', "en")
    assert problems(html, "en", ["莲前出租屋"]) == [
        "Chinese '就近办' in 'Premises 莲前出租屋 · nearby (就近办)'", "Chinese '例如' in '例如'"]


def test_chinese_pages_have_no_english_sentences_outside_data():
    html = page("<p>区域不是简单多边形：not a lon,lat pair: '1 2 3'</p><p>WGS-84 (GPS)</p><p>Jane Smith Lee Ross</p>")
    assert problems(html, "zh-hans", ["Jane Smith Lee Ross"]) == [
        "English 'not a lon,lat pair' in \"区域不是简单多边形：not a lon,lat pair: '1 2 3'\""]


def test_scripts_urls_times_and_the_frame_are_not_text():
    html = page('<script>var a = "x:y@1.0";</script><a href="https://example.org/a:b">12:30 链接</a>'
                '<time datetime="2026-01-01T08:00">2026-01-01 08:00</time>')
    assert problems(html, "zh-hans", []) == []


def test_chinese_typography_of_what_a_chinese_page_shows():
    """Issue 11's second trial, on rendered pages: a colon and brackets put around translated text and data by
    the template, a sentence's full stop followed by a joining semicolon, a number touching Chinese."""
    html = page('<dd>高风险区: 福建省厦门市</dd><td>演示房东 <span class="muted">(demo_landlord)</span></td>'
                '<p>证件号码有误，请在名单文件中改正号码。；7天内有高风险区旅居史</p>')
    found = problems(html, "zh-hans", ["演示房东", "demo_landlord", "福建省厦门市"])
    assert [f.split(" '")[0] for f in found] == ["half-width colon after Chinese", "half-width bracket beside Chinese",
                                                 "two punctuation marks in a row", "no space"], found
    good = page('<dd>高风险区：福建省厦门市</dd><td>演示房东<span class="muted">（demo_landlord）</span></td>'
                '<p>请改正号码；7 天内有高风险区旅居史，共 1.5万 元，12:30 开始（PDF）<a href="http://a:8000/">链接</a></p>'
                '<p>依据：《居住证暂行条例》（国务院令第663号），2016年1月1日起施行</p>')
    assert problems(good, "zh-hans", ["演示房东", "demo_landlord", "福建省厦门市"]) == []
