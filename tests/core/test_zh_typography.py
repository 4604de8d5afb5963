"""The Chinese catalogues space numbers, dates and Latin words the same way everywhere (issue 11).

A trial read "于 2026-12-06" on one page and "根据2026-12-06 14:03 上传的名单" on the next. The rule
(docs/conventions.md, "Chinese typography"): one half-width space between a Chinese character and a number,
date, time or Latin word, whether written in the text or inserted (``%(when)s``, ``%(n)s``, a screening's
label, which starts with its upload time); none beside full-width punctuation (，。：；（）“”); a number and
its Chinese magnitude (1.5万, 3亿) stay together; inserted Chinese text (a unit's, a premises' name) takes no
space. This test renders every zh-Hans message with typical values and looks for a Chinese character touching
a digit or a Latin letter.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "pingan"
CATALOGUES = sorted(SRC.glob("**/locale/zh_Hans/LC_MESSAGES/django.po"))
CJK = "\u3400-\u4dbf\u4e00-\u9fff"
TOUCHING = re.compile(rf"[{CJK}][0-9A-Za-z]|[0-9A-Za-z](?![万亿])[{CJK}]")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")
#: Placeholders that hold a number, a date or a time (or a code of digits and Latin letters).
NUMBERS_AND_DATES = {
    "n", "count", "row", "rows", "first", "until", "when", "at", "date", "since", "deadline", "due_on", "as_of",
    "days", "minutes", "seconds", "hours", "people", "dropped", "changed", "limit", "length", "size", "size_mb",
    "size_mib", "limit_mb", "limit_mib", "total", "number", "seq", "version", "monday", "sunday", "start", "end",
    "time", "window_from", "window_to", "months", "km", "distance_km", "distance_m", "range_km", "capacity",
    "attempts", "min_length", "header_row", "line", "lines", "mib", "positions", "accidents", "deaths", "injured",
    "green", "yellow",
    "red", "keys", "hops", "cells", "far_cells", "longest", "issued", "met_on", "adcode", "kid", "application",
    "encoding", "crs", "tz", "year", "day", "expected", "max", "flagged", "x", "y", "page", "pages", "frame",
    "frames", "dpi",
    # a process's end: "退出码 1" or "信号 SIGTERM" (issue 11 trial: "因退出码 1停止")
    "how",
}
#: Placeholders that hold Chinese text, which takes no space beside Chinese (issue 11 trial: "审核您的 试用出租屋
#: 注册") — in the landlord's, the codes' and the core catalogues a premises' and a person's name, and where it is
#: always a police unit's name, ``unit``. (Elsewhere these names mean other things: the alerts' ``{person}`` is a
#: watchlist name, often in Latin letters, and ``{premises}`` a count; the dispatch ``unit`` a call sign. ``name``
#: holds a file name as often as a person's: a message naming a person or a premises says which.)
CHINESE_TEXT_IN = {"screening": {"premises", "unit", "person"}, "codes": {"premises", "unit", "person"},
                   "core": {"premises", "person"}}
#: What a Chinese placeholder renders as in the check.
CHINESE_VALUE = "莲前出租屋"
#: A space between two Chinese characters, where one came from a placeholder.
SPACED = re.compile(rf"[{CJK}] {CHINESE_VALUE}|{CHINESE_VALUE} [{CJK}]")
#: A screening's label (``ScreeningJob.label``): "2026-12-06 14:03 上传的名单（tenants.xlsx）".
LABEL = "2026-12-06 14:03 上传的名单（a.xlsx）"
#: ``%(n)s`` names a screening (its label) in these messages, a count elsewhere.
N_IS_A_LABEL = re.compile(r"screening of (<a [^>]*>)?%\(n\)s")


def entries(path: Path):
    """``(msgid, [msgstr, …], line)`` of each message of a .po file."""
    out, current, field = [], None, None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if raw.startswith("msgid "):
            if current and current[0]:
                out.append(current)
            current, field = [ast.literal_eval(raw[6:]), [], number], "id"
        elif raw.startswith("msgid_plural "):
            field = "plural"
        elif raw.startswith("msgstr"):
            current[1].append(ast.literal_eval(raw.split(" ", 1)[1]))
            field = "str"
        elif raw.startswith('"') and current is not None:
            if field == "id":
                current[0] += ast.literal_eval(raw)
            elif field == "str":
                current[1][-1] += ast.literal_eval(raw)
    if current and current[0]:
        out.append(current)
    return out


def rendered(msgid: str, msgstr: str, chinese: frozenset | set = frozenset()) -> str:
    """``msgstr`` with typical values: a number or date where the placeholder holds one, a screening's label
    for ``job``; any other value (a name, Chinese text) as a neutral mark the check ignores."""
    def value(m: re.Match) -> str:
        name = m.group(1) or m.group(2)
        if name == "job" or (name == "n" and N_IS_A_LABEL.search(msgid)):
            return LABEL
        if name in chinese:
            return CHINESE_VALUE
        return "2026-12-06" if name in NUMBERS_AND_DATES else "\x00"

    text = re.sub(r"<[^>]+>", "", msgstr)  # an inserted link's tags are not text
    return PLACEHOLDER.sub(value, text)


def offences(path: Path, app: str | None = None) -> list[str]:
    """Where a message of the catalogue ``path`` (of ``app``, by default the folder it is in) breaks the rule."""
    found, where = [], path.relative_to(SRC) if SRC in path.parents else path
    app = app if app is not None else where.parts[0] if SRC in path.parents else ""
    chinese = CHINESE_TEXT_IN.get(app, set())
    for msgid, msgstrs, line in entries(path):
        for msgstr in msgstrs:
            if msgstr and (TOUCHING.search(rendered(msgid, msgstr)) or SPACED.search(rendered(msgid, msgstr,
                                                                                               chinese))):
                found.append(f"{where}:{line}: {msgstr}")
    return found


HAN = rf"[{CJK}]"
#: Chinese punctuation rules (issue 11 trial: "下载门贴海报 (PDF)", "(企业)", "银行账户: …", "（quotes.csv） 后签发）。
#: 请打印新的门贴", "（part1.csv）（红码）", "“Offenses cleared”一节"): in Chinese text brackets and colons are
#: full-width, nothing is spaced from full-width punctuation, two bracket groups never follow each other, and an
#: English phrase is not quoted as if it were Chinese. (A colon between Latin letters or digits — ``http://``,
#: ``微信:abc123``, ``12:00`` — is not Chinese text.)
PUNCTUATION = {
    "half-width bracket beside Chinese": re.compile(rf"{HAN} ?\(|\) ?{HAN}|\([^()]*{HAN}[^()]*\)"),
    "half-width colon after Chinese": re.compile(rf"{HAN} ?:(?![0-9A-Za-z])"),
    # issue 11's third trial: "共 3 行需要修改: 1 行未筛查, 2 行…", "签发的黄码哪里有误?"
    "half-width comma, question mark, semicolon or exclamation mark beside Chinese": re.compile(
        rf"{HAN} ?[,?;!]|[,?;!] ?{HAN}"),
    # one space: two line a command line up in the command's output (``启动网站：  pingan serve``)
    "a space beside full-width punctuation": re.compile(r"[，。：；（）“”、！？《》] (?! )"
                                                        r"|(?<! ) [，。：；（）“”、！？《》]"),
    "two bracket groups in a row": re.compile(r"）\s*（"),
    "an English phrase in Chinese quotes": re.compile(r"“[A-Za-z][A-Za-z ,'-]*”"),
    # issue 11's second trial: "…号码。；7天内" (a message's full stop, then the joiner of the next)
    "two punctuation marks in a row": re.compile(r"[。；，：、！？][。；，：、！？]"),
}


#: What a person types as it is written — a coordinate pair "[东, 北]", a format in quotes "“经度,纬度”" — keeps its
#: ASCII commas and semicolons for the rules in :data:`LITERAL_AS_WRITTEN`.
LITERAL = re.compile(r"\[[^\]]*\]|“[^”]*”")
LITERAL_AS_WRITTEN = {"half-width comma, question mark, semicolon or exclamation mark beside Chinese"}


def punctuation_offences(path: Path) -> list[str]:
    """Where a zh-Hans message of the catalogue ``path`` breaks :data:`PUNCTUATION` (placeholders and tags
    removed; a command line to type, two spaces before it, is left as it is)."""
    found, where = [], path.relative_to(SRC) if SRC in path.parents else path
    for msgid, msgstrs, line in entries(path):
        for msgstr in msgstrs:
            # a screening's label ends in its file name in brackets: "%(job)s（红码）" reads as two bracket groups
            text = re.sub(r"\S*://\S*", "\x00", rendered(msgid, msgstr))
            if not re.search(HAN, text):
                continue
            literal = LITERAL.sub("\x00", text)
            found += [f"{where}:{line}: {rule}: {msgstr}" for rule, rx in PUNCTUATION.items()
                      if rx.search(literal if rule in LITERAL_AS_WRITTEN else text)]
    return found


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(SRC).parts[0]))
def test_chinese_text_has_chinese_punctuation(po):
    assert punctuation_offences(po) == []


def test_the_punctuation_check_finds_what_the_trial_saw(tmp_path):
    po = tmp_path / "django.po"
    trial = ["下载门贴海报 (PDF)", "场所类型 (企业)", "银行账户: %(n)s", "（quotes.csv） 后签发）。 请打印新的门贴",
             "漏掉了 %(when)s 的名单（part1.csv）（红码）", "“Offenses cleared”一节"]
    good = ["下载门贴海报（PDF）", "平台地址（http://主机:端口）", "例如 微信:abc123", "%(name)s（%(level)s）",
            "12:00 开始"]
    po.write_text("".join(f'msgid "m{i}"\nmsgstr "{t}"\n\n' for i, t in enumerate(trial + good)), encoding="utf-8")
    assert [o.split(": ", 2)[2] for o in punctuation_offences(po)] == trial


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(SRC).parts[0]))
def test_numbers_dates_and_latin_words_are_spaced_from_chinese(po):
    assert offences(po) == []


def test_the_check_finds_what_the_trial_saw(tmp_path):
    po = tmp_path / "django.po"
    po.write_text('msgid "at %(when)s"\nmsgstr "于%(when)s"\n\nmsgid "from %(job)s"\nmsgstr "根据%(job)s的结果"\n\n'
                  'msgid "240 hours"\nmsgstr "240小时"\n\nmsgid "ok"\nmsgstr "于 %(when)s，%(unit)s的 1.5万 元"\n',
                  encoding="utf-8")
    assert [o.split(": ", 1)[1] for o in offences(po)] == ["于%(when)s", "根据%(job)s的结果", "240小时"]


def test_the_check_finds_a_space_beside_an_inserted_chinese_name(tmp_path):
    po = tmp_path / "django.po"
    po.write_text('msgid "a"\nmsgstr "%(unit)s将审核您的 %(premises)s 注册"\n\n'
                  'msgid "b"\nmsgstr "%(unit)s将审核您的%(premises)s注册"\n\n'
                  'msgid "c"\nmsgstr "已确认：%(person)s 现在可以登录"\n\n'
                  'msgid "d"\nmsgstr "打开 %(premises)s：%(name)s"\n', encoding="utf-8")
    assert [o.split(": ", 1)[1] for o in offences(po, "screening")] == ["%(unit)s将审核您的 %(premises)s 注册",
                                                           "已确认：%(person)s 现在可以登录",
                                                           "打开 %(premises)s：%(name)s"]


def test_the_safety_code_is_the_same_term_in_every_catalogue():
    """The product's term for a safety code is 平安码 (issue 11's second trial: the purpose-of-use page said 安全码)."""
    found = []
    for po in CATALOGUES:
        for msgid, msgstrs, line in entries(po):
            for msgstr in msgstrs:
                if "安全码" in msgstr or (re.search(r"\bsafety codes?\b", msgid, re.I) and msgstr
                                         and "平安码" not in msgstr):
                    found.append(f"{po.relative_to(SRC)}:{line}: {msgstr}")
    assert found == []


#: A literal bracket or colon around translated text in a template (issue 11 trial: "新冠…查 (版本 1.3.0)", "(企业)"):
#: an ASCII "(" before ``{% translate``/``{% blocktranslate`` or before a label (``{{ x.get_…_display }}``, ``…label``)
#: closed right after it, and a ")" or ": " right after a translated string. ``{% paren %}…{% endparen %}`` and
#: ``{% colon %}`` (core ``site_frame``) say them as the reader's language does.
TEMPLATE_PUNCTUATION = re.compile(
    r"""\((?=\{%\s*(?:block)?trans)|\((?=\{\{[^}]*(?:_display|label)[^}]*\}\}\))"""
    r"""|(?:endblocktranslate\s*%\}|(?:block)?translate\s+(?:"[^"]*"|'[^']*')[^%]*%\})(?:\)|: )"""
    r"""|(?:_display|label(?:\|\w+)?)\s*\}\}: """
    # issue 11's second trial ("演示房东 (demo_landlord)", "高风险区: …"): outside a translated block, a literal
    # bracket around a value, a colon after one, a bracket after a translated string, a list joined in English
    r"""|(?<![\w(])\([^(){}<>]*\{\{[^}]*\}\}[^(){}<>]*\)|\}\}: |%\}: (?=\{\{)"""
    r"""|(?:translate\s+(?:"[^"]*"|'[^']*')[^%]*%\}) \("""
    r"""|\|join:["'](?:, |; |、)["']"""
    # issue 11's third trial ("共 3 行需要修改: 1 行未筛查, 2 行…"): a literal comma, colon, semicolon or question
    # mark after a translated string, past closing tags and {% if %}s ({% comma %}, {% colon %}, {% semicolon %})
    r"""|(?:endblocktranslate\s*%\}|(?:block)?translate\s+(?:"[^"]*"|'[^']*')[^%]*%\})(?:</?\w+>|\{%[^%]*%\})*"""
    r"""(?:, |: |; |\?)""")
