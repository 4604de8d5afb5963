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

import msgspec
from django.db import connections, models, router, transaction

#: JSON text of a field without an encoder of its own, made in C (msgspec): ``json.dumps`` of a code's
#: counts and cause and of its audit record's detail cost 5–20 µs each at load 10, msgspec's 0.7–3 µs (a
#: re-evaluation writes three per code it issues, 43,165 codes on issue 10's bench). For the values a JSON
#: column holds (dicts with string keys, lists, strings, numbers, booleans, ``None``) the text differs from
#: ``json.dumps``' only in ways ``jsonb`` and ``json`` read the same (no spaces; non-ASCII written as itself,
#: not ``\uXXXX``; ``1e16`` for ``1e+16``); a value msgspec refuses (a ``True`` or ``None`` key) goes through
#: ``json.dumps``. (Where ``json.dumps`` wrote what PostgreSQL then refused — ``NaN`` — msgspec writes ``null``.)
_ENCODE = msgspec.json.Encoder()


def _plain_json(v) -> str:
    try:
        return _ENCODE.encode(v).decode()
    except (TypeError, OverflowError, msgspec.EncodeError):
        return json.dumps(v)


def _json(encoder):
    if encoder is None:
        return lambda v: None if v is None else _plain_json(v)
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


def copy_insert(model: type[models.Model], objs: Sequence[models.Model], *, pks: bool = True) -> Sequence[models.Model]:
    """Insert ``objs`` (unsaved instances of ``model``) and set their primary keys; ``COPY`` on PostgreSQL,
    ``bulk_create`` on other databases. Returns ``objs``. ``pks=False``: the caller does not need the primary
    keys — on PostgreSQL the column's default gives them and the objects keep ``pk`` ``None`` (one statement
    fewer: no ids drawn first)."""
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
    convert = _converters(fields)
    if not pks:
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        with connection.cursor() as cur, cur.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for o in objs:
                copy.write_row([c(o) for c in convert])
        return objs
    columns = ", ".join(connection.ops.quote_name(f.column) for f in [pk, *fields])
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


def copy_update(model: type[models.Model], objs: Sequence[models.Model], field_names: Sequence[str]) -> int:
    """Write ``field_names`` of ``objs`` (saved instances of ``model``) back, like ``bulk_update``: on PostgreSQL
    the values go by ``COPY`` into a temporary table shaped like the target's columns and one ``UPDATE … FROM``
    joins it on the primary key (``bulk_update`` builds a ``CASE WHEN`` per field and row, which costs more than
    the rows themselves for thousands of them); ``bulk_update`` elsewhere. Runs in the caller's transaction (the
    temporary table is dropped at its commit). Returns the number of rows updated."""
    if not objs:
        return 0
    db = router.db_for_write(model)
    connection = connections[db]
    if connection.vendor != "postgresql":
        return model.objects.using(db).bulk_update(objs, list(field_names), batch_size=1000)
    convert = _converters([model._meta.get_field(n) for n in field_names])
    return _copy_update(connection, model, field_names, ([o.pk, *(c(o) for c in convert)] for o in objs))


def copy_update_rows(model: type[models.Model], field_names: Sequence[str], rows: Sequence[Sequence]) -> int:
    """:func:`copy_update` from tuples ``(pk, *values of field_names)`` (JSON fields as Python values) rather
    than model instances. Returns the number of rows updated."""
    if not rows:
        return 0
    db = router.db_for_write(model)
    connection = connections[db]
    fields = [model._meta.get_field(n) for n in field_names]
    if connection.vendor != "postgresql":
        objs = []
        for r in rows:
            o = model(pk=r[0])
            for f, v in zip(fields, r[1:], strict=True):
                setattr(o, f.attname, v)
            objs.append(o)
        return model.objects.using(db).bulk_update(objs, list(field_names), batch_size=1000)
    dumps = [(i + 1, _json(f.encoder)) for i, f in enumerate(fields) if isinstance(f, models.JSONField)]

    def dumped(row):
        row = list(row)
        for j, dump in dumps:
            row[j] = dump(row[j])
        return row

    return _copy_update(connection, model, field_names, (dumped(r) for r in rows) if dumps else rows)


def _copy_update(connection, model: type[models.Model], field_names: Sequence[str], rows) -> int:
    """COPY ``rows`` (the primary key, then the database values of ``field_names``) into a temporary table
    shaped like the target's columns and apply them with one ``UPDATE … FROM``."""
    meta = model._meta
    pk = meta.pk
    fields = [meta.get_field(n) for n in field_names]
    q = connection.ops.quote_name
    table = q(meta.db_table)
    columns = [pk.column, *(f.column for f in fields)]
    with transaction.atomic(using=connection.alias, savepoint=False), connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS pingan_copy_update")
        cur.execute(f"CREATE TEMP TABLE pingan_copy_update ON COMMIT DROP AS "  # noqa: S608 - names from the model
                    f"SELECT {', '.join(q(c) for c in columns)} FROM {table} WITH NO DATA")
        with cur.cursor.copy(f"COPY pingan_copy_update ({', '.join(q(c) for c in columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        assignments = ", ".join(f"{q(f.column)} = u.{q(f.column)}" for f in fields)
        cur.execute(f"UPDATE {table} AS t SET {assignments} FROM pingan_copy_update AS u "  # noqa: S608
                    f"WHERE t.{q(pk.column)} = u.{q(pk.column)}")
        n = cur.rowcount
        cur.execute("DROP TABLE pingan_copy_update")
    return n


def ids_in(model: type[models.Model], ids) -> object:
    """The right-hand side of ``pk__in`` / ``<fk>_id__in`` for many ids: on PostgreSQL one array parameter
    (``IN (SELECT unnest(%s::bigint[]))``), so neither Django nor psycopg handles a hundred thousand separate
    parameters (at a re-evaluation's size that cost seconds of CPU per query); on SQLite one JSON array
    (``IN (SELECT value FROM json_each(%s))``: SQLite takes at most 32,766 parameters a statement); the plain
    list elsewhere."""
    from django.db.models.expressions import RawSQL

    ids = list(ids)
    vendor = connections[router.db_for_read(model)].vendor
    if vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", [int_array(ids)])
    if vendor == "sqlite":
        return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(ids)])
    return ids


def int_array(ids) -> str:
    """Integers as the text of a PostgreSQL array (``{1,2,3}``), to pass as one parameter cast ``::bigint[]``:
    psycopg adapts a Python list element by element in Python (~3 µs each: a second per 300,000 ids), the text
    is one ``join``. Each id goes through ``int``, so nothing but digits reaches the text."""
    return "{" + ",".join(map(str, map(int, ids))) + "}"


def copy_rows(model: type[models.Model], field_names: Sequence[str], rows: Sequence[Sequence], *,
              pks: bool = True) -> list[int]:
    """Insert ``rows`` — tuples of the values of ``field_names`` (attribute names: ``premises_id``, not
    ``premises``; JSON fields as Python values), no model instance per row — and return their new primary keys
    in order. ``COPY`` on PostgreSQL (the other columns take their database defaults, so every column without
    one must be named), ``bulk_create`` elsewhere. For many rows of a few shapes (a re-evaluation's codes and
    hits), building an instance per row cost more than writing it. ``pks=False``: the caller needs no keys
    back (``[]`` is returned); on PostgreSQL the key column's default gives them, one statement fewer."""
    if not rows:
        return []
    db = router.db_for_write(model)
    connection = connections[db]
    meta = model._meta
    if connection.vendor != "postgresql":
        objs = model.objects.using(db).bulk_create([model(**dict(zip(field_names, r, strict=True))) for r in rows])
        return [o.pk for o in objs] if pks else []
    pk = meta.pk
    fields = [next(f for f in meta.concrete_fields if f.attname == n) for n in field_names]
    dumps = [(i, _json(f.encoder)) for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
    q = connection.ops.quote_name
    if not pks:
        columns = ", ".join(q(f.column) for f in fields)
        with connection.cursor() as cur, cur.cursor.copy(f"COPY {q(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                if dumps:
                    row = list(row)
                    for j, dump in dumps:
                        row[j] = dump(row[j])
                copy.write_row(row)
        return []
    columns = ", ".join(q(f.column) for f in [pk, *fields])
    with connection.cursor() as cur:
        cur.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [meta.db_table, pk.column, len(rows)])
        ids = [r[0] for r in cur.fetchall()]
        with cur.cursor.copy(f"COPY {q(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for i, row in zip(ids, rows, strict=True):
                if dumps:
                    row = list(row)
                    for j, dump in dumps:
                        row[j] = dump(row[j])
                copy.write_row([i, *row])
    return ids
