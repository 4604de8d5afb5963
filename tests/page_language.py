"""Does a page speak its reader's language? The checks every app's page test runs on each of its pages, in
Chinese and in English (issue 11, "Language").

What a reader sees — the text of ``<main>`` and its ``title``/``placeholder``/``aria-label``/``alt``
attributes, scripts and styles left out — must not contain

* internal identifiers: a rule set's ``name@version`` (``response-targets@1.0.0``), a ``name:name`` pair
  (``lq_officer:officer``), a repository path (``SOURCE.md``, ``src/…``, ``../shared``, ``….toml``), a street's
  9-digit code instead of its name;
* on an English page, Chinese — except data that is Chinese by nature: the values of the fields named in
  :data:`DATA_FIELDS` (names, addresses, place names) and those a test adds;
* on a Chinese page, an untranslated English sentence (four or more Latin words in a row), and Chinese
  typography broken (docs/conventions.md, "Chinese typography"; issue 11's second trial read "高风险区: ",
  "演示房东 (demo_landlord)", "…号码。；7天内"): a half-width bracket or colon beside Chinese, two punctuation marks
  in a row, a number touching a Chinese character — what ``tests/core/test_zh_typography.py``
  checks in each catalogue message, here on what the page shows once messages, labels and data are put together.

Data values are taken out of the text before the language checks, longest first, so a Chinese premises name
on an English page is fine and an English word inside it is not a sentence.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

#: Fields whose values are data that stays in the language it was written in: people's and places' names,
#: addresses and the free text people typed. ``app_label.Model.field``.
DATA_FIELDS = (
    "core.User.display_name", "core.User.username", "core.OrgUnit.name", "core.Premises.name",
    "core.Premises.address", "core.AdminDivision.name",
)

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+")
RULESET_ID = re.compile(r"\b[a-z][\w.-]*@\d+(?:\.\d+)+\b")
INTERNAL_PAIR = re.compile(r"(?<![\w/.])[a-z][a-z0-9]*(?:_[a-z0-9]+)*:[a-z][a-z0-9_]*\b(?!/)")
REPOSITORY_PATH = re.compile(r"\b[\w-]+\.(?:md|toml|py)\b|\bsrc/|\.\./shared")
AREA_CODE = re.compile(r"(?<![\w-])\d{9}(?![\w-])")  # a street's 9-digit code where its name belongs
ENGLISH_SENTENCE = re.compile(r"[A-Za-z][a-z]+(?:[ ,;'’()-]+[A-Za-z][a-z]*){3,}")
ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
HAN = r"[\u3400-\u4dbf\u4e00-\u9fff]"
#: Chinese typography on a Chinese page: each rule and what breaks it. Data values are taken out first — as a
#: Chinese character for the brackets and colons (a name in half-width brackets beside another name is the
#: page's doing), as nothing for the spacing (a name, an address is written as its owner wrote it).
ZH_PUNCTUATION = {
    "half-width bracket beside Chinese": re.compile(rf"{HAN} ?\(|\) ?{HAN}|\([^()]*{HAN}[^()]*\)"),
    "half-width colon after Chinese": re.compile(rf"{HAN} ?:(?![0-9A-Za-z/])"),
    "two punctuation marks in a row": re.compile(r"[。；，：、！？][。；，：、！？]"),
}
#: A number touching a Chinese character ("7天内", "0.00元"); a number and its magnitude are one ("1.5万"). (Latin
#: words are left to the catalogues' check: on a page they are mostly names, "e政务", "ICP备案".)
ZH_SPACING = re.compile(rf"{HAN}[0-9]|[0-9](?![万亿]){HAN}")
#: Fixed Chinese forms, left as they are written: a date "2016年1月1日" or "12月7日" (``core.texts.day``: a date in
#: a sentence is written without spaces, GB/T 15835), a decree "第663号".
ZH_FIXED_FORMS = re.compile(r"\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?)?|\d{1,2}月\d{1,2}日|第\d+号")


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._skip += 1
        self.parts.extend(v for k, v in attrs if k in ATTRIBUTES and v)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data)


def visible_text(html: str) -> list[str]:
    """The text pieces of the page's ``<main>`` a reader sees or hears (one per text node or attribute)."""
    start, end = html.find("<main"), html.rfind("</main>")
    parser = _Text()
    parser.feed(html[start:end] if start >= 0 and end > start else html)
    return [" ".join(p.split()) for p in parser.parts]


