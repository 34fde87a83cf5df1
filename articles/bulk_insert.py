"""Insert the new rows of a poll in one go and learn their ids, for less than bulk_create costs.

bulk_create compiles one statement with a placeholder per value, and on PostgreSQL packs every
column into an array that psycopg escapes in Python; on the recorded payloads that took longer
than the database took to store the rows. Polling inserts plain values, so they go to the
driver directly, each prepared as bulk_create would (plain strings, numbers and booleans as they are):

* PostgreSQL: the ids come from the table's sequence in one query, then COPY sends the rows.
* SQLite: one INSERT per row on the same prepared statement (no round trips), reading its rowid;
  executemany when the ids are not wanted.

A unique violation raises django.db.IntegrityError, as bulk_create does; the caller's savepoint
undoes what was inserted before it. Triggers fire as for any insert (the search index's do).
"""

from django.db import connection
from django.db.models import BooleanField, CharField, Field, IntegerField, Model, TextField

# A value already of its column's plain type goes to the driver as it is: what get_db_prep_save would
# return anyway, without its cost (most of bulk_create's time on our rows).
PLAIN_FIELDS = (BooleanField, CharField, IntegerField, TextField)
PLAIN_VALUES = {str, int, bool, type(None)}


def placeholders(count: int) -> str:
    """"%s, %s, …": a parameter for each of `count` values in a statement written by hand."""
    return ", ".join(["%s"] * count)


def _is_plain(field: Field) -> bool:
    return isinstance(field.target_field if field.is_relation else field, PLAIN_FIELDS)


def _db_value(obj: Model, field: Field, plain: bool):
    if plain:
        value = getattr(obj, field.attname)
        if type(value) in PLAIN_VALUES:
            return value
    return field.get_db_prep_save(field.pre_save(obj, True), connection)


def insert(objects: list[Model], *, with_ids: bool = True) -> None:
    """Insert unsaved instances of one model. with_ids: set each one's primary key (rows nothing
    refers to afterwards can skip it, which saves a round trip or a statement per row)."""
    if not objects:
        return
    meta = type(objects[0])._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    plain = [_is_plain(field) for field in fields]
    rows = [[_db_value(obj, field, is_plain) for field, is_plain in zip(fields, plain, strict=True)] for obj in objects]
    quote = connection.ops.quote_name
    table, columns = quote(meta.db_table), [quote(field.column) for field in fields]
    ids: list[int] = []
    with connection.cursor() as cursor, connection.wrap_database_errors:
        if connection.vendor == "postgresql":
            if with_ids:
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                               [meta.db_table, meta.pk.column, len(rows)])
                ids = [row[0] for row in cursor.fetchall()]
                rows = [[pk, *row] for pk, row in zip(ids, rows, strict=True)]
                columns.insert(0, quote(meta.pk.column))
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders(len(columns))})"  # noqa: S608 - names from the model
            if with_ids:
                for row in rows:
                    cursor.execute(sql, row)
                    ids.append(cursor.lastrowid)
            else:
                cursor.executemany(sql, rows)
    for obj, pk in zip(objects, ids or [None] * len(objects), strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias
