"""What a user may do with a canvas and everything in it: the one access rule.

Every view that reaches a canvas, a segment, a relationship or a cost asks here, naming what it
is about to do (``Action``). Whoever may not gets a 404, the same as for a canvas that does
not exist, so that nobody learns what others have. A canvas is reached by its owner and by its
members, each up to their role:

======== ====== ====== ======= ==== ========= ======
role     read   export comment edit duplicate manage
======== ====== ====== ======= ==== ========= ======
owner    yes    yes    yes     yes  yes       yes
editor   yes    yes    yes     yes  yes
commenter yes   yes    yes
viewer   yes    yes
======== ====== ====== ======= ==== ========= ======

Teachers reach what students hand in (a snapshot, not the canvas) through ``classrooms``; a
read-only link reaches one canvas's block and PDF without an account (``teams.views.shared``).
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, TypeVar

from django.db.models import Case, CharField, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.shortcuts import get_object_or_404

from relationships.block import Block
from relationships.models import Canvas, CostItem, Relationship, Segment
from teams.models import CanvasMember, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.db.models import Model

    Row = TypeVar("Row", bound=Model)


class Action(StrEnum):
    READ = "read"  # see the block
    EXPORT = "export"  # download its PDF
    COMMENT = "comment"  # leave and resolve comments
    EDIT = "edit"  # change the block: venture, segments, relationships, costs
    DUPLICATE = "duplicate"  # copy it into one's own canvases
    MANAGE = "manage"  # members, invitations, read-only links, delete the canvas


RANK = {Role.VIEWER: 1, Role.COMMENTER: 2, Role.EDITOR: 3, Role.OWNER: 4}
LEAST = {
    Action.READ: Role.VIEWER,
    Action.EXPORT: Role.VIEWER,
    Action.COMMENT: Role.COMMENTER,
    Action.EDIT: Role.EDITOR,
    Action.DUPLICATE: Role.EDITOR,
    Action.MANAGE: Role.OWNER,
}

# How each kind of row reaches its canvas.
CANVAS_PATH = {
    Canvas: "",
    Segment: "canvas",
    Relationship: "segment__canvas",
    CostItem: "relationship__segment__canvas",
}


def may(role: str | None, action: Action) -> bool:
    """Whether ``role`` (None: no role at all) may do ``action``."""
    return role is not None and RANK[Role(role)] >= RANK[LEAST[action]]


def roles_for(action: Action) -> list[str]:
    """The members' roles that may do ``action`` (the owner always may)."""
    return [role.value for role in RANK if role != Role.OWNER and may(role, action)]


def canvases(user: AbstractBaseUser, action: Action = Action.READ) -> QuerySet[Canvas]:
    """The canvases ``user`` may do ``action`` with, each annotated with the user's ``role``.

    One query, whatever follows (a subquery for the memberships).
    """
    if not user.is_authenticated:
        return Canvas.objects.none()
    roles = roles_for(action)
    member = CanvasMember.objects.filter(user=user, role__in=roles)
    return Canvas.objects.filter(Q(owner=user) | Q(pk__in=member.values("canvas"))).annotate(
        role=Case(
            When(owner=user, then=Value(Role.OWNER.value)),
            default=Subquery(
                CanvasMember.objects.filter(canvas=OuterRef("pk"), user=user).values("role")[:1]
            ),
            output_field=CharField(),
        )
    )


def get_canvas(user: AbstractBaseUser, pk: int, action: Action) -> Canvas:
    """The canvas ``pk`` if ``user`` may do ``action`` with it (``.role``: as what); else 404."""
    return get_object_or_404(canvases(user, action), pk=pk)


def get_row(model: type[Row], user: AbstractBaseUser, pk: int, action: Action) -> Row:
    """A segment, relationship or cost item of a canvas ``user`` may do ``action`` with; else 404.

    The row comes with its way up to the canvas loaded (``select_related``): one query.
    """
    path = CANVAS_PATH[model]
    allowed = canvases(user, action).values("pk")
    rows = model.objects.select_related(path).filter(**{f"{path}__in": allowed})
    return get_object_or_404(rows, pk=pk)


def role_of(user: AbstractBaseUser, canvas: Canvas) -> str | None:
    """The role ``user`` has on ``canvas``: "owner", a member's role, or None. One query at most."""
    if not user.is_authenticated:
        return None
    if canvas.owner_id == user.pk:
        return Role.OWNER.value
    return (
        CanvasMember.objects.filter(canvas=canvas, user=user).values_list("role", flat=True).first()
    )


def load_block(user: AbstractBaseUser, pk: int, action: Action) -> tuple[Block, Canvas]:
    """The live block of canvas ``pk``, if ``user`` may do ``action``; else 404. With it the
    canvas row: ``.role`` (the user's) and ``.is_shared`` (it has members). Four queries, like
    ``Block.load``."""
    shared = Exists(CanvasMember.objects.filter(canvas=OuterRef("pk")))
    rows = canvases(user, action).annotate(is_shared=shared).with_block()
    canvas = get_object_or_404(rows, pk=pk)
    return Block.from_canvas(canvas), canvas
