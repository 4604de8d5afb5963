"""Tags of the site's frame (``templates/base.html``).

``{% page_title %}…{% endpage_title %}`` renders the document title: "<the page's title> · 平安", or the site's
name alone when the page gives none (a page without a ``title`` block read "平安 · 平安").

``{% nav_current nav %}`` names the current section for the phone's menu button (a group's page by its own
label), or "Menu" on a page of no section.

``{% empty_row N %}…{% endempty_row %}`` is the row a table shows when it has none: one cell across its ``N``
columns, its text centred in the box the reader sees (``.empty-state``; a record table's phone card layout put
it in the value column, off-centre, and some tables gave it one narrow column of seven).

``{{ items|listed }}`` joins a list as the reader's language does (``甲、乙`` / ``a, b``), ``{{ texts|clauses }}``
joins clauses (``；`` / ``; ``), never doubling a full stop (``core.texts``).

``{{ n|figure }}`` prints a count with its thousands grouped (``207,100``), in every language.

``{% comma %}`` and ``{% semicolon %}`` join two clauses or sentences written side by side ("，" / ", ", "；" / "; ").

``{% colon %}`` is the colon after a label in the reader's language: the full-width "：" on Chinese pages, ": "
on English ones (a label translated alone and followed by an ASCII colon read "依据: " on Chinese pages).

``{% paren %}…{% endparen %}`` puts an aside in brackets as the reader's language does: " (…)" on English pages,
"（…）" with no space before on Chinese ones (issue 11: "新冠…查 (版本 1.3.0)"); write it right after the word it
follows, with no space (``{{ title }}<span class="muted">{% paren %}…{% endparen %}</span>``).

``{% sentences %}…{% endsentences %}`` joins sentences translated one by one (each on its own template line) as the
reader's language does: on Chinese pages no space after full-width punctuation (issue 11: "…后签发）。 请打印新的门贴").

``{{ value|whole }}`` keeps a number people read or type — an ID number, a date, a plate, an address — on one
line (``.whole``; issue 11: "4107111992041591 / 82" at 375 px).
"""

from __future__ import annotations

import re

from django import template
from django.utils.html import conditional_escape, strip_tags
from django.utils.translation import gettext

from pingan.core.texts import clauses as texts_clauses
from pingan.core.texts import colon as texts_colon
from pingan.core.texts import comma as texts_comma
from pingan.core.texts import figure as texts_figure
from pingan.core.texts import join, lang
from pingan.core.texts import list_separator as texts_list_separator
from pingan.core.texts import paren as texts_paren
from pingan.core.texts import semicolon as texts_semicolon
from pingan.core.texts import separated as texts_separated

register = template.Library()


class PageTitleNode(template.Node):
    child_nodelists = ("nodelist",)  # the ``title`` block inside is found and overridden by child templates

    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: template.Context) -> str:
        site = conditional_escape(gettext("pingan"))
        title = " ".join(self.nodelist.render(context).split())
        return f"{title} · {site}" if title and title != site else site


@register.tag
def page_title(parser: template.base.Parser, token: template.base.Token) -> PageTitleNode:
    nodelist = parser.parse(("endpage_title",))
    parser.delete_first_token()
    return PageTitleNode(nodelist)


class WideTableNode(template.Node):
    """``{% widetable %}<table>…</table>{% endwidetable %}``: the one way a page shows a table that may be wider
    than a phone (issue 11: the stats clearance table was clipped at 375 px with no sign there was more).

    The table scrolls sideways inside its own box (the page never does); the box is a keyboard-focusable region
    with shadows at the edge that has more (CSS, works without script), and while the table is wider than its
    box a line above it says so ("swipe sideways to see the whole table"; ``base.html``'s script shows it on
    load, on resize and after an htmx swap).
    """

    child_nodelists = ("nodelist",)

    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: template.Context) -> str:
        hint = conditional_escape(gettext("Swipe sideways to see the whole table"))
        region = conditional_escape(gettext("Table (scrolls sideways)"))
        return (f'<div class="wide-table"><p class="scroll-hint" hidden>{hint}</p>'
                f'<div class="table-wrap" role="region" tabindex="0" aria-label="{region}">'
                f"{long_headings(self.nodelist.render(context))}</div></div>")


