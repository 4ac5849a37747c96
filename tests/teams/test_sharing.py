"""Sharing a canvas: members and roles, invitations by name and by link, leaving, handing the
canvas over, "shared with me", and the read-only link for people without an account."""

import logging
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from relationships.models import Canvas
from teams import access
from teams.access import Action
from teams.models import CanvasMember, Invitation, ShareLink
from tests.factories import make_canvas, make_cost, make_relationship, make_segment, make_user
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return make_user("olga")


@pytest.fixture
def canvas(owner):
    canvas = make_canvas(owner=owner, title="Academia Sol")
    make_cost(make_relationship(make_segment(canvas, name="Adultos")), amount="1200")
    return canvas


def member(canvas, name, role):
    user = make_user(name)
    CanvasMember.objects.create(canvas=canvas, user=user, role=role)
    return user


class TestTheAccessRule:
    def test_each_role_may_do_what_the_table_says(self, canvas, owner):
        people = {
            "owner": owner,
            "editor": member(canvas, "eva", "editor"),
            "commenter": member(canvas, "carlos", "commenter"),
            "viewer": member(canvas, "vera", "viewer"),
            "stranger": make_user("sara"),
        }
        allowed = {
            name: {a for a in Action if access.canvases(user, a).filter(pk=canvas.pk).exists()}
            for name, user in people.items()
        }
        assert allowed["owner"] == set(Action)
        assert allowed["editor"] == set(Action) - {Action.MANAGE}
        assert allowed["commenter"] == {Action.READ, Action.EXPORT, Action.COMMENT}
        assert allowed["viewer"] == {Action.READ, Action.EXPORT}
        assert allowed["stranger"] == set()

    def test_the_role_comes_with_the_canvas_in_one_query(self, canvas, django_assert_num_queries):
        viewer = member(canvas, "vera", "viewer")
        with django_assert_num_queries(1):
            assert access.get_canvas(viewer, canvas.pk, Action.READ).role == "viewer"


class TestInvitations:
    def test_invite_by_username_accept_and_see_it_shared(self, canvas, owner):
        eva_user = make_user("eva")
        response = client_for(owner).post(
            reverse("invite", args=[canvas.pk]), {"username": "EVA", "role": "commenter"}
        )
        assert response.status_code == 302
        eva = client_for(eva_user)
        listing = eva.get(reverse("canvas_list")).content.decode()
        assert "olga invites you to “Academia Sol” as commenter." in listing
        invitation = Invitation.objects.get()
        page = eva.get(reverse("invitation", args=[invitation.token])).content.decode()
        assert "olga invites you to “Academia Sol”" in page
        eva.post(reverse("invitation", args=[invitation.token]), {"answer": "accept"})
        assert CanvasMember.objects.get(canvas=canvas).role == "commenter"
        listing = eva.get(reverse("canvas_list")).content.decode()
        assert "Shared with me" in listing
        assert "Commenter" in listing
        assert "invites you" not in listing  # answered: no longer waiting

    @pytest.mark.parametrize(
        ("username", "message"),
        [
            ("nobody", "Nobody has the username “nobody”."),
            ("olga", "That is the owner of this canvas."),
            ("eva", "eva is already a member"),
        ],
    )
    def test_a_wrong_username_is_told_next_to_the_field(self, canvas, owner, username, message):
        member(canvas, "eva", "viewer")
        response = client_for(owner).post(
            reverse("invite", args=[canvas.pk]), {"username": username, "role": "editor"}
        )
        assert response.status_code == 422
        html = response.content.decode()
        assert message in html
        assert f'value="{username}"' in html  # what was typed stays
        assert not Invitation.objects.exists()

    def test_a_declined_invitation_lets_nobody_in(self, canvas, owner):
        eva = make_user("eva")
        invitation = Invitation.objects.create(
            canvas=canvas, invited_by=owner, invitee=eva, role="editor"
        )
        client = client_for(eva)
        client.post(reverse("invitation", args=[invitation.token]), {"answer": "decline"})
        assert not CanvasMember.objects.exists()
        assert client.get(reverse("invitation", args=[invitation.token])).status_code == 410

    def test_an_invitation_link_lets_in_several_until_revoked(self, canvas, owner):
        client_for(owner).post(
            reverse("invitation_link", args=[canvas.pk]), {"role": "viewer", "days": "7"}
        )
        link = Invitation.objects.get()
        assert link.is_link
        for name in ("ana", "ben"):
            client_for(make_user(name)).post(
                reverse("invitation", args=[link.token]), {"answer": "accept"}
            )
        assert CanvasMember.objects.filter(canvas=canvas, role="viewer").count() == 2
        client_for(owner).post(reverse("invitation_revoke", args=[link.pk]))
        late = client_for(make_user("cai"))
        response = late.get(reverse("invitation", args=[link.token]))
        assert response.status_code == 410
        assert "no longer works" in response.content.decode()

    def test_an_expired_link_says_so(self, canvas, owner):
        link = Invitation.objects.create(
            canvas=canvas,
            invited_by=owner,
            role="editor",
            expires_at=timezone.now() - timedelta(minutes=1),
        )
        response = client_for(make_user("ana")).post(
            reverse("invitation", args=[link.token]), {"answer": "accept"}
        )
        assert response.status_code == 410
        assert not CanvasMember.objects.exists()

    def test_accepting_never_lowers_a_role(self, canvas, owner):
        eva = member(canvas, "eva", "editor")
        link = Invitation.objects.create(canvas=canvas, invited_by=owner, role="viewer")
        client_for(eva).post(reverse("invitation", args=[link.token]), {"answer": "accept"})
        assert CanvasMember.objects.get(user=eva).role == "editor"

    def test_days_out_of_range_are_refused(self, canvas, owner):
        response = client_for(owner).post(
            reverse("invitation_link", args=[canvas.pk]), {"role": "viewer", "days": "0"}
        )
        assert response.status_code == 422
        assert "At least one day." in response.content.decode()


