"""A function named by its dotted path and imported at its first call: what an app's ``AppConfig.ready()``
registers (a hook, a home panel's context) when the module defining it is heavy. ``ready()`` runs whenever Django
starts — every ``pingan`` command, ``--help`` and a usage error included — and registering the functions
themselves loaded the screening engine (pyarrow, DuckDB, the name matchers), the codes' services and the alerts'
routing (shapely) first (issue 11: ``pingan screen --help`` took 4–5 s)."""

from __future__ import annotations

from typing import Any


class Deferred:
    """``Deferred("pingan.codes.services.on_latest_job_changed")``: called like the function, which it imports at
    the first call. Two name the same function when their paths are equal (a list of hooks keeps one of each
    however often ``ready()`` registers it). Its ``__module__`` and ``__name__`` are the function's (the home
    page takes a panel's audit purpose from its context function's module)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.__module__, self.__name__ = path.rsplit(".", 1)
        self._function = None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._function is None:
            from django.utils.module_loading import import_string

            self._function = import_string(self.path)
        return self._function(*args, **kwargs)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Deferred) and other.path == self.path

    def __hash__(self) -> int:
        return hash(self.path)

    def __repr__(self) -> str:
        return f"Deferred({self.path!r})"
