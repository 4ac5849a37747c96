"""The one write path of a block: every change to a canvas's content goes through here.

``change_block`` runs the change in a transaction and, if it wrote anything, moves the canvas
to its next revision and stamps its last change, in one UPDATE. Whatever keys on the revision
(the PDF cache) can then never serve an old block, and no view has to remember to mark the
canvas edited. It gives back the block as it is after the change, to render: loaded again, or,
after a form's save in one statement, the block this process held at the revision before with
the saved row put in (``relationships.kept_blocks``).

A form's edit of an existing row, on PostgreSQL, is one statement: its versioned UPDATE, the
stamp, the revision bump and the revision row, together (``_in_one_statement``): no BEGIN, no
COMMIT, no round trip each. Anything else, and a form that finds its row moved on, goes the
general way.

A new canvas (the create form, an import, a copy, the sample) starts at revision 1 and needs
no bump: ``relationships.document.create_canvas_from_document`` builds one from a document.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable

from django.db import IntegrityError, connection, connections, transaction
from django.http import Http404
from django.utils import timezone

from relationships import kept_blocks
from relationships.base import VersionedUpdate, versioned_update_sql
from relationships.block import Block
from relationships.models import Canvas, CostItem, Relationship, Revision, Segment

CARD_KINDS = {Segment: Revision.Card.SEGMENT, Relationship: Revision.Card.RELATIONSHIP}


def _column(alias: str, model: type, name: str) -> str:
    return connections[alias].ops.quote_name(model._meta.get_field(name).column)


def _table(alias: str, model: type) -> str:
    return connections[alias].ops.quote_name(model._meta.db_table)


def _stamp(alias: str, model: type) -> str:
    """The assignments of a card's stamp: who changed it and when."""
    by, at = _column(alias, model, "changed_by"), _column(alias, model, "changed_at")
    return f"{by} = %s, {at} = %s"


def _bump(alias: str) -> str:
    """Move canvas ``%s`` (its ``updated_at`` to ``%s``) to its next revision."""
    number = _column(alias, Canvas, "revision")
    return (
        f"UPDATE {_table(alias, Canvas)} SET {number} = {number} + 1, "
        f"{_column(alias, Canvas, 'updated_at')} = %s WHERE {_column(alias, Canvas, 'id')} = %s"
    )


def _record(alias: str, source: str) -> str:
    """Record the revision of the canvas row that ``source`` gives (by, card, card id, cost id,
    when)."""
    written = ", ".join(
        _column(alias, Revision, name)
        for name in ("canvas", "number", "by", "card", "card_id", "cost_id", "made_at")
    )
    canvas_id, number = _column(alias, Canvas, "id"), _column(alias, Canvas, "revision")
    return (
        f"INSERT INTO {_table(alias, Revision)} ({written}) "
        f"SELECT {canvas_id}, {number}, %s, %s, %s, %s, %s {source}"
    )


def _canvas_row(alias: str) -> str:
    return f"FROM {_table(alias, Canvas)} WHERE {_column(alias, Canvas, 'id')} = %s"


@functools.cache
def _statements(alias: str) -> dict:
    """The write path's bookkeeping as SQL, built once from the models: a save runs these on
    every change, and building the same ORM UPDATE and INSERT anew each time cost more CPU
    than the database takes to run them (a third of a save's own time).

    For each card model: stamp who changed it and when. ``"revision"``: move the canvas to its
    next revision, then record that revision (its number read back from the canvas row, in the
    same transaction).
    """
    statements: dict = {
        model: (
            f"UPDATE {_table(alias, model)} SET {_stamp(alias, model)} "
            f"WHERE {_column(alias, model, 'id')} = %s"
        )
        for model in CARD_KINDS
    }
    statements["revision"] = (_bump(alias), _record(alias, _canvas_row(alias)))
    return statements


@functools.cache
def _one_statement(alias: str, model: type, card: type | None, same_row: bool) -> tuple:
    """PostgreSQL: a form's versioned UPDATE of a ``model`` row, the stamp of its ``card`` (a
    row of that model; None: no stamp), the canvas's next revision and its record, as one
    statement: each step runs only if the one before it wrote, so nothing moves unless the
    row still had its version. The stamp goes into the UPDATE itself when the card is the row
    (``same_row``): one statement may not change a row twice. For the same reason the canvas
    row's own UPDATE (its answers) moves it to its next revision itself.

    (SQL, the names of its parameters in order): ``("update", *names)`` stands for the
    UPDATE's own parameters with those values after its assignments (``_in_one_statement``
    gives each name its value). It answers the revision recorded and the canvas's revision
    and last change as they were just before (every part of one statement reads the same
    snapshot), or no row."""
    canvas_id, number = _column(alias, Canvas, "id"), _column(alias, Canvas, "revision")
    updated_at = _column(alias, Canvas, "updated_at")
    returned = f"{canvas_id}, {number}"
    steps = [f"before AS (SELECT {number}, {updated_at} {_canvas_row(alias)})"]
    names: list = ["canvas"]
    if model is Canvas:  # its UPDATE is the bump
        update = versioned_update_sql(Canvas, alias, f"{number} = {number} + 1, {updated_at} = %s")
        steps.append(f"bumped AS ({update} RETURNING {returned})")
        names.append(("update", "now"))
    else:
        update = versioned_update_sql(model, alias, _stamp(alias, model) if same_row else "")
        steps.append(f"saved AS ({update} RETURNING 1)")
        names.append(("update", "author", "now") if same_row else ("update",))
        if card is not None and not same_row:
            steps.append(
                f"stamped AS (UPDATE {_table(alias, card)} SET {_stamp(alias, card)} "
                f"WHERE {_column(alias, card, 'id')} = %s AND EXISTS (SELECT 1 FROM saved))"
            )
            names += ["author", "now", "card_id"]
        steps.append(
            f"bumped AS ({_bump(alias)} AND EXISTS (SELECT 1 FROM saved) RETURNING {returned})"
        )
        names += ["now", "canvas"]
    recorded = _column(alias, Revision, "number")
    steps.append(f"recorded AS ({_record(alias, 'FROM bumped')} RETURNING {recorded})")
    names += ["author", "card", "card_id", "cost_id", "now"]
    sql = (
        f"WITH {', '.join(steps)} SELECT recorded.{recorded}, before.{number}, "
        f"before.{updated_at} FROM recorded, before"
    )
    return sql, tuple(names)


