"""What happens when a canvas is shared: invitations answered, members leaving, the owner
handing the canvas over, and what a user sees shared with them. Views call these; none checks
access (``teams.access`` does, before)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from relationships.models import Canvas
from teams.access import RANK
from teams.models import CanvasMember, Invitation, Role, ShareLink

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


@dataclass(frozen=True)
class Shared:
    """A canvas someone else owns, as "My canvases" lists it."""

    canvas: Canvas
    role: str

    def get_role_display(self) -> str:
        return str(Role(self.role).label)


def shared_with(user: AbstractBaseUser) -> dict:
    """The canvases shared with ``user`` and the invitations waiting for their answer.

    Two queries.
    """
    memberships = CanvasMember.objects.filter(user=user).select_related("canvas__owner")
    waiting = (
        Invitation.objects.open()
        .filter(invitee=user)
        .select_related("canvas", "invited_by")
        .order_by("created_at")
    )
    shared = sorted(
        (Shared(m.canvas, m.role) for m in memberships),
        key=lambda s: s.canvas.updated_at,
        reverse=True,
    )
    return {"shared": shared, "invitations": list(waiting)}


@transaction.atomic
def accept(invitation: Invitation, user: AbstractBaseUser) -> CanvasMember | None:
    """Make ``user`` a member with the invitation's role (never lowering a role they have).

    A personal invitation is used up; a link stays open for the next person. None for the
    canvas's owner, who needs no invitation.
    """
    if user.pk == invitation.canvas.owner_id:
        return None
    member, created = CanvasMember.objects.select_for_update().get_or_create(
        canvas=invitation.canvas, user=user, defaults={"role": invitation.role}
    )
    if not created and RANK[Role(member.role)] < RANK[Role(invitation.role)]:
        member.role = invitation.role
        member.save(update_fields=["role"])
    if not invitation.is_link:
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
    return member


def decline(invitation: Invitation) -> None:
    invitation.declined_at = timezone.now()
    invitation.save(update_fields=["declined_at"])


def revoke(row: Invitation | ShareLink) -> None:
    row.revoked_at = timezone.now()
    row.save(update_fields=["revoked_at"])


@transaction.atomic
def hand_over(canvas: Canvas, member: CanvasMember) -> None:
    """Make ``member`` the owner; the owner stays on as an editor. Exactly one owner throughout."""
    locked = Canvas.objects.select_for_update().get(pk=canvas.pk)
    previous = locked.owner_id
    Canvas.objects.filter(pk=canvas.pk).update(owner=member.user_id)
    member.user_id, member.role = previous, Role.EDITOR
    member.save(update_fields=["user", "role"])