#: Translated blocks (their brackets and colons are the catalogue's, checked there) and HTML comments.
TRANSLATED = re.compile(r"\{%\s*blocktranslate.*?\{%\s*endblocktranslate\s*%\}|<!--.*?-->|\{#.*?#\}", re.S)


def _blank_inside(m: re.Match) -> str:
    """A translated block with the text between its opening and closing tags blanked (newlines kept, so line
    numbers stay); a comment blanked whole."""
    block = m.group(0)
    if not block.startswith("{%"):
        return re.sub(r"[^\n]", " ", block)
    head = block.index("%}") + 2
    tail = block.rindex("{%")
    return block[:head] + re.sub(r"[^\n]", " ", block[head:tail]) + block[tail:]


def template_offences(root: Path = SRC) -> list[str]:
    found = []
    for path in sorted(root.glob("**/templates/**/*.html")):
        text = path.read_text(encoding="utf-8")
        text = TRANSLATED.sub(_blank_inside, text)
        for m in TEMPLATE_PUNCTUATION.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            found.append(f"{path.relative_to(root)}:{line}: {text[max(0, m.start() - 40):m.end() + 30]!r}")
    return found


def test_templates_put_no_ascii_brackets_or_colons_around_translated_text():
    assert template_offences() == []


def test_the_template_check_finds_what_the_trial_saw(tmp_path):
    page = tmp_path / "a" / "templates" / "a" / "p.html"
    page.parent.mkdir(parents=True)
    page.write_text('''{{ t }} <span>({% blocktranslate %}version {{ v }}{% endblocktranslate %})</span>
{{ p.name }} ({{ p.get_kind_display }}) {% translate "Bank account" %}: {{ n }}
{{ t }}<span>{% paren %}{% translate "longest" %} {{ n }}{% endparen %}</span> {% translate "Bank" %}{% colon %}''',
                    encoding="utf-8")
    assert len(template_offences(tmp_path)) == 4
    page.write_text("{{ i.get_kind_display }}: <strong>{{ v }}</strong>", encoding="utf-8")  # "银行账户: …"
    assert len(template_offences(tmp_path)) == 1


