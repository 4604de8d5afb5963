"""Writing many model rows at once: PostgreSQL ``COPY`` (psycopg 3 ``cursor.copy()``), ``bulk_create`` elsewhere.

``bulk_create`` spends most of a large screening's store in Django's per-field value preparation and in
quoting the JSON list columns (docs/jobs.md). ``COPY ... FROM STDIN`` takes the same values as rows: the
primary keys are drawn from the table's own sequence first (so the objects carry their ``pk`` afterwards,
as ``bulk_create`` leaves them on PostgreSQL), JSON fields are sent as their JSON text, everything else as
the field's Python value (psycopg escapes tabs, newlines and backslashes of the text format). It runs on
the caller's connection, inside the caller's transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from django.db import connections, models, router


def _json(encoder):
    return lambda v: None if v is None else json.dumps(v, cls=encoder)


def _converters(fields) -> list:
    """Per field: a function from the object to the value COPY sends."""
    out = []
    for f in fields:
        if isinstance(f, models.JSONField):
            dump = _json(f.encoder)
            out.append(lambda o, a=f.attname, d=dump: d(getattr(o, a)))
        elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            out.append(lambda o, f=f: f.pre_save(o, True))
        else:
            out.append(lambda o, a=f.attname: getattr(o, a))
    return out


def copy_insert(model: type[models.Model], objs: Sequence[models.Model]) -> Sequence[models.Model]:
    """Insert ``objs`` (unsaved instances of ``model``) and set their primary keys; ``COPY`` on PostgreSQL,
    ``bulk_create`` on other databases. Returns ``objs``."""
    if not objs:
        return objs
    db = router.db_for_write(model)
    connection = connections[db]
    if connection.vendor != "postgresql":
        return model.objects.using(db).bulk_create(objs)
    meta = model._meta
    pk = meta.pk
    fields = [f for f in meta.concrete_fields if f is not pk]
    table = connection.ops.quote_name(meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in [pk, *fields])
    convert = _converters(fields)
    with connection.cursor() as cur:
        cur.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [meta.db_table, pk.column, len(objs)])
        ids = [r[0] for r in cur.fetchall()]
        # the psycopg cursor under Django's wrapper: COPY is not part of the DB-API
        with cur.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for i, o in zip(ids, objs, strict=True):
                copy.write_row([i, *(c(o) for c in convert)])
    for i, o in zip(ids, objs, strict=True):
        o.pk = i
        o._state.adding = False
        o._state.db = db
    return objs
