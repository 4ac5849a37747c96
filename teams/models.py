"""Who besides its owner works on a canvas: members with a role, invitations, read-only links.

A canvas has exactly one owner (``Canvas.owner``); everyone else it is shared with is a
``CanvasMember`` with a role below the owner's. What each role may do is decided in one place,
``teams.access``.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relationships.base import length_limits
from relationships.models import Canvas

COMMENT_LENGTH = 4000
INVITATION_DAYS = 7  # an invitation expires after this many days unless the owner says otherwise
TOKEN_BYTES = 24  # 192 bits: unguessable, and short enough for a link


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


class Role(models.TextChoices):
    """What a person may do with a canvas, from most to least (``teams.access.RANK``)."""

    OWNER = "owner", _("Owner")
    EDITOR = "editor", _("Editor")
    COMMENTER = "commenter", _("Commenter")
    VIEWER = "viewer", _("Viewer")


MEMBER_ROLES = [(r.value, r.label) for r in (Role.EDITOR, Role.COMMENTER, Role.VIEWER)]


class CanvasMember(models.Model):
    """Someone the owner shares the canvas with, and their role."""

    canvas = models.ForeignKey(Canvas, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="canvas_memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=MEMBER_ROLES)
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["canvas", "user"], name="member_once_per_canvas"),
            models.CheckConstraint(
                condition=Q(role__in=[value for value, _label in MEMBER_ROLES]),
                name="member_role_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.canvas} ({self.role})"


class InvitationQuerySet(models.QuerySet):
    def open(self) -> InvitationQuerySet:
        """Not answered, not revoked, not expired."""
        return self.filter(
            accepted_at__isnull=True,
            declined_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )


def _in_a_week():
    return timezone.now() + timedelta(days=INVITATION_DAYS)


class Invitation(models.Model):
    """An invitation to join a canvas with a role: to one person, or by a link anyone can open.

    A personal invitation is answered once; a link lets in whoever opens it until it expires or
    the owner revokes it.
    """

    canvas = models.ForeignKey(Canvas, on_delete=models.CASCADE, related_name="invitations")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    invitee = models.ForeignKey(  # None: an invitation link
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="canvas_invitations",
    )
    role = models.CharField(_("role"), max_length=10, choices=MEMBER_ROLES)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), default=_in_a_week)
    accepted_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=[value for value, _label in MEMBER_ROLES]),
                name="invitation_role_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.canvas} ({self.role})"

    @property
    def is_link(self) -> bool:
        return self.invitee_id is None

    @property
    def is_open(self) -> bool:
        return (
            self.accepted_at is None
            and self.declined_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )


class ShareLinkQuerySet(models.QuerySet):
    def working(self) -> ShareLinkQuerySet:
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )


class ShareLink(models.Model):
    """A read-only link for someone without an account (an investor, a jury).

    It shows the block and its PDF and nothing else. ``document`` holds the block as it was when
    the link was made if the link is frozen; a live link (``document`` None) shows it as it is.
    """

    canvas = models.ForeignKey(Canvas, on_delete=models.CASCADE, related_name="share_links")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    document = models.JSONField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("read-only link")
        verbose_name_plural = _("read-only links")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.canvas} ({'frozen' if self.is_frozen else 'live'})"

    @property
    def is_frozen(self) -> bool:
        return self.document is not None

    @property
    def is_working(self) -> bool:
        """Not revoked and not expired (``ShareLinkQuerySet.working`` in Python)."""
        return self.revoked_at is None and (
            self.expires_at is None or self.expires_at > timezone.now()
        )


class CanvasComment(models.Model):
    """A member's remark on the canvas, a segment or a relationship, until someone resolves it.

    Members only: a read-only link never shows them, and a teacher's comments on what a student
    handed in are ``classrooms.Comment``.
    """

    canvas = models.ForeignKey(Canvas, on_delete=models.CASCADE, related_name="member_comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # "" for the whole canvas, else "segment-<id>" or "relationship-<id>" (Block.anchors).
    anchor = models.CharField(max_length=40, blank=True)
    body = models.TextField(_("comment"), max_length=COMMENT_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]
        constraints = [*length_limits("canvas_comment", body=COMMENT_LENGTH)]

    def __str__(self) -> str:
        return self.body[:60]