def test_the_template_check_finds_the_second_trials_brackets_colons_and_joins(tmp_path):
    page = tmp_path / "a" / "templates" / "a" / "p.html"
    page.parent.mkdir(parents=True)
    trial = ['{{ r.who }} <span class="muted">({{ r.username }})</span>', "<dd>{{ h.level }}: {{ h.area }}</dd>",
             '<h2>{% translate "Alerts" %} ({{ n }})</h2>', '{{ names|join:", " }}', '{{ reasons|join:"; " }}']
    good = ['{{ r.who }}<span class="muted">{% paren %}{{ r.username }}{% endparen %}</span>',
            "<dd>{{ h.level }}{% colon %}{{ h.area }}</dd>", '{{ names|listed }} {{ channels|join:" · " }}',
            "{% blocktranslate with name=n role=r %}Signed in as {{ name }} ({{ role }}).{% endblocktranslate %}",
            '<g transform="translate({{ x }},{{ y }})">']
    page.write_text("\n".join(trial + good), encoding="utf-8")
    assert [int(o.split(":")[1]) for o in template_offences(tmp_path)] == [1, 2, 3, 4, 5]


def test_the_template_check_finds_the_third_trials_commas_and_colons_between_translations(tmp_path):
    page = tmp_path / "a" / "templates" / "a" / "p.html"
    page.parent.mkdir(parents=True)
    trial = ['<strong>{% blocktranslate %}{{ n }} rows to fix{% endblocktranslate %}</strong>{% if x %}: '
             '{% blocktranslate %}{{ n }} not screened{% endblocktranslate %}, {% blocktranslate %}{{ m }} to check'
             '{% endblocktranslate %}{% endif %}', '<strong>{% translate "Fee" %}</strong>: {{ fee }}',
             '{% blocktranslate %}{{ r }} rows read{% endblocktranslate %}; {% blocktranslate %}{{ e }} excluded'
             '{% endblocktranslate %}']
    good = ['<strong>{% blocktranslate %}{{ n }} rows to fix{% endblocktranslate %}</strong>{% colon %}'
            '{% blocktranslate %}{{ n }} not screened{% endblocktranslate %}{% comma %}{% translate "x" %}']
    page.write_text("\n".join(trial + good), encoding="utf-8")
    assert [int(o.split(":")[1]) for o in template_offences(tmp_path)] == [1, 1, 2, 3]