def _bookkeeping(by, card) -> tuple[str, int | None, tuple[type, int, int | None] | None]:
    """What the write path stamps and records: now (as the database takes it), the author's
    id, and the changed card (asked now: after the write, a new row has its id)."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    author = by.pk if by is not None and by.is_authenticated else None
    return now, author, card() if card is not None else None


def _recorded(changed) -> tuple[str, int | None, int | None]:
    """The changed card as its revision records it: its kind, its id and the cost changed
    ("", None, None: the canvas)."""
    return (CARD_KINDS[changed[0]], changed[1], changed[2]) if changed else ("", None, None)


def _in_one_statement(
    canvas_pk: int, update: VersionedUpdate, by, card
) -> kept_blocks.Written | None:
    """Run ``update`` with the write path's bookkeeping in one statement (``_one_statement``),
    on PostgreSQL outside any transaction (inside one, in a savepoint). None, with nothing
    written, when the row is no longer at the version the form saw."""
    now, author, changed = _bookkeeping(by, card)
    model = type(update.obj)
    stamped = changed[0] if changed and by is not None else None
    same_row = stamped is model and changed[1] == update.obj.pk
    sql, names = _one_statement(connection.alias, model, stamped, same_row)
    values = dict(zip(("card", "card_id", "cost_id"), _recorded(changed), strict=True))
    values.update(canvas=canvas_pk, author=author, now=now)
    params = []
    for name in names:
        if isinstance(name, tuple):  # the UPDATE's, with its assignments' values
            params += update.params(tuple(values[after] for after in name[1:]))
        else:
            params.append(values[name])
    savepoint = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    with savepoint, connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    update.written()
    editor = by if author is not None else None
    return kept_blocks.Written(row[0], (row[1], row[2]), now, editor, stamped is not None)


def card_of(row) -> tuple[type, int, int | None] | None:
    """The card a written row shows on, and the cost it was: a segment or relationship itself
    (no cost), a cost's relationship (that cost).

    None for the canvas row (the header is not a card)."""
    if isinstance(row, Segment | Relationship):
        return type(row), row.pk, None
    if isinstance(row, CostItem):
        return Relationship, row.relationship_id, row.pk
    return None


def change_block(
    canvas_pk: int,
    write: Callable[[], object],
    by=None,
    card: Callable[[], tuple[type, int, int | None] | None] | None = None,
    update: VersionedUpdate | None = None,
) -> Block | None:
    """Run ``write`` in a transaction; unless it returns False, bump the canvas's revision.

    ``by`` (a user) and ``card`` (asked after the write, so a new row has its id) stamp who
    changed which card and when (``relationships.base.LastChange``).

    Returns the block as it is after the change (``kept_blocks``: no query after a form's
    one-statement save of a block this process holds, else two), or None when ``write``
    returned False: a form refused by a conflict, a move past either end. The caller then
    shows the form's errors or loads the block itself. Raises Http404 when the canvas, or the
    row the change belongs to, was deleted meanwhile (another tab).

    ``update``: the versioned UPDATE that ``write`` would start with (a form's
    ``versioned_update``), for PostgreSQL to run in one statement with the bookkeeping; when
    the row has moved on, ``write`` runs as always and decides.
    """
    try:
        if update is not None and connection.vendor == "postgresql":
            written = _in_one_statement(canvas_pk, update, by, card)
            if written is not None:
                return kept_blocks.after_update(canvas_pk, update.obj, written)
        with transaction.atomic():
            if write() is False:
                return None
            now, author, changed = _bookkeeping(by, card)
            with connection.cursor() as cursor:
                if by is not None and changed is not None:
                    model, pk, _cost = changed
                    cursor.execute(_statements(connection.alias)[model], [author, now, pk])
                bump, revision = _statements(connection.alias)["revision"]
                cursor.execute(bump, [now, canvas_pk])
                cursor.execute(revision, [author, *_recorded(changed), now, canvas_pk])
    except IntegrityError:
        # Forms have checked every value; what the database refuses at commit (foreign keys
        # are checked then) is a row this one belongs to, deleted in another tab meanwhile.
        raise Http404("The item this belongs to was deleted meanwhile.") from None
    return kept_blocks.load(canvas_pk)
