"""Stored messages — a code and its parameters — rendered in the reader's language at display time.

What pingan tells a person about a row, a file or a job (a screening reason, a rejected row, a note on how a
roster was read) is stored as ``{"code": ..., "params": {...}}``, never as finished text, so that the same
record reads as Chinese to a Chinese reader and as English to an English one, and a machine (the API, a
download's code column) gets the stable code. Each app registers the templates of its codes
(:func:`register`, from ``AppConfig.ready()``): a lazy translation with ``%(name)s`` placeholders, or a
function of the parameters for the few messages whose wording depends on them.

Parameter values are rendered before they are put into the template:

* a message (a dict with ``code``) — rendered the same way, in the same language;
* a text per language (a dict with ``zh``/``en`` keys, e.g. a rule set's reason) — the reader's language,
  else English, else any;
* a list — its items joined as the language joins them (``、`` in Chinese, ``, `` in English);
* anything else — ``str()``.

An unknown code renders as its parameters' ``text`` when it has one, else as the code itself, so that a
message stored by a newer version never breaks a page.

**References.** A parameter that names a record by its database id — ``job`` (a screening), ``review``,
``override``, ``dispute`` — is stored and raised as the id (the API and the audit trail keep it), but a person
does not know "screening job 21": the app that owns the record registers how to name it
(:func:`register_reference`, e.g. "the upload of 2026-12-06 14:03 (tenants.xlsx)"), and :func:`render` and
``pingan.core.error_messages.page_message`` show that instead (:func:`references`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.utils.translation import get_language

Template = Any  # a lazy translation (Promise) or a callable(params) -> str
_TEMPLATES: dict[str, Template] = {}


_REFERENCES: dict[str, Callable[[Any], str]] = {}


def register_reference(name: str, describe: Callable[[Any], str]) -> None:
    """How a person recognises the record a parameter called ``name`` holds the id of (its date, its file
    name…), in the active language; ``describe`` returns ``""`` when the record is gone (the id is shown)."""
    _REFERENCES[name] = describe


def references(params: Mapping[str, Any], known: Mapping[str, str] | None = None) -> dict[str, Any]:
    """``params`` with each registered reference (an id) replaced by what a person recognises it by
    (``known``: what the caller already has at hand, by parameter name, so no query is made for it)."""
    out = dict(params)
    for name, describe in _REFERENCES.items():
        value = out.get(name)
        if known and name in known and value is not None:
            out[name] = known[name]
            continue
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            try:
                out[name] = describe(int(value)) or value
            except Exception:  # no database at hand (a message rendered outside a request): the id, as before
                out[name] = value
    return out


def register(templates: Mapping[str, Template]) -> None:
    """Add message templates by code (a later registration of the same code replaces it)."""
    _TEMPLATES.update(templates)


def registered() -> Mapping[str, Template]:
    """Every registered code and its template (for tests and the catalogue check)."""
    return dict(_TEMPLATES)


def lang(language: str | None = None, *, when_none: str = "zh") -> str:
    """``"zh"`` when ``language`` (a language code; default: the active language) is Chinese, else ``"en"``:
    the keys of per-language texts, and pingan's one rule for "is this Chinese?" (``zh``, ``zh-hans``,
    ``zh_Hans`` …).

    ``when_none``: the answer when there is no language at all — none given and none active
    (``translation.deactivate_all()``, Django's ``no_translations`` commands). Chinese, the site's language, by
    default; the callers that have always fallen back to English there pass ``when_none="en"``.
    """
    code = language or get_language()
    if not code:
        return when_none
    return "zh" if code.lower().startswith("zh") else "en"


def pick(texts: Mapping[str, str], *, when_none: str = "zh") -> str:
    """The text of the reader's language from ``{"zh": ..., "en": ...}``, else English, else any
    (``when_none``: :func:`lang`)."""
    return texts.get(lang(when_none=when_none)) or texts.get("en") or next(iter(texts.values()), "")


def join(items: Iterable[Any], *, when_none: str = "zh", language: str | None = None) -> str:
    """Items as the reader's language lists them: ``甲、乙`` / ``a, b`` (``language``: a language code, default
    the active one; ``when_none``: :func:`lang`). The one way a list a person reads is joined — a page's, a
    message's parameter (``core.errors.localised`` joins a list parameter so), a command's line — never a
    ``"、"`` or ``", "`` written at the call (issue 11: an English message listed its headers with ``、``)."""
    return list_separator(when_none=when_none, language=language).join(_value(i) for i in items)


#: What ends a sentence or a clause, in either language: dropped before a clause joiner (issue 11: "…号码。；7天内").
_CLAUSE_ENDS = "。；，.;,"


def clauses(parts: Iterable[str], *, when_none: str = "zh", language: str | None = None) -> str:
    """Clauses (or whole messages) as one text, separated as the language separates them — ``；`` in Chinese,
    ``; `` in English, where the text starts with a capital — each clause's own closing full stop or
    semicolon dropped first (the last clause keeps its end), so that a message that ends a sentence does not
    read "…号码。；7 天内…" / "….; travel…". Empty parts are left out."""
    said = [p.strip() for p in (str(x) for x in parts) if p and p.strip()]
    said = [*(p.rstrip(_CLAUSE_ENDS).rstrip() or p for p in said[:-1]), *said[-1:]]
    if lang(language, when_none=when_none) == "zh":
        return "；".join(said)
    text = "; ".join(said)
    return text[:1].upper() + text[1:]  # an English sentence starts with a capital


def separated(items: Iterable[Any], *, when_none: str = "zh", language: str | None = None) -> str:
    """Items that may hold commas themselves (a listed person's names, "SMITH, John"; a search's filters) as
    the reader's language separates them: ``；`` in Chinese, ``; `` in English, each as it is."""
    return ("；" if lang(language, when_none=when_none) == "zh" else "; ").join(_value(i) for i in items)


