"""Paging and search of list pages, shared by every app's views (issue 11: a premises page listed 175 people
on one 38,251 px page): one page of a list without counting the whole list, a clamped integer from the query
string, and the query string the pager's links keep.

The counts a page shows above a list are the app's own aggregate (no audit record: nobody is named); the
rows of one page go through the app's audited selector, and :func:`window` fetches only them.

A queue or register a person works through (sign-ups, applications, disputes, check-outs: hundreds of rows,
not a jurisdiction's hundred thousand) is paged by :func:`counted` instead, which also counts it, so that the
page says how many there are in all ("12 in all, 1–30 shown"; ``core/partials/shown.html`` above the list,
``core/partials/pager.html`` below it) — issue 11: such lists were cut at 50, 100 or 200 rows without a word.
A list kept short on purpose (a "recent" panel) says its total and links to the full list
(``core/partials/more.html``). ``tests/core/test_paged_lists.py`` fails on a view that cuts a list with a
literal slice.
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
    #: rows in the whole list (:func:`counted`), ``None`` when not counted (:func:`window`)
    total: int | None = None
    per_page: int = PER_PAGE

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

    @property
    def pages(self) -> int | None:
        """How many pages the list has (``None`` when not counted)."""
        return None if self.total is None else max(1, -(-self.total // self.per_page))

    @property
    def first(self) -> int:
        """The 1-based position of the page's first row in the list (0 for an empty page)."""
        return (self.number - 1) * self.per_page + 1 if self.items else 0

    @property
    def last(self) -> int:
        """The 1-based position of the page's last row in the list (0 for an empty page)."""
        return (self.number - 1) * self.per_page + len(self.items)


def window(qs, page: str | int | None, per_page: int = PER_PAGE) -> Window:
    """Page ``page`` (1-based; bad values mean 1) of ``qs``, ``per_page`` items; whether a row follows is
    asked with EXISTS, so that an audited list (``core.audit.audited``) records exactly the rows shown."""
    n = int_param(str(page) if page is not None else None, 1, 1, 100_000)
    start, end = (n - 1) * per_page, n * per_page
    rows = list(qs[start:end])
    return Window(rows, n, len(rows) == per_page and qs[end:end + 1].exists())


def counted(qs, page: str | int | None, per_page: int = PER_PAGE) -> Window:
    """Page ``page`` (1-based; bad values mean 1, past the end the last page) of ``qs`` with the whole list
    counted (``Window.total``): for a queue or register, whose COUNT is cheap. ``qs`` may be a list. Of an
    audited list (``core.audit.audited``) only the page's rows are fetched and recorded: the count fetches
    none."""
    total = len(qs) if isinstance(qs, list) else qs.count()
    pages = max(1, -(-total // per_page))
    n = min(int_param(str(page) if page is not None else None, 1, 1, 100_000), pages)
    rows = list(qs[(n - 1) * per_page:n * per_page])
    return Window(rows, n, n < pages, total, per_page)


def counted_lists(get, lists: dict, per_page: int = PER_PAGE) -> dict:
    """Several counted lists on one page (:func:`counted`), each paging on its own query parameter — its name
    in ``lists`` — while the others stay on their pages: ``{name: Window, …, "links": {name: the query string
    its pager keeps, …}}``, for ``core/partials/pager.html`` with ``param=name link=links.<name>``."""
    return {**{name: counted(qs, get.get(name), per_page) for name, qs in lists.items()},
            "links": {name: kept_query(get, tuple(k for k in lists if k != name)) for name in lists}}


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


def query_without_page(get) -> str:
    """The whole query string but ``page``, URL-encoded (every filter kept, each value as often as given), for a
    pager's links on a page whose filters :func:`kept_query` would have to list one by one."""
    params = get.copy()
    params.pop("page", None)
    return params.urlencode()