_HEADING = re.compile(r"<th\b([^>]*)>(.*?)</th>", re.S)
_CLASS = re.compile(r'\bclass="([^"]*)"')
#: A heading of this many words or more is marked ``long`` (site.css gives it a minimum width).
LONG_HEADING_WORDS = 3


def long_headings(html: str) -> str:
    """``html`` with each table heading of :data:`LONG_HEADING_WORDS` words or more marked ``class="long"``: a
    squeezed column laid such a heading out a word per line ("of them / not / on / the / latest / roster", the
    English overview's table at 375 px, issue 11), and site.css gives it room for a few words a line (the table
    scrolls in its box). Chinese headings are one run of characters (no spaces), never marked."""
    def mark(m: re.Match) -> str:
        attrs, inner = m.group(1), m.group(2)
        if len(strip_tags(inner).split()) < LONG_HEADING_WORDS:
            return m.group(0)
        if _CLASS.search(attrs):
            attrs = _CLASS.sub(lambda c: f'class="{c.group(1)} long"', attrs, count=1)
        else:
            attrs += ' class="long"'
        return f"<th{attrs}>{inner}</th>"

    return _HEADING.sub(mark, html)


@register.tag
def widetable(parser: template.base.Parser, token: template.base.Token) -> WideTableNode:
    nodelist = parser.parse(("endwidetable",))
    parser.delete_first_token()
    return WideTableNode(nodelist)


@register.simple_tag
def nav_current(nav) -> str:
    """The label of the current entry of ``nav`` (:func:`pingan.core.navigation.menu_for`): the current child
    of a group, else the current section, else "Menu"."""
    for item in nav or ():
        for child in item.get("children", ()):
            if child["current"]:
                return str(child["label"])
        if item["current"] and not item.get("children"):
            return str(item["label"])
    return gettext("Menu")


class EmptyRowNode(template.Node):
    child_nodelists = ("nodelist",)

    def __init__(self, columns: template.base.FilterExpression, nodelist: template.NodeList) -> None:
        self.columns = columns
        self.nodelist = nodelist

    def render(self, context: template.Context) -> str:
        columns = int(self.columns.resolve(context))
        return (f'<tr class="empty-row"><td colspan="{columns}" class="empty-state">'
                f"<span>{self.nodelist.render(context)}</span></td></tr>")


@register.tag
def empty_row(parser: template.base.Parser, token: template.base.Token) -> EmptyRowNode:
    """``{% empty_row 5 %}{% translate "None." %}{% endempty_row %}``: a table's row when it has none."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("{% empty_row N %} takes the table's number of columns")
    nodelist = parser.parse(("endempty_row",))
    parser.delete_first_token()
    return EmptyRowNode(parser.compile_filter(bits[1]), nodelist)


class ParenNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context) -> str:
        return texts_paren(self.nodelist.render(context))


@register.tag
def paren(parser, token):
    """``{% paren %}…{% endparen %}``: see the module's docstring."""
    nodelist = parser.parse(("endparen",))
    parser.delete_first_token()
    return ParenNode(nodelist)


class SentencesNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context) -> str:
        import re

        out = self.nodelist.render(context)
        # the punctuation, any closing tags after it (</strong>), then the template's line break and indent
        return (re.sub(r"([。！？；：，）”]((?:</[a-z]+>)*))\s+(?=[^\s<]|<(?!br))", r"\1", out)
                if lang(when_none="en") == "zh" else out)


@register.tag
def sentences(parser, token):
    """``{% sentences %}…{% endsentences %}``: see the module's docstring."""
    nodelist = parser.parse(("endsentences",))
    parser.delete_first_token()
    return SentencesNode(nodelist)


@register.filter
def whole(value) -> str:
    """``value`` (escaped) in a ``<span class="whole">``, which never breaks across lines; ``""`` stays empty."""
    from django.utils.safestring import mark_safe

    if value is None or value == "":
        return ""
    return mark_safe(f'<span class="whole">{conditional_escape(value)}</span>')  # noqa: S308 - escaped above