def paren(text: Any, *, when_none: str = "en", language: str | None = None) -> str:
    """An aside in brackets as the reader's language writes it, to put right after the word it follows:
    ``（…）`` with no space in Chinese, `` (…)`` in English (issue 11: "演示房东 (demo_landlord)"; the templates'
    ``{% paren %}``)."""
    if lang(language, when_none=when_none) == "zh":
        return f"（{_value(text)}）"
    return f" ({_value(text)})"


def colon(*, when_none: str = "en", language: str | None = None) -> str:
    """The colon after a label: ``：`` in Chinese, ``": "`` in English (the templates' ``{% colon %}``)."""
    return "：" if lang(language, when_none=when_none) == "zh" else ": "


def figure(value: Any) -> str:
    """A count as pages print it, in either language: digits in groups of three with a comma (``207,100``; GB/T
    15835 allows the comma, and official Chinese statistics use it — Django's zh_Hans format groups nothing;
    issue 11: "207100"). A year, an id or a code is not a count: it is never passed here. Anything that is not a
    whole number is returned as it is."""
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(value) if str(value).strip().lstrip("-").isdigit() else value
        except (TypeError, ValueError):
            return "" if value is None else str(value)
    return f"{value:,}" if isinstance(value, int) else ("" if value is None else str(value))


def comma(*, when_none: str = "en", language: str | None = None) -> str:
    """The comma between two clauses of one sentence written side by side (a count and the next): ``，`` in
    Chinese, ``", "`` otherwise (the templates' ``{% comma %}``; issue 11: "1 行未筛查, 2 行…")."""
    return "，" if lang(language, when_none=when_none) == "zh" else ", "


def list_separator(*, when_none: str = "en", language: str | None = None) -> str:
    """What stands between two items of a list written item by item (a template's loop): ``、`` in Chinese,
    ``", "`` otherwise — :func:`join`'s separator (the templates' ``{% list_separator %}``; issue 11: lists in
    Chinese text read "a, b" and "3↔2; 4↔2")."""
    return "、" if lang(language, when_none=when_none) == "zh" else ", "


def semicolon(*, when_none: str = "en", language: str | None = None) -> str:
    """The semicolon between two sentences written side by side: ``；`` in Chinese, ``"; "`` otherwise (the
    templates' ``{% semicolon %}``)."""
    return "；" if lang(language, when_none=when_none) == "zh" else "; "


