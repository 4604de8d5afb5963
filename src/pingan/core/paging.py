"""Paging and search of list pages, shared by every app's views (issue 11: a premises page listed 175 people
on one 38,251 px page): one page of a list without counting the whole list, a clamped integer from the query
string, and the query string the pager's links keep.

The counts a page shows above a list are the app's own aggregate (no audit record: nobody is named); the
rows of one page go through the app's audited selector, and :func:`window` fetches only them.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

#: People (or other rows) per page of a list page.
PER_PAGE = 30


@dataclass
class Window:
    """One page of a list without counting the whole list (a COUNT over a large jurisdiction costs more
    than the page itself): the items, the page number and whether there are pages before and after."""

    items: list
    number: int
    has_next: bool

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1


def window(qs, page: str | int | None, per_page: int = PER_PAGE) -> Window:
    """Page ``page`` (1-based; bad values mean 1) of ``qs``, ``per_page`` items; whether a row follows is
    asked with EXISTS, so that an audited list (``core.audit.audited``) records exactly the rows shown."""
    n = int_param(str(page) if page is not None else None, 1, 1, 100_000)
    start, end = (n - 1) * per_page, n * per_page
    rows = list(qs[start:end])
    return Window(rows, n, len(rows) == per_page and qs[end:end + 1].exists())


def int_param(value: str | None, default: int, lo: int, hi: int) -> int:
    """``value`` as an integer clamped to ``lo``..``hi``; ``default`` when missing or not a number."""
    try:
        return max(lo, min(hi, int(value or default)))
    except ValueError:
        return default


def kept_query(get, keys: tuple[str, ...]) -> str:
    """The part of a query string the pager's links keep (``keys`` that are set: the search and filters,
    never ``page``), URL-encoded, ``""`` for none."""
    return urlencode({k: get.get(k) for k in keys if get.get(k)})
