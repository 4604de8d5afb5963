"""Tags of the site's frame (``templates/base.html``).

``{% page_title %}…{% endpage_title %}`` renders the document title: "<the page's title> · 平安", or the site's
name alone when the page gives none (a page without a ``title`` block read "平安 · 平安").
"""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape
from django.utils.translation import gettext

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