def data_values(*extra_fields: str, values: tuple[str, ...] = ()) -> list[str]:
    """The values of :data:`DATA_FIELDS` and ``extra_fields`` in the database, plus ``values``, longest first."""
    from django.apps import apps

    from pingan.dashboard.geo import townships
    from pingan.lib import adcodes

    # Place names of the city (its districts and streets), wherever a page names a place
    found = {*values, *(d.name for d in adcodes.children("350200")), *(t.name for t in townships())}
    for spec in (*DATA_FIELDS, *extra_fields):
        app_label, model, field = spec.split(".")
        found.update(v for v in apps.get_model(app_label, model).objects.values_list(field, flat=True) if v)
    return sorted((str(v) for v in found if str(v).strip()), key=len, reverse=True)


def problems(html: str, language: str, data: list[str]) -> list[str]:
    """What is wrong with the page for a reader of ``language`` (``"zh-hans"`` or ``"en"``): one line each."""
    found = []
    for text in visible_text(html):
        for pattern, what in ((RULESET_ID, "rule-set id"), (INTERNAL_PAIR, "internal identifier"),
                              (REPOSITORY_PATH, "repository path"), (AREA_CODE, "raw area code")):
            found += [f"{what} {m.group(0)!r} in {text!r}" for m in pattern.finditer(text)]
        rest, named = text, text
        for value in data:
            if value in rest:
                rest = rest.replace(value, " ")
            if value in named:
                named = named.replace(value, "名")
        if language == "en":
            found += [f"Chinese {m.group(0)!r} in {text!r}" for m in CJK.finditer(rest)]
        else:
            found += [f"English {m.group(0)!r} in {text!r}" for m in ENGLISH_SENTENCE.finditer(rest)]
            found += zh_typography(text, rest, named)
    return found


def zh_typography(text: str, rest: str | None = None, named: str | None = None) -> list[str]:
    """What breaks :data:`ZH_PUNCTUATION` and the spacing rule in one text of a Chinese page (``rest``: the
    text with its data values blanked, ``named``: with them as a Chinese character; both ``text`` by default).
    A web address is not text."""
    rest, named = (re.sub(r"\S*://\S*", " ", s) for s in (text if rest is None else rest,
                                                          text if named is None else named))
    found = [f"{rule} {m.group(0)!r} in {text!r}" for rule, rx in ZH_PUNCTUATION.items() for m in rx.finditer(named)]
    rest = ZH_FIXED_FORMS.sub(" ", rest)
    return found + [f"no space {m.group(0)!r} in {text!r}" for m in ZH_SPACING.finditer(rest)]


def text_problems(text: str, language: str, data: tuple[str, ...] | list[str] = ()) -> list[str]:
    """What is wrong with one text (a message, a download's cell, a CLI line) for a reader of ``language``
    (``"zh-hans"``/``"zh"`` or ``"en"``): Chinese in an English text, an English sentence in a Chinese one,
    data values (``data``: names, cells the text quotes) taken out first."""
    rest = text
    for value in sorted(data, key=len, reverse=True):
        if value:
            rest = rest.replace(value, " ")
    if language == "en":
        return [f"Chinese {m.group(0)!r} in {text!r}" for m in CJK.finditer(rest)]
    return [f"English {m.group(0)!r} in {text!r}" for m in ENGLISH_SENTENCE.finditer(rest)]


def assert_language(text: str, language: str, data: tuple[str, ...] | list[str] = ()) -> None:
    """Fail unless ``text`` is in ``language`` alone (:func:`text_problems`): never "中文 / English"."""
    found = text_problems(text, language, data)
    assert not found, "\n".join(found)


def report(found: dict[str, list[str]]) -> str:
    """The problems of every page, one line each, each distinct problem once (with the first page it was on)."""
    seen: dict[str, str] = {}
    for page, lines in found.items():
        for line in lines:
            seen.setdefault(line, page)
    return "\n" + "\n".join(f"{page}: {line}" for line, page in seen.items())


def check_pages(client, pages, people: dict, objects: dict, sign_in, language: str, data: list[str]) -> str:
    """Every page of ``pages`` (``(name, url, {role: status})``, as the apps' permission tests list them) for
    one account of each kind that may see it (status 200; a role not in ``people`` is anonymous), in
    ``language``: the problems found (``""`` for none). Downloads (not HTML) are skipped."""
    from django.conf import settings

    found: dict[str, list[str]] = {}
    for name, url, ok in pages:
        kinds: dict[str, object] = {}
        for role in (r for r, status in ok.items() if status == 200):
            user = people.get(role)
            kinds.setdefault(user.role if user else role, user)
        for kind, user in kinds.items():
            client.logout()
            if user is not None:
                sign_in(client, user)
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
            response = client.get(url.format(**objects))
            assert response.status_code == 200, (name, kind, response.status_code)
            if response["Content-Type"].startswith("text/html"):
                found[f"{name} as {kind}"] = problems(response.content.decode(), language, data)
    return report(found) if any(found.values()) else ""
