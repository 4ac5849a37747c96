"""Forms of sharing a canvas: invite a person, make an invitation link or a read-only link,
change a member's role. They own validation; a refusal says why next to the field."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relationships.block import Block
from relationships.models import Canvas
from teams.models import INVITATION_DAYS, MEMBER_ROLES, CanvasMember, Invitation, ShareLink

MAX_DAYS = 365


class InviteForm(forms.Form):
    """Invite one person, by username, with a role."""

    username = forms.CharField(label=_("Username"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=MEMBER_ROLES, initial="editor")

    def __init__(self, *args, canvas: Canvas, invited_by, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.canvas, self.invited_by = canvas, invited_by

    def clean_username(self) -> object:
        name = self.cleaned_data["username"].strip()
        invitee = get_user_model().objects.filter(username__iexact=name).first()
        if invitee is None:
            raise forms.ValidationError(
                _("Nobody has the username “%(name)s”."), params={"name": name}
            )
        if invitee.pk == self.canvas.owner_id:
            raise forms.ValidationError(_("That is the owner of this canvas."))
        if CanvasMember.objects.filter(canvas=self.canvas, user=invitee).exists():
            raise forms.ValidationError(
                _("%(name)s is already a member; change their role in the list instead."),
                params={"name": invitee.get_username()},
            )
        if refusal := team_refusal(self.canvas):
            raise forms.ValidationError(refusal)
        if Invitation.objects.open().filter(canvas=self.canvas, invitee=invitee).exists():
            raise forms.ValidationError(
                _("%(name)s already has an invitation waiting."),
                params={"name": invitee.get_username()},
            )
        return invitee

    def save(self) -> Invitation:
        return Invitation.objects.create(
            canvas=self.canvas,
            invited_by=self.invited_by,
            invitee=self.cleaned_data["username"],
            role=self.cleaned_data["role"],
        )


def team_refusal(canvas: Canvas) -> str | None:
    """Why nobody can be invited to ``canvas``, a class team's; None for any other. One query.

    The team leads its canvas's membership (``classrooms.models.Team``): its members edit it,
    and only a teacher moves students in and out of the team.
    """
    from classrooms.models import Team  # classes build on sharing

    team = Team.objects.filter(canvas=canvas).select_related("assignment").first()
    if team is None:
        return None
    return _(
        "This is the canvas of the team “%(team)s” for “%(assignment)s”: its members are the"
        " team's. Classmates join the team on the class page, and your teacher can move"
        " students into it."
    ) % {"team": team.name, "assignment": team.assignment.title}


def _days_field(label, required=True) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=1,
        max_value=MAX_DAYS,
        required=required,
        initial=INVITATION_DAYS if required else None,
        error_messages={
            "min_value": _("At least one day."),
            "max_value": _("At most %(limit_value)s days."),
            "invalid": _("Write a whole number of days."),
        },
    )


class InvitationLinkForm(forms.Form):
    """A link that lets in whoever opens it, with a role, until it expires or is revoked."""

    role = forms.ChoiceField(label=_("Role"), choices=MEMBER_ROLES, initial="editor")
    days = _days_field(_("Valid for (days)"))

    def save(self, canvas: Canvas, invited_by) -> Invitation:
        return Invitation.objects.create(
            canvas=canvas,
            invited_by=invited_by,
            role=self.cleaned_data["role"],
            expires_at=timezone.now() + timedelta(days=self.cleaned_data["days"]),
        )


class ShareLinkForm(forms.Form):
    """A read-only link for people without an account."""

    LIVE, FROZEN = "live", "frozen"
    kind = forms.ChoiceField(
        label=_("What the link shows"),
        choices=[
            (LIVE, _("The block as it is whenever the link is opened")),
            (FROZEN, _("The block as it is now, frozen")),
        ],
        initial=LIVE,
        widget=forms.RadioSelect,
    )
    days = _days_field(_("Expires after (days, empty for never)"), required=False)

    def save(self, canvas: Canvas, created_by) -> ShareLink:
        days = self.cleaned_data["days"]
        document = None
        if self.cleaned_data["kind"] == self.FROZEN:
            document = Block.load(canvas.pk).document  # JSON-ready, like a submission's
        return ShareLink.objects.create(
            canvas=canvas,
            created_by=created_by,
            document=document,
            expires_at=timezone.now() + timedelta(days=days) if days else None,
        )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=MEMBER_ROLES)
