"""Template helpers of the evidence pages."""

from django import template

register = template.Library()


@register.filter
def lookup(mapping, key):
    """``mapping[key]`` or ``""`` (category names, disposition labels)."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.filter
def yuan(cents):
    """Integer cents as yuan with two decimals and thousands separators (``¥5,000.00``)."""
    if cents is None:
        return "—"
    return f"¥{cents / 100:,.2f}"


#: Chinese measure words an item's quantity is recorded in (``Item.quantity_unit``, stored as typed), said in
#: English as (one, many); a word not listed is shown as recorded (issue 11: "Quantity 1 件" on the English page)
MEASURE_WORDS = {
    "件": ("item", "items"), "个": ("piece", "pieces"), "只": ("piece", "pieces"), "把": ("piece", "pieces"),
    "块": ("piece", "pieces"), "支": ("piece", "pieces"), "枚": ("piece", "pieces"), "台": ("unit", "units"),
    "部": ("unit", "units"), "套": ("set", "sets"), "辆": ("vehicle", "vehicles"), "张": ("sheet", "sheets"),
    "本": ("book", "books"), "箱": ("box", "boxes"), "盒": ("box", "boxes"), "瓶": ("bottle", "bottles"),
    "包": ("pack", "packs"), "袋": ("bag", "bags"), "双": ("pair", "pairs"), "对": ("pair", "pairs"),
    "克": ("g", "g"), "千克": ("kg", "kg"), "公斤": ("kg", "kg"), "升": ("l", "l"), "米": ("m", "m"),
    "元": ("yuan", "yuan"),
}


@register.filter
def quantity(item) -> str:
    """An item's quantity and its measure word in the reader's language: ``1 件`` / ``1 item``, ``2 items``."""
    from pingan.core.texts import lang

    n = item.quantity.normalize()
    unit = item.quantity_unit
    if lang(when_none="en") == "en" and unit in MEASURE_WORDS:
        one, many = MEASURE_WORDS[unit]
        unit = one if n == 1 else many
    return f"{n:f} {unit}"
