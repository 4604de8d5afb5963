"""Template filters of the anti-fraud pages: money in yuan, dictionary look-up, translated codes.

Every code an anti-fraud page shows — an order's step and statuses, a trace's account kinds and path ends, an
identifier's kind — goes through a filter here and is said in the reader's language (issue 11: the order page
showed "expire · in_force → expired"); ``CODE_LABELS`` lists them for ``tests/antifraud``'s check that each
code the models and services can write has a label.
"""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pingan.antifraud.models import AccountKind, IdentifierKind, OrderStatus

register = template.Library()

REJECTIONS = {
    "columns": _("wrong number of cells"), "time_missing": _("no transaction time"),
    "time_invalid": _("not a date and time"), "amount_missing": _("no amount"),
    "amount_invalid": _("not an amount"), "amount_zero": _("zero amount"),
    "direction_invalid": _("not a debit/credit mark"), "sign_conflict": _("negative amount marked as credit"),
    "debit_and_credit": _("both debit and credit filled"), "balance_invalid": _("balance is not an amount"),
    "serial_duplicate": _("transaction serial repeated in the file"),
    "control_character": _("an invisible control character that changes how the text shows; type the cell again"),
    "bad_quote": _("a double quote in this cell is not closed on its line (the rows below were read on their "
                   "own): delete the stray quote or close it on this line, then import the row again"),
}
LABELS = {"transit": _("transit (中转)"), "sink": _("sink (沉淀)"),
          "fast_in_fast_out": _("fast in, fast out (快进快出)")}


@register.filter
def yuan(cents) -> str:
    """Cents as ``¥1,234.56`` (``–`` for none)."""
    if cents is None or cents == "":
        return "–"
    return f"¥{float(cents) / 100:,.2f}"


@register.filter
def get(mapping, key):
    try:
        return mapping.get(key, "") if hasattr(mapping, "get") else mapping[key]
    except (KeyError, IndexError, TypeError):
        return ""


@register.filter
def rejection(code: str) -> str:
    return str(REJECTIONS.get(code, code))


@register.filter
def flowlabel(code: str) -> str:
    return str(LABELS.get(code, code))


#: an order's steps (``OrderEvent.action``, written by ``services._event``)
ORDER_ACTIONS = {
    "draft": pgettext_lazy("antifraud order step", "drafted"),
    "approve": pgettext_lazy("antifraud order step", "approved"),
    "send": pgettext_lazy("antifraud order step", "sent to the bank"),
    "feedback": pgettext_lazy("antifraud order step", "bank's feedback recorded"),
    "renewed": pgettext_lazy("antifraud order step", "renewed by a new order"),
    "promoted": pgettext_lazy("antifraud order step", "moved up: the freeze ahead ended"),
    "lift": pgettext_lazy("antifraud order step", "lifted"),
    "expire": pgettext_lazy("antifraud order step", "expired"),
    "remind": pgettext_lazy("antifraud order step", "reminder: expires soon"),
}
#: what a trace says about an account (``services.trace_run``'s ``kind``) and where a path ended
TRACE_KINDS = {**dict(AccountKind.choices), "account": _("bank account"),
               "no_statement": _("no statement yet")}
PATH_ENDS = {"held": pgettext_lazy("antifraud path end", "still held"),
             "stopped": pgettext_lazy("antifraud path end", "left the banking system")}
CODE_LABELS = {"order_action": ORDER_ACTIONS, "order_status": dict(OrderStatus.choices),
               "trace_kind": TRACE_KINDS, "path_end": PATH_ENDS, "identifier_kind": dict(IdentifierKind.choices)}


def _label(table: dict, code) -> str:
    """The label of ``code``; an unknown code (none today) stays readable as itself rather than vanish."""
    return str(table.get(code, code)) if code else "–"


@register.filter
def order_action(code: str) -> str:
    return _label(ORDER_ACTIONS, code)


@register.filter
def order_status(code: str) -> str:
    return _label(CODE_LABELS["order_status"], code)


@register.filter
def trace_kind(code: str) -> str:
    return _label(TRACE_KINDS, code)


@register.filter
def path_end(code: str) -> str:
    return _label(PATH_ENDS, code)


@register.filter
def identifier_kind(code: str) -> str:
    return _label(CODE_LABELS["identifier_kind"], code)


#: IM platforms a report's IM account is chosen under (the stored key stays ``platform:account``,
#: ``antifraud.identifiers``; the API's stable form)
IM_PLATFORMS = {
    "wechat": _("WeChat"), "qq": _("QQ"), "dingtalk": _("DingTalk"), "douyin": _("Douyin"), "weibo": _("Weibo"),
    "telegram": _("Telegram"), "whatsapp": _("WhatsApp"), "line": _("LINE"), "skype": _("Skype"),
}


def identifier_kind_choices() -> list[dict]:
    """The kinds a form offers, as ``{"code", "label"}``, the IM account as a group ``{"label", "options"}`` of
    its platforms (``im:<platform>``, by name), so that the platform is chosen and the account typed alone
    (issue 11) — the chosen platform stays readable in a narrow select on a phone."""
    out: list[dict] = []
    for code, label in IdentifierKind.choices:
        if code == IdentifierKind.IM:
            out.append({"code": "", "label": str(label),
                        "options": [(f"im:{p}", str(name)) for p, name in IM_PLATFORMS.items()]})
        else:
            out.append({"code": code, "label": str(label)})
    return out


def identifier_from_form(kind: str, value: str) -> tuple[str, str]:
    """``(kind, value)`` for the services from a form's choice: ``im:<platform>`` and the account become
    ``("im", "<platform>:<account>")`` (a ``platform:`` the officer typed before the account is dropped);
    an unknown platform stays ``im:<platform>``, which the services refuse as a kind."""
    value = (value or "").strip()
    if kind.startswith("im:"):
        platform = kind[3:]
        if platform not in IM_PLATFORMS:
            return kind, value
        if value.lower().startswith(platform + ":") or value.lower().startswith(platform + "："):
            value = value[len(platform) + 1:].strip()
        return "im", f"{platform}:{value}" if value else ""
    return kind, value


@register.filter
def identifier_value(identifier) -> str:
    """An identifier as the report page lists it: an IM account as its platform's name and the account."""
    if identifier.kind == IdentifierKind.IM and ":" in identifier.key:
        platform, account = identifier.key.split(":", 1)
        return f"{IM_PLATFORMS[platform]} {account}" if platform in IM_PLATFORMS else identifier.key
    return identifier.key


@register.filter
def seeded(text: str) -> str:
    """A text ``pingan antifraud demo`` seeds (the demo case's account, its bank) in the reader's language
    (:data:`pingan.antifraud.demo.SEEDED_TEXTS`, keyed by the stored Chinese); anything a person wrote, as it is
    (issue 11: "演示案件：…" and "演示银行" on English pages)."""
    from pingan.antifraud.demo import SEEDED_TEXTS

    said = SEEDED_TEXTS.get(text)
    return str(said) if said is not None else text


@register.filter
def citation(order, rule: str = "") -> str:
    """The citation of ``rule`` (a legal.toml section; default the order's own kind) in the version the order
    was made under, in the reader's language."""
    from pingan.antifraud import rules
    from pingan.core.texts import lang

    section = rules.legal(version=order.basis_version)[rule or order.kind]
    return section["citation"] if lang(when_none="en") == "zh" else section["citation_en"]


@register.filter
def legal_section(order, rule: str = "") -> dict:
    """The legal.toml section ``rule`` (default the order's kind) of the version the order was made under."""
    from pingan.antifraud import rules

    return rules.legal(version=order.basis_version)[rule or order.kind]