def test_the_punctuation_check_finds_the_third_trials_commas_and_question_marks(tmp_path):
    po = tmp_path / "django.po"
    po.write_text('msgid "a"\nmsgstr "签发的黄码哪里有误?"\n\nmsgid "b"\nmsgstr "1 行未筛查, 2 行需核对"\n\n'
                  'msgid "c"\nmsgstr "经度，纬度（例如 118.18,24.48）"\n', encoding="utf-8")
    assert [o.split(": ")[1] for o in punctuation_offences(po)] == [
        "half-width comma, question mark, semicolon or exclamation mark beside Chinese"] * 2


@pytest.mark.parametrize(("language", "expected"), [("zh-hans", "规则（版本 1.3.0）"), ("en", "rules (version 1.3.0)")])
def test_paren_says_brackets_as_the_readers_language_does(language, expected):
    from django.template import Context, Template
    from django.utils import translation

    words = {"zh-hans": ("规则", "版本"), "en": ("rules", "version")}[language]
    page = Template("{% load site_frame %}{{ a }}{% paren %}{{ b }} 1.3.0{% endparen %}")
    with translation.override(language):
        assert page.render(Context({"a": words[0], "b": words[1]})) == expected


def test_sentences_translated_one_by_one_join_as_chinese_does():
    """Issue 11 trial: "（quotes.csv）后签发）。 请打印新的门贴" — two sentences on two template lines."""
    from django.template import Context, Template
    from django.utils import translation

    page = Template("{% load site_frame %}{% sentences %}{{ a }}\n      {{ b }}{% endsentences %}")
    with translation.override("zh-hans"):
        said = page.render(Context({"a": "已取代（原因）。", "b": "请打印新的门贴。"}))
    assert said == "已取代（原因）。请打印新的门贴。"
    with translation.override("en"):
        assert page.render(Context({"a": "Replaced.", "b": "Print it."})) == "Replaced.\n      Print it."


