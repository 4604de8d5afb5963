"""The fund flow of a trace as a server-rendered SVG (a layered graph: one layer per hop, the victim first;
edge width grows with the money carried). Pure code (no Django), the text escaped; the page embeds it inline so
it needs no script. Drawn at its natural size so the account numbers stay readable: across (a column per hop)
on a wide screen, down (a row per hop, two accounts a line) on a phone, which then never scrolls sideways.

The words it shows — the layers' headings — come translated from the caller; the legend is the page's own
HTML (:data:`LEGEND`), where text wraps instead of overprinting (issue 11: the Chinese legend overlapped and
was clipped, "hop 1 →" stayed English on the Chinese page).

Colours: green — the victim's account (where the money came from); red — an account holding the victims'
money (freeze candidate); orange — no statement yet (next query); grey — cash, merchant or exchange (the
trace stops); blue — passed through.
"""

from __future__ import annotations

import math
from html import escape

COL_W, ROW_H, NODE_W, NODE_H, PAD, HEAD = 190, 58, 150, 40, 16, 22
#: down a phone (319 px inside the card at 375): two accounts a line, narrower; the gaps between two accounts
#: of a line, two lines of a hop and two hops
PER_LINE, NODE_W_DOWN, GAP_X, GAP_LINE, GAP_Y = 2, 130, 12, 10, 44
COLOURS = {"victim": "#2e7d32", "account": "#1565c0", "held": "#c62828", "no_statement": "#ef6c00",
           "stop": "#616161"}
#: the legend's entries in order: the kind of node and its colour
LEGEND = tuple(COLOURS.items())


def _yuan(cents: float) -> str:
    return f"¥{cents / 100:,.2f}"


def _short(account: str, victim_word: str) -> str:
    if account.startswith("VICTIM:"):
        return victim_word
    return account if len(account) <= 12 else "…" + account[-8:]


