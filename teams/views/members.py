"""The members page of a canvas and what changes its members: invitations (addressed or by
link), roles, removing, leaving, handing the canvas over, and the read-only links it lists.
Every view asks ``teams.access`` first; no right is a 404. Plain forms that redirect back, so
that all of it works without JavaScript."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import OuterRef, Q, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from canvas_site.throttle import throttle
from teams import access, sharing
from teams.access import RANK, Action
from teams.forms import InvitationLinkForm, InviteForm, RoleForm, ShareLinkForm, team_refusal
from teams.models import CanvasMember, Invitation, Role, ShareLink


def _members_url(canvas_pk: int, anchor: str = "") -> str:
    return reverse("canvas_members", args=[canvas_pk]) + (f"#{anchor}" if anchor else "")


def _members_page(request: HttpRequest, canvas, status: int = 200, **forms) -> HttpResponse:
    """The members of the canvas; to its owner, the forms that change them as well."""
    from classrooms.models import Team  # classes build on sharing

    manage = access.may(canvas.role, Action.MANAGE)
    team = Team.objects.filter(canvas=OuterRef("canvas"), members__student=OuterRef("user"))
    members = (
        CanvasMember.objects.filter(canvas=canvas)
        .select_related("user")
        .annotate(team_name=Subquery(team.values("name")[:1]))  # the team leads: see below
    )
    context = {
        "canvas": canvas,
        "role": canvas.role,
        "manage": manage,
        "owner": canvas.owner,
        "members": list(members),
        "roles": [(r.value, r.label) for r in (Role.EDITOR, Role.COMMENTER, Role.VIEWER)],
    }
    if manage:
        context |= {
            "invitations": list(
                Invitation.objects.open().filter(canvas=canvas).select_related("invitee")
            ),
            "share_links": list(ShareLink.objects.working().filter(canvas=canvas)),
            # A class team's canvas takes no invitation: the reason instead of the forms.
            "invite_refusal": team_refusal(canvas),
            "invite_form": forms.get("invite_form") or InviteForm(canvas=canvas, invited_by=None),
            "link_form": forms.get("link_form") or InvitationLinkForm(),
            "share_form": forms.get("share_form") or ShareLinkForm(),
            "hand_over_error": forms.get("hand_over_error", ""),
        }
    return render(request, "teams/members.html", context, status=status)


@require_GET
def members(request: HttpRequest, pk: int) -> HttpResponse:
    canvas = access.get_canvas(request.user, pk, Action.READ)
    return _members_page(request, canvas)


@require_POST
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    canvas = access.get_canvas(request.user, pk, Action.MANAGE)
    form = InviteForm(request.POST, canvas=canvas, invited_by=request.user)
    if not form.is_valid():
        return _members_page(request, canvas, status=422, invite_form=form)
    invitation = form.save()
    messages.success(
        request,
        _("%(name)s is invited. The invitation waits on their “My canvases” page.")
        % {"name": invitation.invitee.get_username()},
    )
    return redirect(_members_url(pk, "invitations"))


@require_POST
def invitation_link(request: HttpRequest, pk: int) -> HttpResponse:
    canvas = access.get_canvas(request.user, pk, Action.MANAGE)
    if refusal := team_refusal(canvas):  # a link would let in anyone: the team leads
        messages.error(request, refusal)
        return redirect(_members_url(pk, "invitations"))
    form = InvitationLinkForm(request.POST)
    if not form.is_valid():
        return _members_page(request, canvas, status=422, link_form=form)
    form.save(canvas, request.user)
    messages.success(request, _("The invitation link is ready: copy it from the list."))
    return redirect(_members_url(pk, "invitations"))


def _managed(model, user, pk: int):
    """An invitation, link or member of a canvas ``user`` manages; else 404."""
    allowed = access.canvases(user, Action.MANAGE).values("pk")
    return get_object_or_404(model.objects.select_related("canvas"), pk=pk, canvas__in=allowed)


@require_POST
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = _managed(Invitation, request.user, pk)
    sharing.revoke(invitation)
    messages.success(request, _("The invitation no longer lets anyone in."))
    return redirect(_members_url(invitation.canvas_id, "invitations"))


def _invitation_for(user, token: str) -> Invitation:
    """The invitation behind ``token`` if it is a link or addressed to ``user``; else 404."""
    return get_object_or_404(
        Invitation.objects.select_related("canvas__owner", "invited_by"),
        Q(invitee__isnull=True) | Q(invitee=user),
        token=token,
    )


@require_http_methods(["GET", "POST"])
@throttle(key="invitation", rate="30/m")
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Who invites me to what, with which role: accept or decline.

    Not ``no-referrer`` like a read-only link: Chromium then sends ``Origin: null`` with the
    form, which CSRF rightly refuses. The site's ``same-origin`` keeps the token on our side,
    where the logs mask it."""
    invitation = _invitation_for(request.user, token)
    context = {"invitation": invitation, "is_owner": invitation.canvas.owner_id == request.user.pk}
    if not invitation.is_open or context["is_owner"]:
        return render(request, "teams/invitation.html", context, status=410)
    member = CanvasMember.objects.filter(canvas=invitation.canvas, user=request.user).first()
    if member is not None and RANK[Role(member.role)] >= RANK[Role(invitation.role)]:
        context["member"] = member
        return render(request, "teams/invitation.html", context)
    # Open since before the canvas became a class team's: the team leads, nobody joins this way.
    context["refusal"] = team_refusal(invitation.canvas)
    if request.method == "POST":
        if request.POST.get("answer") == "accept" and context["refusal"]:
            return render(request, "teams/invitation.html", context, status=409)
        if request.POST.get("answer") == "accept":
            sharing.accept(invitation, request.user)
            messages.success(
                request,
                _("You are now %(role)s of “%(title)s”.")
                % {"role": invitation.get_role_display().lower(), "title": invitation.canvas.title},
            )
            return redirect("canvas_detail", pk=invitation.canvas_id)
        if request.POST.get("answer") == "decline" and not invitation.is_link:
            sharing.decline(invitation)
        messages.info(request, _("You declined the invitation."))
        return redirect("canvas_list")
    return render(request, "teams/invitation.html", context)


