"""Writing many rows with one executemany (the checksheet import's answers, audit.record_many).

A checksheet writes 153 answers and 153 audit rows. bulk_create and bulk_update build a
model instance per row and compile the SQL with every value in it, which made up half of
an import's time; here each value is still prepared by its model field (so dates, foreign
keys and JSON are stored exactly as the ORM stores them) and the statement is sent once.
"""

from django.db import connections, router


def _statement_parts(model, field_names):
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    fields = [meta.get_field(name) for name in field_names]
    return connection, meta, fields, connection.ops.quote_name


def insert_rows(model, field_names: list[str], rows: list[tuple]):
    if not rows:
        return
    connection, meta, fields, quote = _statement_parts(model, field_names)
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(meta.db_table), ", ".join(quote(field.column) for field in fields), ", ".join(["%s"] * len(fields))
    )
    params = [
        [field.get_db_prep_save(value, connection) for field, value in zip(fields, row, strict=True)] for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def update_rows(model, field_names: list[str], rows: list[tuple]):
    """rows: (primary key, *values in the order of field_names)."""
    if not rows:
        return
    connection, meta, fields, quote = _statement_parts(model, field_names)
    pk = meta.pk
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(meta.db_table), ", ".join(f"{quote(field.column)} = %s" for field in fields), quote(pk.column)
    )
    params = [
        [
            *(field.get_db_prep_save(value, connection) for field, value in zip(fields, row[1:], strict=True)),
            pk.get_db_prep_save(row[0], connection),
        ]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
