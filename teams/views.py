"""Views of sharing a canvas: its members page, invitations, leaving, handing it over, and the
read-only links. Every one asks ``teams.access`` first; no right is a 404. Plain forms that
redirect back, so that all of it works without JavaScript."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.db.models import OuterRef, Q, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from canvas_site.queries import CompiledQuery
from canvas_site.throttle import throttle
from relationships.block import Block
from relationships.cards import render_cards
from relationships.pdf import PdfExport, PdfOptions
from relationships.views.export import pdf_response
from relationships.views.numbers import PAGE, kept_numbers, shown_pieces
from teams import access, sharing
from teams import live as live_state
from teams.access import RANK, Action
from teams.comments import CanvasCommentForm, comments_context
from teams.forms import InvitationLinkForm, InviteForm, RoleForm, ShareLinkForm, team_refusal
from teams.models import CanvasComment, CanvasMember, Invitation, Role, ShareLink


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


# --- the read-only link, for people without an account ---------------------------------------


class LinkGone(Exception):
    """The read-only link existed, but was revoked or has expired."""


def _share_link(token: str) -> ShareLink:
    link = ShareLink.objects.select_related("canvas").filter(token=token).first()
    if link is None:
        raise Http404
    if not link.is_working:
        raise LinkGone
    return link


def _gone(request: HttpRequest) -> HttpResponse:
    return _private(render(request, "teams/link_gone.html", status=410))


def _block_of(link: ShareLink) -> Block:
    return Block.from_document(link.document) if link.is_frozen else Block.load(link.canvas_id)


def _private(response: HttpResponse) -> HttpResponse:
    """Not for search engines, not cached on the way, and the token never leaves in a Referer."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    return response


@login_not_required
@require_GET
@throttle(key="shared", rate="60/m")
def shared(request: HttpRequest, token: str) -> HttpResponse:
    """The block behind a read-only link: nothing else (no members, no comments)."""
    try:
        link = _share_link(token)
    except LinkGone:
        return _gone(request)
    context = {"canvas": _block_of(link), "link": link, "readonly": True, "shared": True}
    return _private(render(request, "teams/shared.html", context))


@login_not_required
@require_GET
@throttle(key="shared-pdf", rate="10/m")
def shared_pdf(request: HttpRequest, token: str) -> HttpResponse:
    """The PDF of the block behind a read-only link, in the reader's language."""
    try:
        link = _share_link(token)
    except LinkGone:
        return _gone(request)
    export = PdfExport.of_link(link, PdfOptions.from_query(request.GET))
    return _private(pdf_response(request, export))


# --- live changes (teams.live) -----------------------------------------------------------------


def _shown_revision(request: HttpRequest, current: int) -> int:
    value = request.GET.get("revision", "")
    return int(value) if value.isdigit() and int(value) <= current else current


def _readable_revision_query(user_pk: int, pk: int):
    user = get_user_model()(pk=user_pk)
    return access.canvases(user, Action.READ).filter(pk=pk).values_list("revision")


# Every open editor page asks every few seconds: the access rule compiled once per process.
_READABLE_REVISION = CompiledQuery(_readable_revision_query, arity=2)


@require_GET
def live(request: HttpRequest, pk: int) -> HttpResponse:
    """What changed since the revision the page shows, and who else has it open.

    204 (nothing for htmx to do) when neither changed: one query beyond the session's.
    """
    rows = _READABLE_REVISION.rows(request.user.pk, pk)
    if not rows:
        raise Http404
    current = rows[0][0]
    shown = _shown_revision(request, current)
    people = live_state.people_here(pk, request.user)
    if shown == current and people["people_key"] == request.GET.get("present", ""):
        return HttpResponse(status=204)
    context = {
        "canvas_pk": pk,
        "revision": current,
        **people,
        "editing": request.GET.get("mode") == "edit",
    }
    html = []
    if shown < current:
        loaded = functools.cache(lambda: Block.load(pk))  # once, if at all
        changes = live_state.changes_since(pk, shown, request.user, loaded)
        context["changes"] = changes
        if changes and context["editing"]:
            block = loaded()
            # The fresh cards wait in #live-cards; static/js/app.js puts each one in place of
            # its card, unless an edit form is open there (what its user types is kept).
            cards = render_cards(request, block)
            context["live_cards"] = [cards[pk] for pk in sorted(changes.relationship_pks)]
            # A segment's header too (its name, what it expects), in the same way.
            context["live_cards"] += [
                render_to_string(
                    f"{PAGE}#segment-header", {"canvas": block, "segment": segment}, request
                )
                for segment in block.segments
                if segment.pk in changes.segment_pks
            ]
            # The numbers of the block and of every segment, out of band, but those the page
            # shows as they are (X-Shown): a cost of another member's changes its segment's.
            numbers = kept_numbers(request, block, True, shown=shown_pieces(request))
            names = ("canvas-totals", "completeness", "pitch-warnings", "economics")
            html += [numbers.get(name, "") for name in names]
            html += numbers["segment-totals"].values()
    page = render_to_string("teams/live.html", context, request=request)
    return HttpResponse(page + "".join(html))


# --- members' comments (teams.comments) --------------------------------------------------------


def _comments_answer(request: HttpRequest, block: Block, role: str, form=None, status=200):
    """The comments panel again (htmx), or the canvas at its comments (a plain form)."""
    if request.htmx:  # htmx swaps only a 2xx: the form comes back with its message beside it
        context = {"canvas": block, **comments_context(block, role, form)}
        return render(request, "teams/_comments.html", context)
    if form is not None:  # refused without JavaScript: the form alone, with its errors
        context = {"canvas": block, **comments_context(block, role, form)}
        return render(request, "teams/comment_page.html", context, status=status)
    return redirect(reverse("canvas_detail", args=[block.pk]) + "#member-comments")


@require_POST
def comment_create(request: HttpRequest, pk: int) -> HttpResponse:
    block, canvas = access.load_block(request.user, pk, Action.COMMENT)
    form = CanvasCommentForm(request.POST, block=block)
    if not form.is_valid():
        return _comments_answer(request, block, canvas.role, form, status=422)
    comment = form.save(commit=False)
    comment.canvas_id, comment.author = pk, request.user
    comment.save()
    return _comments_answer(request, block, canvas.role)


@require_POST
def comment_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    """Resolve a comment, or open it again."""
    allowed = access.canvases(request.user, Action.COMMENT).values("pk")
    comment = get_object_or_404(CanvasComment, pk=pk, canvas__in=allowed)
    resolved = comment.resolved_at is None
    comment.resolved_at = timezone.now() if resolved else None
    comment.resolved_by = request.user if resolved else None
    comment.save(update_fields=["resolved_at", "resolved_by"])
    block, canvas = access.load_block(request.user, comment.canvas_id, Action.COMMENT)
    return _comments_answer(request, block, canvas.role)