class TestMembers:
    def test_the_owner_changes_a_role_and_removes_a_member(self, canvas, owner):
        eva = member(canvas, "eva", "viewer")
        row = CanvasMember.objects.get(user=eva)
        client = client_for(owner)
        client.post(reverse("canvas_member_role", args=[row.pk]), {"role": "editor"})
        assert CanvasMember.objects.get(pk=row.pk).role == "editor"
        client.post(reverse("canvas_member_remove", args=[row.pk]))
        assert client_for(eva).get(reverse("canvas_detail", args=[canvas.pk])).status_code == 404

    def test_a_member_leaves(self, canvas):
        eva = member(canvas, "eva", "commenter")
        client = client_for(eva)
        client.post(reverse("leave", args=[canvas.pk]))
        assert client.get(reverse("canvas_detail", args=[canvas.pk])).status_code == 404

    def test_handing_over_keeps_exactly_one_owner(self, canvas, owner):
        eva = member(canvas, "eva", "viewer")
        row = CanvasMember.objects.get(user=eva)
        client = client_for(owner)
        refused = client.post(reverse("hand_over", args=[canvas.pk]), {"member": row.pk})
        assert refused.status_code == 422
        assert "Tick the box" in refused.content.decode()
        client.post(reverse("hand_over", args=[canvas.pk]), {"member": row.pk, "sure": "yes"})
        canvas.refresh_from_db()
        assert canvas.owner == eva
        assert CanvasMember.objects.get(canvas=canvas).user == owner
        assert CanvasMember.objects.get(canvas=canvas).role == "editor"
        # the old owner edits still, and manages no more
        assert client.get(reverse("canvas_members", args=[canvas.pk])).status_code == 200
        assert client.post(reverse("hand_over", args=[canvas.pk])).status_code == 404

    def test_an_editor_edits_and_a_viewer_reads(self, canvas):
        eva, vera = member(canvas, "eva", "editor"), member(canvas, "vera", "viewer")
        editor = client_for(eva).get(reverse("canvas_detail", args=[canvas.pk])).content.decode()
        assert "Edit venture and questions" in editor
        reader = client_for(vera).get(reverse("canvas_detail", args=[canvas.pk])).content.decode()
        assert "Edit venture and questions" not in reader
        assert "Shared with you to read and export" in reader
        assert "Adultos" in reader
        assert "Download PDF" in reader

    def test_a_copy_made_by_an_editor_is_the_editors(self, canvas):
        eva = member(canvas, "eva", "editor")
        client_for(eva).post(reverse("canvas_duplicate", args=[canvas.pk]))
        copy = Canvas.objects.exclude(pk=canvas.pk).get()
        assert copy.owner == eva
        assert not copy.members.exists()