def test_the_posters_and_the_published_rules_chinese_is_spaced_too():
    """The door poster's wording and the published level rule live in pure modules (no catalogue), so the check of
    the catalogues never saw them: the poster and the verification page said "平安码等级规则（第1版）" (issue 11's
    trial). Rendered with typical values, as the poster fills them in."""
    from dataclasses import fields

    from pingan.codes.levels import RULE_TEXT_ZH
    from pingan.codes.render import POSTER_TEXTS

    values = {"people": 12, "issued": "2026-12-07 10:00", "expires": "2026-12-14 10:00", "zone": "UTC+8",
              "code_id": "27844A4EE461DCD5", "url": "https://gaj.xm.gov.cn/verify/", "issuer": CHINESE_VALUE,
              "version": 1}
    zh = POSTER_TEXTS["zh"]
    said = [RULE_TEXT_ZH, *zh.levels, *(getattr(zh, f.name).format(**values) for f in fields(zh)
                                        if isinstance(getattr(zh, f.name), str))]
    assert [text for text in said if TOUCHING.search(text)] == []


# ---------------------------------------------------------------------------------------- English quotes

#: An ASCII quotation mark in English prose (issue 11's re-check: 'listed under "What to fix"' on the English job
#: page): a double quote, or a single quote opening a quotation (after a space, a bracket or an inserted value;
#: an apostrophe follows a letter, or is an inserted value's "'s": "can't", "premises'", "%(area)s's"). A quote
#: character named by itself, ``(")`` or "apostrophe ')", is the character the reader types and stays.
ASCII_QUOTE = re.compile(r'(?<!\()"|"(?!\))|(?:^|(?<=[\s(§]))\'(?=[^\s)])(?!s\b)')
TAG = re.compile(r"<[^>]*>")


