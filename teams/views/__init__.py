"""Views of working on a canvas together, by what they act on: ``members`` (the members page:
invitations, roles, leaving, handing the canvas over, the read-only links it lists), ``shared``
(what a read-only link opens, without an account), ``live`` (what the others changed, asked by
every open editor page) and ``comments`` (the members' comments). Every one asks
``teams.access`` first; no right is a 404."""

from teams.views.comments import comment_create, comment_resolve
from teams.views.live import live
from teams.views.members import (
    hand_over,
    invitation,
    invitation_link,
    invitation_revoke,
    invite,
    leave,
    member_remove,
    member_role,
    members,
    share_link_create,
    share_link_revoke,
)
from teams.views.shared import shared, shared_pdf

__all__ = [
    "comment_create",
    "comment_resolve",
    "hand_over",
    "invitation",
    "invitation_link",
    "invitation_revoke",
    "invite",
    "leave",
    "live",
    "member_remove",
    "member_role",
    "members",
    "share_link_create",
    "share_link_revoke",
    "shared",
    "shared_pdf",
]
