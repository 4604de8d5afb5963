"""Plain-text tables for the terminal that never cut a word: columns as wide as their content, and when the
table is wider than the terminal the widest columns wrap — between words, and in Chinese also between
characters — down to their longest word, never inside one. Widths are terminal columns: a CJK character
takes two (Unicode East Asian Width W/F, from the standard library's ``unicodedata``), combining marks none.
Pure module (no Django)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence


def width(text: str) -> int:
    """Terminal columns ``text`` takes (CJK wide and full-width characters two, combining marks zero)."""
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
               for ch in text)


#: Chinese breaks a line after these (and before an opening bracket), besides at spaces: "401 天（最长 401 天）"
#: may wrap as "401 天" / "（最长 401 天）", never inside a word such as 电信网络诈骗.
_BREAK_AFTER = "，。、；：！？）》」"
_BREAK_BEFORE = "（《「"


def tokens(text: str) -> list[tuple[str, bool]]:
    """``text`` as the pieces a line may break between: ``(piece, space_before)``. A word — and a date such as
    ``2024-12-30``, a figure such as ``21/27``, a Chinese word run such as ``电信网络诈骗`` — is one piece;
    Chinese text also breaks after its punctuation (，。；：）) and before an opening bracket."""
    out: list[tuple[str, bool]] = []
    for i, word in enumerate(text.split(" ")):
        if not word:
            continue
        space = i > 0 and bool(out)
        run = ""
        for ch in word:
            if ch in _BREAK_BEFORE and run:
                out.append((run, space))
                space, run = False, ""
            run += ch
            if ch in _BREAK_AFTER:
                out.append((run, space))
                space, run = False, ""
        if run:
            out.append((run, space))
    return out


def wrap(text: str, columns: int) -> list[str]:
    """``text`` in lines of at most ``columns`` terminal columns, broken only between pieces (:func:`tokens`);
    a piece wider than ``columns`` stays whole on its own line (never cut)."""
    lines: list[str] = []
    for para in str(text).split("\n"):
        line = ""
        for piece, space in tokens(para):
            candidate = f"{line} {piece}" if line and space else line + piece
            if line and width(candidate) > columns:
                lines.append(line)
                line = piece
            else:
                line = candidate
        lines.append(line)
    return lines


def longest_piece(text: str) -> int:
    return max((width(p) for p, _s in tokens(str(text))), default=0)


def render(rows: Sequence[Sequence[str]], *, right: Sequence[bool] = (), max_width: int = 120, gap: int = 2,
           indent: str = "  ") -> list[str]:
    """``rows`` (the first is the header) as text lines: each column as wide as its longest cell, shrunk — the
    widest first, each no narrower than its longest word — until the table fits ``max_width`` (it may stay
    wider when the words alone do not fit: a word is never cut). Cells wrap within their column; ``right``
    aligns a column to the right. A cell spanning the rest of the row: a row shorter than the header (its last
    cell takes the remaining columns)."""
    n = max(len(r) for r in rows)
    natural = [0] * n
    floor = [1] * n
    for r in rows:
        cells = list(r[:-1]) if len(r) < n else list(r)  # a spanning cell is not measured against one column
        for j, c in enumerate(cells):
            natural[j] = max(natural[j], max(width(line) for line in str(c).split("\n")))
            floor[j] = max(floor[j], longest_piece(c))
    widths = natural[:]
    budget = max_width - len(indent) - gap * (n - 1)
    while sum(widths) > budget:
        j = max((j for j in range(n) if widths[j] > floor[j]), key=lambda j: widths[j] - floor[j], default=None)
        if j is None:
            break
        widths[j] -= 1
    out = []
    for r in rows:
        if len(r) < n:
            span = sum(widths[len(r) - 1:]) + gap * (n - len(r))
            col_widths = [*widths[:len(r) - 1], span]
        else:
            col_widths = widths
        cols = [wrap(c, w) for c, w in zip(r, col_widths, strict=False)]
        height = max(len(c) for c in cols)
        for k in range(height):
            parts = []
            for j, (c, w) in enumerate(zip(cols, col_widths, strict=False)):
                text = c[k] if k < len(c) else ""
                pad = " " * max(0, w - width(text))
                parts.append(pad + text if (j < len(right) and right[j]) or (len(r) < n and j == len(r) - 1)
                             else text + pad)
            out.append((indent + (" " * gap).join(parts)).rstrip())
    return out