def labelled(label: Any, sentence: Any, *, when_none: str = "en", language: str | None = None) -> str:
    """A label and the sentence that continues it after the language's colon (:func:`colon`): "已撤销：此码…" /
    "revoked: this code…". In English the sentence's first letter is lower-cased, since it no longer starts a
    sentence (the fresh-user trial read "revoked: The police…", "not a safety code: This is…"); a word in
    capitals ("PA1", "CSV") is kept as it is."""
    text = _value(sentence)
    if lang(language, when_none=when_none) != "zh" and text[:1].isupper() and not text[1:2].isupper():
        text = text[:1].lower() + text[1:]
    return f"{_value(label)}{colon(when_none=when_none, language=language)}{text}"


def moment(value: Any) -> str:
    """A date-time for a person to read: local (the bureau's ``TIME_ZONE``), ``YYYY-MM-DD HH:MM``, as the pages
    show it (``|date:"Y-m-d H:i"``); ``""`` for ``None``. Never ISO 8601's ``2026-12-14T06:46:12+08:00`` (issue
    11: the demo printed it): that form is for programs (the API, ``--json``, tab-separated lists)."""
    from django.utils import timezone

    if value is None:
        return ""
    if getattr(value, "tzinfo", None) is not None:
        value = timezone.localtime(value)
    return value.strftime("%Y-%m-%d %H:%M")


