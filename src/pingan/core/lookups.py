"""``__in`` over integer columns with values no column can hold: they match nothing, on every database.

Django already answers ``id=2**70`` (``exact``, ``lt``, ``gt`` …) without asking the database: a value out of
the column's range matches no row (``IntegerFieldOverflow``). It does not do the same for ``in``, where a
list of ids from a request (``{"ids": [2**70]}``, a form's ``unit`` checkboxes) reaches the driver:
PostgreSQL compares the ``bigint`` column with a ``numeric`` and finds nothing, but SQLite's driver raises
``OverflowError`` ("Python int too large to convert to SQLite INTEGER") — a 500 on the embedded default. The
lookups below drop the out-of-range values before the query is built (an ``in`` left empty matches nothing,
as Django answers ``in=[]``), for integer fields and primary keys (``pk__in``) and for foreign keys to them
(``unit_id__in``, ``unit__in``); and ``unit_id=2**70`` on a foreign key matches nothing, as Django answers it
on the integer field itself. Registered by ``core.apps``.
"""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db.models import ForeignObject, IntegerField
from django.db.models.fields.related_lookups import RelatedExact, RelatedIn
from django.db.models.lookups import In


def _range(field, connection) -> tuple[int | None, int | None] | None:
    """The integer range of ``field`` (a foreign key: of the field it points at) on ``connection``, or
    ``None`` when it is not an integer column."""
    if isinstance(field, ForeignObject):
        if len(field.foreign_related_fields) != 1:  # a multi-column relation
            return None
        field = field.foreign_related_fields[0]
    if not isinstance(field, IntegerField):
        return None
    try:
        return connection.ops.integer_field_range(field.get_internal_type())
    except KeyError:  # an integer field type the backend does not list
        return None


class _InRange:
    def process_rhs(self, compiler, connection):
        bounds = _range(self.lhs.output_field, connection) if self.rhs_is_direct_value() else None
        if bounds is not None:
            low, high = bounds
            self.rhs = [v for v in self.rhs if not isinstance(v, int)
                        or ((low is None or v >= low) and (high is None or v <= high))]
        return super().process_rhs(compiler, connection)


@IntegerField.register_lookup
class IntegerFieldIn(_InRange, In):
    """``in`` on an integer field or primary key, out-of-range values dropped."""


@ForeignObject.register_lookup
class RelatedIntegerIn(_InRange, RelatedIn):
    """``in`` on a foreign key to an integer key, out-of-range values dropped."""


@ForeignObject.register_lookup
class RelatedIntegerExact(RelatedExact):
    """``=`` on a foreign key to an integer key: a value out of the key's range matches nothing (Django's
    ``IntegerFieldExact`` for the key itself)."""

    def process_rhs(self, compiler, connection):
        if isinstance(self.rhs, int) and not isinstance(self.rhs, bool):
            bounds = _range(self.lhs.output_field, connection)
            if bounds is not None:
                low, high = bounds
                if (low is not None and self.rhs < low) or (high is not None and self.rhs > high):
                    raise EmptyResultSet
        return super().process_rhs(compiler, connection)
