"""The fund flow of a trace as a server-rendered SVG (a layered graph: one column per hop, the victim on the
left; edge width grows with the money carried). Pure code (no Django), the text escaped; the page embeds it
inline so it needs no script; drawn at its natural size inside a box that scrolls sideways on a phone.

Colours: red — an account holding the victims' money (freeze candidate); orange — no statement yet (next
query); grey — cash, merchant or exchange (the trace stops); blue — passed through.
"""

from __future__ import annotations

import math
from html import escape

COL_W, ROW_H, NODE_W, NODE_H, PAD = 190, 58, 150, 40, 16
COLOURS = {"held": "#c62828", "no_statement": "#ef6c00", "stop": "#616161", "account": "#1565c0",
           "victim": "#2e7d32"}


def _yuan(cents: float) -> str:
    return f"¥{cents / 100:,.2f}"


def _short(account: str) -> str:
    if account.startswith("VICTIM:"):
        return "victim"
    return account if len(account) <= 12 else "…" + account[-8:]


def flow_svg(result: dict, *, max_edges: int = 60, labels: dict[str, str] | None = None) -> str:
    """SVG text for a trace ``result`` (``services.trace_run``): its ``edges`` (largest ``max_edges``),
    ``holdings``, ``stops`` and ``next_queries``. ``labels`` translates the legend words (``held``,
    ``next query``, ``stop``, ``passed through``, ``victim``). An empty result gives an empty-state SVG."""
    words = {"held": "held", "next": "next query", "stop": "stop", "through": "passed through", "victim": "victim",
             **(labels or {})}
    edges = [e for e in result.get("edges", []) if e.get("cents", 0) > 0][:max_edges]
    if not edges:
        return ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 320 40" role="img" width="100%">'
                '<text x="8" y="24" font-size="14">–</text></svg>')
    held = {h["account"]: h["cents"] for h in result.get("holdings", [])}
    nextq = {h["account"] for h in result.get("next_queries", [])}
    stops = {h["account"] for h in result.get("stops", [])}
    col: dict[str, int] = {}
    for e in sorted(edges, key=lambda e: e.get("hop") or 99):
        a, b = e["from"], e["to"]
        col.setdefault(a, max((e.get("hop") or 1) - 1, 0))
        col[b] = max(col.get(b, 0), col[a] + 1)
    inflow: dict[str, float] = {}
    for e in edges:
        inflow[e["to"]] = inflow.get(e["to"], 0) + e["cents"]
    columns: dict[int, list[str]] = {}
    for n, c in col.items():
        columns.setdefault(c, []).append(n)
    pos: dict[str, tuple[float, float]] = {}
    rows = 0
    for c, nodes in sorted(columns.items()):
        nodes.sort(key=lambda n: -inflow.get(n, 0))
        for i, n in enumerate(nodes):
            pos[n] = (PAD + c * COL_W, PAD + 22 + i * ROW_H)
        rows = max(rows, len(nodes))
    width = PAD * 2 + (max(columns) + 1) * COL_W
    height = PAD * 2 + 22 + rows * ROW_H + 24
    top = max(e["cents"] for e in edges)
    # natural size (the page scrolls it sideways on a phone) so the account numbers stay readable
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}" role="img" font-family="sans-serif" font-size="11"><title>fund flow</title>']
    for e in sorted(edges, key=lambda e: -e["cents"]):
        (x1, y1), (x2, y2) = pos[e["from"]], pos[e["to"]]
        x1 += NODE_W
        y1 += NODE_H / 2
        y2 += NODE_H / 2
        w = 1.5 + 10 * math.sqrt(e["cents"] / top)
        mid = (x1 + x2) / 2
        out.append(f'<path d="M{x1:.0f},{y1:.0f} C{mid:.0f},{y1:.0f} {mid:.0f},{y2:.0f} {x2:.0f},{y2:.0f}" '
                   f'fill="none" stroke="#90a4ae" stroke-opacity="0.7" stroke-width="{w:.1f}">'
                   f'<title>{escape(e["from"])} → {escape(e["to"])}: {_yuan(e["cents"])}</title></path>')
    for n, (x, y) in pos.items():
        if n.startswith("VICTIM:"):
            kind = "victim"
        elif n in held:
            kind = "held"
        elif n in nextq:
            kind = "no_statement"
        elif n in stops or n.startswith(("CASH", "MERCHANT:")):
            kind = "stop"
        else:
            kind = "account"
        sub = _yuan(held[n]) if n in held else _yuan(inflow.get(n, 0))
        out.append(f'<g><rect x="{x}" y="{y}" width="{NODE_W}" height="{NODE_H}" rx="5" fill="{COLOURS[kind]}"/>'
                   f'<text x="{x + 6}" y="{y + 16}" fill="#fff">{escape(_short(n))}</text>'
                   f'<text x="{x + 6}" y="{y + 32}" fill="#fff">{escape(sub)}</text>'
                   f'<title>{escape(n)}</title></g>')
    legend = [("victim", words["victim"]), ("account", words["through"]), ("held", words["held"]),
              ("no_statement", words["next"]), ("stop", words["stop"])]
    lx, ly = PAD, height - 14
    for k, text in legend:
        out.append(f'<rect x="{lx}" y="{ly - 9}" width="10" height="10" fill="{COLOURS[k]}"/>'
                   f'<text x="{lx + 14}" y="{ly}">{escape(text)}</text>')
        lx += 24 + 7 * len(text)
    out.append(f'<text x="{PAD}" y="{PAD + 8}" fill="#333">hop 1 →</text></svg>')
    return "".join(out)