def utc_offset(value: Any = None) -> str:
    """``UTC+08:00`` for ``value`` (default now) in the bureau's time zone, or in its own zone when ``value``
    is an aware time already put in one (``alerts.labels.when``); ``UTC`` at offset zero."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    local = value if value is not None and isinstance(value.tzinfo, ZoneInfo) else timezone.localtime(value)
    off = local.utcoffset() or dt.timedelta()
    if not off:
        return "UTC"
    minutes = int(off.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day(value: Any, *, year: bool = True, when_none: str = "zh", language: str | None = None) -> str:
    """A calendar day as the reader's language writes it in a sentence: ``2026年12月7日`` / ``7 Dec 2026``,
    without the year when ``year`` is false (``12月7日`` / ``7 Dec``; issue 11: a CompStat window read
    "12-07–12-07"). ``""`` for ``None``. (Tables and forms keep ISO's ``2026-12-07``: it sorts and is typed.)"""
    if value is None:
        return ""
    if lang(language, when_none=when_none) == "zh":
        return f"{value.year}年{value.month}月{value.day}日" if year else f"{value.month}月{value.day}日"
    said = f"{value.day} {_MONTHS_EN[value.month - 1]}"
    return f"{said} {value.year}" if year else said


def days(start: Any, end: Any, *, year: bool = True, when_none: str = "zh", language: str | None = None) -> str:
    """The days from ``start`` to ``end`` (both included) as the reader's language writes a range: one day as
    that day (:func:`day`), else ``12月7日至12月13日`` / ``7–13 Dec``, ``12月29日至1月4日`` / ``29 Dec – 4 Jan``;
    with ``year``, ``2025年12月8日至12月14日`` / ``8–14 Dec 2025``, and across a new year
    ``2025年12月29日至2026年1月4日`` / ``29 Dec 2025 – 4 Jan 2026`` (issue 11: a one-day week read
    "12-07-12-07")."""
    kw = {"when_none": when_none, "language": language}
    if start == end:
        return day(start, year=year, **kw)
    same_year = start.year == end.year
    if lang(language, when_none=when_none) == "zh":
        return f"{day(start, year=year, **kw)}至{day(end, year=year and not same_year, **kw)}"
    tail = f" {end.year}" if year and same_year else ""
    if same_year and start.month == end.month:
        return f"{start.day}–{day(end, year=False, **kw)}{tail}"
    if same_year:
        return f"{day(start, year=False, **kw)} – {day(end, year=False, **kw)}{tail}"
    return f"{day(start, year=year, **kw)} – {day(end, year=year, **kw)}"


def duration(seconds: float) -> str:
    """A duration for a person, in the active language: ``0.42 秒``/``0.42 s`` under a minute, else
    ``3 分 17 秒``/``3 min 17 s`` (``1 小时 2 分``/``1 h 2 min`` from an hour)."""
    from django.utils.translation import gettext

    if seconds < 60:
        return gettext("%(seconds)s s") % {"seconds": f"{seconds:.2f}"}
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return gettext("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
    return gettext("%(minutes)s min %(seconds)s s") % {"minutes": minutes, "seconds": secs}


def _value(v: Any) -> str:
    if isinstance(v, Mapping):
        return render(v) if "code" in v else pick(v)
    if isinstance(v, list | tuple):
        return join(v)
    if isinstance(v, bool):
        return str(v).lower()
    return "" if v is None else str(v)


def render(message: Mapping[str, Any] | None, known: Mapping[str, str] | None = None) -> str:
    """One stored message as text in the active language (``""`` for ``None``); ``known``: see
    :func:`references`."""
    if not message:
        return ""
    code = message.get("code", "")
    params = message.get("params") or {}
    template = _TEMPLATES.get(code)
    if template is None:
        text = params.get("text")
        return _value(text) if text else code
    params = references(params, known)
    if callable(template) and not hasattr(template, "_proxy____args"):
        return str(template(params))
    values = {k: _value(v) for k, v in params.items()}
    try:
        return str(template) % values
    except (KeyError, ValueError, TypeError):  # a template and stored params of different versions
        return str(template)


def render_all(messages: Iterable[Mapping[str, Any]] | None) -> str:
    """Several messages as one text, separated as the language separates clauses (:func:`clauses`)."""
    return clauses(render(m) for m in messages or ())


_HALVES = None
_FORMS = None


def legacy(text: str) -> str:
    """A text stored before messages were codes, in the reader's language (issue 11: never both).

    Those texts put both languages side by side in three ways, and a reason joined its clauses with ``；``:

    * "中文 / English" (a roster note, the phone note): the half of the reader's language — the halves part at
      the first " / " with Chinese before it and a Latin letter after it;
    * "English / 中文" (the identity module's errors, "check character does not match (ISO 7064 MOD 11-2) /
      校验码错误"): likewise;
    * "中文 (English)" (a rule's reason, "7天内有高风险区旅居史 (travel through a high-risk area within 7 days)"),
      followed by "：" and a detail for the identity rule, the detail read the same way.

    Each clause of a ``；``-joined text is read on its own and the clauses joined as the language joins them
    (``；`` / ``; ``, an English sentence starting with a capital). A text in none of these forms is returned
    as it is."""
    global _HALVES, _FORMS
    import re

    if _HALVES is None:
        han = "\u4e00-\u9fff\u3000-\u303f\uff00-\uffef"
        _HALVES = re.compile(rf"(?s)\A(?P<zh>.*?[{han}].*?) / (?P<en>[A-Za-z].*)\Z")
        _FORMS = (
            re.compile(rf"(?s)\A(?P<en>[A-Za-z][^{han}]*?) / (?P<zh>.*?[{han}].*)\Z"),
            re.compile(rf"(?s)\A(?P<zh>[^()]*?[{han}][^()]*?) \((?P<en>[A-Za-z][^()]*)\)(?:[：:](?P<detail>.+))?\Z"),
        )
    if not text:
        return text
    zh = lang() == "zh"

    def clause(part: str) -> str:
        m = _HALVES.match(part)
        if m is None:
            m = _FORMS[0].match(part) or _FORMS[1].match(part)
        if m is None:
            return part
        said = m.group("zh") if zh else m.group("en")
        detail = m.groupdict().get("detail")
        return f"{said}{'：' if zh else ': '}{clause(detail.strip())}" if detail else said

    if "；" not in text:
        return clause(text)
    return clauses(clause(p.strip()) for p in text.split("；") if p.strip())


def message(code: str, **params: Any) -> dict[str, Any]:
    """A message to store: ``{"code": code, "params": params}``."""
    return {"code": code, "params": params}


def by_params(choose: Callable[[Mapping[str, Any]], Template]) -> Callable[[Mapping[str, Any]], str]:
    """A template chosen from the parameters (e.g. a sentence with and without an optional clause):
    ``choose(params)`` returns the lazy template, which is then filled like any other."""

    def rendered(params: Mapping[str, Any]) -> str:
        template = choose(params)
        values = {k: _value(v) for k, v in params.items()}
        return str(template) % values

    return rendered