@register.filter
def country(name: str) -> str:
    """A country's name (English, Chinese, the UN's, ``韩国 (KR)``, a code) in the page's language (``lib.countries``,
    Debian's iso-codes): 朝鲜 on a Chinese page, "South Korea" for 韩国 on an English one (issue 11: "韩国 (KR)" on
    English pages); a name it does not know as given."""
    from pingan.lib.countries import name_in

    return name_in(name or "", lang(when_none="en")) or name


@register.simple_tag
def colon() -> str:
    """The colon after a label: "：" in Chinese, ": " otherwise (``core.texts.colon``)."""
    return texts_colon()


@register.filter
def figure(value) -> str:
    """A count with its thousands grouped (``core.texts.figure``: ``207,100``): every count a page prints."""
    return texts_figure(value)


@register.filter
def day(value, year: bool = True) -> str:
    """A day as the reader's language writes it in a sentence (``core.texts.day``: ``2026年12月7日`` /
    ``7 Dec 2026``; ``|day:False`` without the year)."""
    from pingan.core.texts import day as texts_day

    return texts_day(value, year=bool(year), when_none="en")


@register.filter
def days(start, end) -> str:
    """``{{ start|days:end }}``: the days from one to the other as the reader's language writes a range, with
    the year (``core.texts.days``: ``2025年12月8日至12月14日`` / ``8–14 Dec 2025``; one day as that day)."""
    from pingan.core.texts import days as texts_days

    return texts_days(start, end, when_none="en") if start and end else ""


#: The zones whose clock is China Standard Time, which Chinese calls Beijing time.
BEIJING_ZONES = frozenset({"Asia/Shanghai", "Asia/Chongqing", "Asia/Chungking", "Asia/Harbin", "PRC"})


@register.simple_tag
def time_zone_note() -> str:
    """The clock a page's times are on, said once where they are bare (``14:03:05``): "Times are Beijing time
    (UTC+08:00)." — the bureau's zone (``TIME_ZONE``), whatever the viewer's device is set to (issue 11's trial:
    the dispatch pages showed a clock with no zone; the alert pages say "UTC+08:00" beside each time)."""
    from django.conf import settings

    from pingan.core.texts import utc_offset

    offset = utc_offset()
    if settings.TIME_ZONE in BEIJING_ZONES:
        return gettext("Times are Beijing time (%(offset)s).") % {"offset": offset}
    return gettext("Times are in the time zone %(zone)s (%(offset)s).") % {"zone": settings.TIME_ZONE,
                                                                            "offset": offset}


@register.simple_tag
def comma() -> str:
    """The comma between two clauses written side by side: "，" in Chinese, ", " otherwise (``core.texts.comma``)."""
    return texts_comma()


@register.simple_tag
def list_separator() -> str:
    """Between two items of a list a loop writes: "、" in Chinese, ", " otherwise (``core.texts.list_separator``);
    never a separator written in the template (``tests/core/test_list_separators.py``)."""
    return texts_list_separator()


@register.simple_tag
def semicolon() -> str:
    """The semicolon between two sentences written side by side: "；" / "; " (``core.texts.semicolon``)."""
    return texts_semicolon()


@register.filter
def listed(items) -> str:
    """``items`` joined as the reader's language lists them (``core.texts.join``: ``甲、乙`` / ``a, b``): the
    one way a template joins a list a person reads (never ``|join:", "``, which is English in Chinese text)."""
    return join(items or (), when_none="en")


@register.filter
def separated(items) -> str:
    """``items`` that may hold commas (names, filters) separated as the reader's language does
    (``core.texts.separated``: ``；`` / ``; ``)."""
    return texts_separated(items or (), when_none="en")


@register.filter
def clauses(items) -> str:
    """``items`` (texts) joined as the reader's language joins clauses (``core.texts.clauses``: ``；`` / ``; ``,
    a clause's own full stop dropped before the next)."""
    return texts_clauses(items or (), when_none="en")


@register.simple_tag(takes_context=True)
def purpose_url(context) -> str:
    """Where the signed-in officer declares another purpose and comes back to this page
    (:func:`pingan.core.web.purpose_url`)."""
    from pingan.core.web import purpose_url as url

    return url(context["request"])


@register.filter
def purpose_label(code: str) -> str:
    """A purpose-of-use code in the reader's language (``core.audit.PURPOSES``)."""
    from pingan.core.audit import purpose_label as label

    return label(code or "")