def _in_team(member: CanvasMember):
    """The class team ``member`` is in and whose canvas this is; None.

    Such a team leads (``classrooms.models.Team``): its members edit its canvas, and only a
    teacher takes one out of it, so the canvas's owner can neither remove them here nor change
    their role. One query.
    """
    from classrooms.models import Team  # classes build on sharing

    return Team.of_canvas_member(member.canvas_id, member.user_id)


def _refuse_for_team(request: HttpRequest, member: CanvasMember, team) -> HttpResponse:
    messages.error(
        request,
        _(
            "%(name)s is in your team “%(team)s” for “%(assignment)s”: teammates edit the"
            " team's canvas, and only your teacher can take them out of the team."
        )
        % {
            "name": member.user.get_username(),
            "team": team.name,
            "assignment": team.assignment.title,
        },
    )
    return redirect(_members_url(member.canvas_id, "members"))


@require_POST
def member_role(request: HttpRequest, pk: int) -> HttpResponse:
    member = _managed(CanvasMember, request.user, pk)
    if team := _in_team(member):
        return _refuse_for_team(request, member, team)
    form = RoleForm(request.POST)
    if form.is_valid():
        member.role = form.cleaned_data["role"]
        member.save(update_fields=["role"])
        messages.success(
            request,
            _("%(name)s is now %(role)s.")
            % {"name": member.user.get_username(), "role": member.get_role_display().lower()},
        )
    return redirect(_members_url(member.canvas_id, "members"))


@require_POST
def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    member = _managed(CanvasMember, request.user, pk)
    if team := _in_team(member):
        return _refuse_for_team(request, member, team)
    member.delete()
    messages.success(
        request,
        _("%(name)s no longer has access to this canvas.") % {"name": member.user.get_username()},
    )
    return redirect(_members_url(member.canvas_id, "members"))


@require_POST
def leave(request: HttpRequest, pk: int) -> HttpResponse:
    """A member leaves the canvas; the owner cannot (they hand it over first). A member of the
    class team that works on it leaves the team as well (``_in_team``: the team leads)."""
    member = get_object_or_404(
        CanvasMember.objects.select_related("canvas"), canvas_id=pk, user=request.user
    )
    if team := _in_team(member):
        team.remove(request.user)
        messages.success(
            request,
            _("You left “%(title)s” and the team “%(team)s”.")
            % {"title": member.canvas.title, "team": team.name},
        )
        return redirect("canvas_list")
    member.delete()
    messages.success(request, _("You left “%(title)s”.") % {"title": member.canvas.title})
    return redirect("canvas_list")


@require_POST
def hand_over(request: HttpRequest, pk: int) -> HttpResponse:
    canvas = access.get_canvas(request.user, pk, Action.MANAGE)
    chosen = request.POST.get("member", "")
    members = CanvasMember.objects.filter(canvas=canvas).select_related("user")
    member = members.filter(pk=chosen).first() if chosen.isdigit() else None
    if member is None or request.POST.get("sure") != "yes":
        error = (
            _("Choose the member who becomes the owner.")
            if member is None
            else _("Tick the box to confirm: you will stay on as an editor.")
        )
        return _members_page(request, canvas, status=422, hand_over_error=error)
    new_owner = member.user.get_username()  # before the row becomes the old owner's
    sharing.hand_over(canvas, member)
    messages.success(
        request,
        _("%(name)s owns “%(title)s” now; you are an editor.")
        % {"name": new_owner, "title": canvas.title},
    )
    return redirect("canvas_detail", pk=pk)


@require_POST
def share_link_create(request: HttpRequest, pk: int) -> HttpResponse:
    canvas = access.get_canvas(request.user, pk, Action.MANAGE)
    form = ShareLinkForm(request.POST)
    if not form.is_valid():
        return _members_page(request, canvas, status=422, share_form=form)
    form.save(canvas, request.user)
    messages.success(request, _("The read-only link is ready: copy it from the list."))
    return redirect(_members_url(pk, "share-links"))


@require_POST
def share_link_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    link = _managed(ShareLink, request.user, pk)
    sharing.revoke(link)
    messages.success(request, _("The read-only link no longer opens the canvas."))
    return redirect(_members_url(link.canvas_id, "share-links"))