class TestReadOnlyLinks:
    def make_link(self, canvas, owner, **data):
        client_for(owner).post(
            reverse("share_link_create", args=[canvas.pk]), {"kind": "live", **data}
        )
        return ShareLink.objects.latest("pk")

    def test_the_link_shows_the_block_and_nothing_else(self, canvas, owner):
        member(canvas, "eva", "editor")
        link = self.make_link(canvas, owner)
        assert len(link.token) >= 22  # at least 128 bits of randomness, url-safe
        response = Client().get(reverse("shared", args=[link.token]))
        html = response.content.decode()
        assert response.status_code == 200
        assert "Academia Sol" in html
        assert "Adultos" in html
        assert "olga" not in html
        assert "eva" not in html
        assert '<meta name="robots" content="noindex, nofollow">' in html
        assert response["X-Robots-Tag"] == "noindex, nofollow"
        assert response["Referrer-Policy"] == "no-referrer"
        assert "no-store" in response["Cache-Control"]
        assert "/edit/" not in html

    def test_a_live_link_follows_the_canvas_and_a_frozen_one_does_not(self, canvas, owner):
        live = self.make_link(canvas, owner)
        frozen = self.make_link(canvas, owner, kind="frozen")
        Canvas.objects.filter(pk=canvas.pk).update(title="Academia Luna")
        assert "Academia Luna" in Client().get(reverse("shared", args=[live.token])).text
        frozen_page = Client().get(reverse("shared", args=[frozen.token])).text
        assert "Academia Sol" in frozen_page
        assert "Academia Luna" not in frozen_page

    def test_the_pdf_of_a_link(self, canvas, owner, locmem_cache):
        link = self.make_link(canvas, owner)
        response = Client().get(reverse("shared_pdf", args=[link.token]))
        assert response["Content-Type"] == "application/pdf"
        assert response["Referrer-Policy"] == "no-referrer"

    def test_a_revoked_or_expired_link_opens_nothing(self, canvas, owner):
        link = self.make_link(canvas, owner, days="3")
        assert link.expires_at is not None
        client_for(owner).post(reverse("share_link_revoke", args=[link.pk]))
        assert Client().get(reverse("shared", args=[link.token])).status_code == 410
        old = ShareLink.objects.create(
            canvas=canvas, created_by=owner, expires_at=timezone.now() - timedelta(seconds=1)
        )
        assert Client().get(reverse("shared", args=[old.token])).status_code == 410

    def test_requests_through_links_are_rate_limited(
        self, canvas, owner, locmem_cache, still_throttle_clock
    ):
        link = self.make_link(canvas, owner)
        client = Client()
        statuses = [client.get(reverse("shared", args=[link.token])).status_code for _ in range(61)]
        assert statuses[:60] == [200] * 60
        assert statuses[60] == 429

    def test_the_token_never_reaches_the_logs(self, canvas, owner, caplog):
        link = self.make_link(canvas, owner)
        with caplog.at_level(logging.INFO, logger="canvas.request"):
            Client().get(reverse("shared", args=[link.token]))
        assert caplog.records
        assert all(link.token not in record.getMessage() for record in caplog.records)
        assert any("/s/<token>/" in record.getMessage() for record in caplog.records)


def test_an_invitation_page_keeps_the_token_on_our_side_and_its_form_working(canvas, owner):
    """same-origin, not no-referrer: with no-referrer Chromium sends Origin: null with the
    form, and CSRF refuses it (found by a walk in Chromium)."""
    link = Invitation.objects.create(canvas=canvas, invited_by=owner, role="viewer")
    response = client_for(make_user("ana")).get(reverse("invitation", args=[link.token]))
    assert response["Referrer-Policy"] == "same-origin"


def test_handing_over_names_the_new_owner(canvas, owner):
    eva = member(canvas, "eva", "viewer")
    row = CanvasMember.objects.get(user=eva)
    client = client_for(owner)
    response = client.post(
        reverse("hand_over", args=[canvas.pk]), {"member": row.pk, "sure": "yes"}, follow=True
    )
    assert "eva owns “Academia Sol” now; you are an editor." in response.text


def test_an_invitation_already_used_says_so(canvas, owner):
    eva = member(canvas, "eva", "editor")
    link = Invitation.objects.create(canvas=canvas, invited_by=owner, role="viewer")
    page = client_for(eva).get(reverse("invitation", args=[link.token])).text
    assert "You are in “Academia Sol” already" in page
    assert "Accept" not in page


def test_a_dead_read_only_link_says_it_no_longer_works(canvas, owner):
    from django.utils import timezone

    link = ShareLink.objects.create(canvas=canvas, created_by=owner, revoked_at=timezone.now())
    visitor = Client()
    visitor.cookies["django_language"] = "en"
    for name in ("shared", "shared_pdf"):
        response = visitor.get(reverse(name, args=[link.token]))
        assert response.status_code == 410
        assert "This link no longer works" in response.text