def flow_svg(result: dict, *, max_edges: int = 60, labels: dict[str, str] | None = None,
             vertical: bool = False) -> str:
    """SVG text for a trace ``result`` (``services.trace_run``): its ``edges`` (largest ``max_edges``),
    ``victims`` (the accounts the victims paid from), ``holdings``, ``stops`` and ``next_queries``.

    ``labels``: the words drawn, in the reader's language — ``victim`` (the first layer's heading and a victim
    without an account) and ``hop`` (the other layers' headings, with ``{n}`` for the hop's number).
    ``vertical``: a row per hop (for a phone) instead of a column. An empty result gives an empty-state SVG."""
    words = {"victim": "victim", "hop": "hop {n}", **(labels or {})}
    edges = [e for e in result.get("edges", []) if e.get("cents", 0) > 0][:max_edges]
    if not edges:
        return ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 320 40" role="img" width="100%">'
                '<text x="8" y="24" font-size="14">–</text></svg>')
    held = {h["account"]: h["cents"] for h in result.get("holdings", [])}
    nextq = {h["account"] for h in result.get("next_queries", [])}
    stops = {h["account"] for h in result.get("stops", [])}
    inflow: dict[str, float] = {}
    outflow: dict[str, float] = {}
    for e in edges:
        inflow[e["to"]] = inflow.get(e["to"], 0) + e["cents"]
        outflow[e["from"]] = outflow.get(e["from"], 0) + e["cents"]
    # the victims' own accounts; a trace stored before they were kept: the accounts money only leaves
    victims = set(result.get("victims") or [n for n in outflow if n not in inflow])
    layer: dict[str, int] = {}
    for e in sorted(edges, key=lambda e: e.get("hop") or 99):
        a, b = e["from"], e["to"]
        layer.setdefault(a, max((e.get("hop") or 1) - 1, 0))
        layer[b] = max(layer.get(b, 0), layer[a] + 1)
    layers: dict[int, list[str]] = {}
    for n, c in layer.items():
        layers.setdefault(c, []).append(n)
    pos: dict[str, tuple[float, float]] = {}
    heads: list[tuple[float, float, str]] = []
    widest, y = 0, PAD + HEAD
    node_w = NODE_W_DOWN if vertical else NODE_W
    for c, nodes in sorted(layers.items()):
        nodes.sort(key=lambda n: -inflow.get(n, 0))
        head = words["victim"] if c == 0 else words["hop"].format(n=c)
        if vertical:  # a hop's accounts two a line, so that a phone never scrolls sideways
            heads.append((PAD, y - 7, head))
            for i, n in enumerate(nodes):
                pos[n] = (PAD + (i % PER_LINE) * (node_w + GAP_X), y + (i // PER_LINE) * (NODE_H + GAP_LINE))
            y += math.ceil(len(nodes) / PER_LINE) * (NODE_H + GAP_LINE) - GAP_LINE + GAP_Y
            widest = max(widest, min(len(nodes), PER_LINE))
        else:
            heads.append((PAD + c * COL_W, PAD + 8, head))
            for i, n in enumerate(nodes):
                pos[n] = (PAD + c * COL_W, PAD + HEAD + i * ROW_H)
            widest = max(widest, len(nodes))
    if vertical:
        width = PAD * 2 + widest * node_w + (widest - 1) * GAP_X
        height = y - GAP_Y + PAD
    else:
        width = PAD * 2 + max(layers) * COL_W + NODE_W
        height = PAD * 2 + HEAD + widest * ROW_H
    top = max(e["cents"] for e in edges)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}" role="img" font-family="sans-serif" font-size="11"><title>fund flow</title>']
    for x, y, text in heads:
        out.append(f'<text x="{x}" y="{y}" fill="#333">{escape(text)}</text>')
    for e in sorted(edges, key=lambda e: -e["cents"]):
        (x1, y1), (x2, y2) = pos[e["from"]], pos[e["to"]]
        w = 1.5 + 10 * math.sqrt(e["cents"] / top)
        if vertical:
            x1, x2, y1 = x1 + node_w / 2, x2 + node_w / 2, y1 + NODE_H
            mid = (y1 + y2) / 2
            d = f"M{x1:.0f},{y1:.0f} C{x1:.0f},{mid:.0f} {x2:.0f},{mid:.0f} {x2:.0f},{y2:.0f}"
        else:
            x1, y1, y2 = x1 + NODE_W, y1 + NODE_H / 2, y2 + NODE_H / 2
            mid = (x1 + x2) / 2
            d = f"M{x1:.0f},{y1:.0f} C{mid:.0f},{y1:.0f} {mid:.0f},{y2:.0f} {x2:.0f},{y2:.0f}"
        out.append(f'<path d="{d}" fill="none" stroke="#90a4ae" stroke-opacity="0.7" stroke-width="{w:.1f}">'
                   f'<title>{escape(e["from"])} → {escape(e["to"])}: {_yuan(e["cents"])}</title></path>')
    for n, (x, y) in pos.items():
        if n in victims or n.startswith("VICTIM:"):
            kind, cents = "victim", outflow.get(n, 0)  # what the victim sent
        elif n in held:
            kind, cents = "held", held[n]
        elif n in nextq:
            kind, cents = "no_statement", inflow.get(n, 0)
        elif n in stops or n.startswith(("CASH", "MERCHANT:")):
            kind, cents = "stop", inflow.get(n, 0)
        else:
            kind, cents = "account", inflow.get(n, 0)
        out.append(f'<g data-kind="{kind}"><rect x="{x}" y="{y}" width="{node_w}" height="{NODE_H}" rx="5" '
                   f'fill="{COLOURS[kind]}"/>'
                   f'<text x="{x + 6}" y="{y + 16}" fill="#fff">{escape(_short(n, words["victim"]))}</text>'
                   f'<text x="{x + 6}" y="{y + 32}" fill="#fff">{escape(_yuan(cents))}</text>'
                   f'<title>{escape(n)}</title></g>')
    out.append("</svg>")
    return "".join(out)
