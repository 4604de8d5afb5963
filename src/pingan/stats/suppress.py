"""Small-cell suppression for public releases: primary suppression of small counts and complementary
suppression so that no withheld count can be worked out from the published totals.

Pure module (no Django).

The table is a grid of counts (rows, e.g. blocks or units; columns, e.g. categories) published with its row
totals, column totals and grand total. Primary suppression withholds every count below ``threshold``
(default 3) — zeros too when ``withhold_zero`` (by default a zero is published: it names no one). That
alone is not enough: a withheld cell that is the only one withheld in its row equals the row total minus
the others. Complementary (secondary) suppression withholds further cells until no withheld cell can be
derived by any linear combination of the published figures.

Why the test is "no withheld cell is a bridge": flip the sign of the margins (all but the grand total) and
every row and column of the (rows+1)×(columns+1) grid sums to zero. The withheld cells are then the edges of
a bipartite graph between rows and columns, the unknowns are determined up to the graph's cycle space (add
+t, −t alternately around any cycle and every line still sums the same), and a withheld cell's value is
implied by the published ones exactly when its edge lies on no cycle — when it is a bridge. The algorithm
finds the bridges (Tarjan) and, for each, withholds the cheapest rectangle (the smallest other cell in its
row, in its column, and the cell where those meet), which puts it on a 4-cycle; it repeats until no bridge
is left. Complements are chosen among non-zero cells when there are any, so the cycle can move the value
both ways. This is the classic hypercube heuristic for two-way tables (cf. Hundepool et al., *Statistical
Disclosure Control*, Wiley 2012, §4.3; it is not optimal — it may withhold more than a linear program would).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["SuppressedTable", "is_derivable", "suppress_table"]


@dataclass(frozen=True)
class SuppressedTable:
    """The published table: ``None`` where a count is withheld.

    ``cells[i][j]`` inner counts, ``row_totals[i]``, ``col_totals[j]``, ``grand_total``; ``primary`` and
    ``secondary`` are the withheld positions in grid coordinates (row ``len(cells)`` is the column-totals
    row, column ``len(cells[0])`` the row-totals column).
    """

    cells: tuple[tuple[int | None, ...], ...]
    row_totals: tuple[int | None, ...]
    col_totals: tuple[int | None, ...]
    grand_total: int | None
    primary: frozenset[tuple[int, int]]
    secondary: frozenset[tuple[int, int]]
    threshold: int


def _grid(cells: Sequence[Sequence[int]]) -> list[list[int]]:
    n_rows, n_cols = len(cells), len(cells[0]) if cells else 0
    grid = [[*list(map(int, r)), sum(map(int, r))] for r in cells]
    grid.append([sum(int(cells[i][j]) for i in range(n_rows)) for j in range(n_cols)] + [0])
    grid[n_rows][n_cols] = sum(grid[n_rows][:n_cols])
    return grid


def _bridges(withheld: set[tuple[int, int]], n_rows: int) -> list[tuple[int, int]]:
    """The withheld cells that lie on no cycle of the row–column graph (iterative Tarjan, edges by id)."""
    edges = sorted(withheld)
    adj: dict[int, list[tuple[int, int]]] = {}
    for eid, (i, j) in enumerate(edges):
        a, b = i, n_rows + 1 + j  # row nodes first, then column nodes
        adj.setdefault(a, []).append((b, eid))
        adj.setdefault(b, []).append((a, eid))
    disc: dict[int, int] = {}
    low: dict[int, int] = {}
    out: list[tuple[int, int]] = []
    t = 0
    for root in adj:
        if root in disc:
            continue
        disc[root] = low[root] = t
        t += 1
        stack = [(root, -1, iter(adj[root]))]
        while stack:
            node, via, it = stack[-1]
            step = next(it, None)
            if step is None:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[node])
                    if low[node] > disc[parent]:
                        out.append(edges[via])
                continue
            nxt, eid = step
            if eid == via:
                continue
            if nxt in disc:
                low[node] = min(low[node], disc[nxt])
            else:
                disc[nxt] = low[nxt] = t
                t += 1
                stack.append((nxt, eid, iter(adj[nxt])))
    return out


def _cheapest(values: list[tuple[int, int]], avoid: set[int]) -> int | None:
    """Index of the smallest non-zero value (a zero only when nothing else is left), skipping ``avoid``."""
    best = None
    for idx, v in values:
        if idx in avoid:
            continue
        key = (v == 0, v)
        if best is None or key < best[0]:
            best = (key, idx)
    return best[1] if best else None


def suppress_table(cells: Sequence[Sequence[int]], *, threshold: int = 3,
                   withhold_zero: bool = False) -> SuppressedTable:
    """Suppress ``cells`` (rows × columns of non-negative counts) for publication with its totals.

    Raises ``ValueError`` for a ragged or empty table or a negative count.
    """
    if not cells or not cells[0]:
        raise ValueError("suppress_table needs at least one row and one column")
    n_cols = len(cells[0])
    if any(len(r) != n_cols for r in cells):
        raise ValueError("suppress_table: every row must have the same number of columns")
    if any(int(v) < 0 for r in cells for v in r):
        raise ValueError("suppress_table: counts cannot be negative")
    n_rows = len(cells)
    grid = _grid(cells)
    small = (lambda v: v < threshold) if withhold_zero else (lambda v: 0 < v < threshold)
    primary = {(i, j) for i in range(n_rows + 1) for j in range(n_cols + 1) if small(grid[i][j])}
    withheld = set(primary)
    while True:
        bridges = _bridges(withheld, n_rows)
        if not bridges:
            break
        for i, j in bridges:
            jj = _cheapest([(c, grid[i][c]) for c in range(n_cols + 1) if (i, c) not in withheld], {j})
            ii = _cheapest([(r, grid[r][j]) for r in range(n_rows + 1) if (r, j) not in withheld], {i})
            if jj is None:  # every other cell of the row is withheld already: pick any other column
                jj = next(c for c in range(n_cols + 1) if c != j)
            if ii is None:
                ii = next(r for r in range(n_rows + 1) if r != i)
            withheld.update({(i, jj), (ii, j), (ii, jj)})
    shown = [[None if (i, j) in withheld else grid[i][j] for j in range(n_cols + 1)] for i in range(n_rows + 1)]
    return SuppressedTable(
        cells=tuple(tuple(r[:n_cols]) for r in shown[:n_rows]),
        row_totals=tuple(r[n_cols] for r in shown[:n_rows]),
        col_totals=tuple(shown[n_rows][:n_cols]),
        grand_total=shown[n_rows][n_cols],
        primary=frozenset(primary),
        secondary=frozenset(withheld - primary),
        threshold=threshold,
    )


def is_derivable(table: SuppressedTable) -> list[tuple[int, int]]:
    """The withheld cells an attacker could compute from the published figures (should be empty).

    Independent of :func:`suppress_table`'s graph argument: solves the linear system of row and column sums
    with exact rational elimination and reports each withheld cell whose value the published figures fix.
    """
    from fractions import Fraction

    n_rows, n_cols = len(table.cells), len(table.cells[0])
    full = [[*list(r), t] for r, t in zip(table.cells, table.row_totals, strict=True)]
    full.append([*list(table.col_totals), table.grand_total])
    unknown = [(i, j) for i in range(n_rows + 1) for j in range(n_cols + 1) if full[i][j] is None]
    index = {cell: k for k, cell in enumerate(unknown)}
    equations: list[list[Fraction]] = []  # coefficients of the unknowns (the constants do not matter for rank)

    def line(cells_signs: list[tuple[tuple[int, int], int]]) -> None:
        row = [Fraction(0)] * len(unknown)
        for cell, sign in cells_signs:
            if cell in index:
                row[index[cell]] += sign
        if any(row):
            equations.append(row)

    for i in range(n_rows + 1):
        line([((i, j), 1) for j in range(n_cols)] + [((i, n_cols), -1)])
    for j in range(n_cols + 1):
        line([((i, j), 1) for i in range(n_rows)] + [((n_rows, j), -1)])
    basis = _row_echelon(equations, len(unknown))
    return [cell for cell in unknown if _in_span(basis, index[cell], len(unknown))]


def _row_echelon(rows: list[list], width: int) -> list[list]:
    rows = [r[:] for r in rows]
    basis: list[list] = []
    col = 0
    while rows and col < width:
        pivot = next((r for r in rows if r[col] != 0), None)
        if pivot is None:
            col += 1
            continue
        rows.remove(pivot)
        pivot = [v / pivot[col] for v in pivot]
        rows = [[a - r[col] * b for a, b in zip(r, pivot, strict=True)] if r[col] != 0 else r for r in rows]
        basis = [[a - b[col] * p for a, p in zip(b, pivot, strict=True)] if b[col] != 0 else b for b in basis]
        basis.append(pivot)
        col += 1
    return basis


def _in_span(basis: list[list], k: int, width: int) -> bool:
    """Whether the unit vector e_k is a combination of the (reduced) basis rows."""
    from fractions import Fraction

    target = [Fraction(0)] * width
    target[k] = Fraction(1)
    for row in basis:
        lead = next(c for c, v in enumerate(row) if v != 0)
        if target[lead] != 0:
            factor = target[lead]
            target = [a - factor * b for a, b in zip(target, row, strict=True)]
    return not any(target)
