"""``CompiledQuery``: an ORM query compiled to SQL once per database connection, then run again
with new ids. The hot paths of every app use it (the session's user, a canvas page's access
and revision, the block's rows, the live poll)."""

from __future__ import annotations

import weakref
from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet

# Ids no row has, put in a queryset in place of the real ones when it is compiled: negative, and
# within a 32-bit column's range (the ORM drops a lookup on a value no column can hold).
_STAND_INS = (-2_073_400_001, -2_073_400_002, -2_073_400_003)
_ID_RANGE = (-(2**31), 2**31 - 1)  # what every id column holds, 32-bit or 64-bit


class CompiledQuery:
    """An ORM query compiled to SQL once per database connection, then run again with new ids.

    On the hot paths (the canvas page, a save) building and compiling a queryset costs far more
    CPU than the database takes to answer it (the page's access query: some 6 ms to compile,
    0.3 ms to run), and they ask the same questions about other ids. ``build(*ids)`` returns a
    ``values_list`` queryset for ``arity`` stand-in ids; each must reach the SQL as a parameter
    (checked when compiling), and is swapped for the real id on each run. The rows are
    converted as the ORM converts them (decimals, dates, booleans); one query per ``rows``.
    """

    def __init__(self, build: Callable[..., QuerySet], arity: int = 1) -> None:
        self.build = build
        self.arity = arity
        self._compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def _compile(self, connection, using: str) -> tuple:
        stand_ins = _STAND_INS[: self.arity]
        compiler = self.build(*stand_ins).query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        slots = tuple(
            stand_ins.index(p) if type(p) is int and p in stand_ins else None for p in params
        )
        for index, stand_in in enumerate(stand_ins):
            if str(stand_in) in sql or index not in slots:
                raise ValueError(f"id {index} of the query does not reach it as a parameter")
        fields = [column[0] for column in compiler.select[: compiler.col_count]]
        converters = list(compiler.get_converters(fields).items())
        self._compiled[connection] = compiled = (sql, tuple(params), slots, converters)
        return compiled

    def rows(self, *ids: int, using: str = DEFAULT_DB_ALIAS) -> list[tuple]:
        if not all(_ID_RANGE[0] <= i <= _ID_RANGE[1] for i in ids):
            # No row has such an id (an address typed by hand): the ORM answers it without the
            # database, which would refuse a number its column cannot hold.
            return list(self.build(*ids).using(using))
        connection = connections[using]
        sql, values = self.sql(*ids, using=using)
        with connection.cursor() as cursor:
            cursor.execute(sql, values)
            rows = cursor.fetchall()
        return [self.converted(row, using) for row in rows]

    def sql(self, *ids: int, using: str = DEFAULT_DB_ALIAS) -> tuple[str, list]:
        """The query for ``ids``, to run as it is or inside another (``converted`` its rows).
        The ids must be in range (``rows`` says what else to do)."""
        connection = connections[using]
        compiled = self._compiled.get(connection) or self._compile(connection, using)
        sql, params, slots, _converters = compiled
        values = [p if slot is None else ids[slot] for p, slot in zip(params, slots, strict=True)]
        return sql, values

    def converted(self, row, using: str = DEFAULT_DB_ALIAS) -> tuple:
        """A row of the query as the ORM gives it back (decimals, dates, booleans)."""
        connection = connections[using]
        converters = (self._compiled.get(connection) or self._compile(connection, using))[3]
        if not converters:
            return tuple(row)
        row = list(row)
        for position, (functions, expression) in converters:
            for function in functions:
                row[position] = function(row[position], expression, connection)
        return tuple(row)