def source_texts(path: Path):
    """``(text, line)`` of each English source text (``msgid`` and ``msgid_plural``) of a .po file."""
    out, field = [], None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if raw.startswith(("msgid ", "msgid_plural ")):
            out.append([ast.literal_eval(raw.split(" ", 1)[1]), number])
            field = "id"
        elif raw.startswith(("msgstr", "msgctxt", "#")):
            field = None
        elif raw.startswith('"') and field == "id":
            out[-1][0] += ast.literal_eval(raw)
    return [(text, line) for text, line in out if text]


def quote_offences(path: Path) -> list[str]:
    """English texts of ``path`` with an ASCII quotation mark in their prose (markup and placeholders aside)."""
    found = []
    for text, line in source_texts(path):
        prose = PLACEHOLDER.sub("§", TAG.sub("", text))
        if ASCII_QUOTE.search(prose):
            found.append(f"{path.relative_to(SRC) if path.is_relative_to(SRC) else path.name}:{line}: {text}")
    return found


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(SRC).parts[0]))
def test_english_text_has_typographic_quotes(po):
    """English is said with “…” (docs/conventions.md, "English typography"): the English pages show the source
    texts as written, and the trial's English job page read 'listed under "What to fix"'."""
    assert quote_offences(po) == []


def test_the_quote_check_finds_what_the_trial_saw(tmp_path):
    po = tmp_path / "django.po"
    trial = ['it is listed under "What to fix" above.', "%(name)s has no sheet named '%(sheet)s'.",
             "row %(row)s: %(where)s'%(value)s' is not a known value.", "(spaces, '-' and a leading '+')"]
    good = ["it is listed under “What to fix” above.", "can't open “%(filename)s”", "the premises' latest screening",
            "the permitted area of %(area)s's province",
            'a double quote (") is never closed', "(or start it with an apostrophe ').",
            '<a href="%(url)s">the screening</a>']
    po.write_text("".join(f"msgid {json.dumps(t, ensure_ascii=False)}\nmsgstr \"\"\n\n" for t in trial + good),
                  encoding="utf-8")
    assert [o.split(": ", 1)[1] for o in quote_offences(po)] == trial
