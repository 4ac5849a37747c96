"""Members' comments on a canvas: on the whole canvas, a segment or a relationship (anchored
like a teacher's comments), until a member with the right resolves them."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from relationships.block import Block
from teams.access import Action, may
from teams.models import COMMENT_LENGTH, CanvasComment


class CanvasCommentForm(forms.ModelForm):
    anchor = forms.ChoiceField(label=_("About"), required=False)

    class Meta:
        model = CanvasComment
        fields = ["anchor", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 3, "maxlength": COMMENT_LENGTH})}
        labels = {"body": _("Comment")}

    def __init__(self, *args, block: Block, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["anchor"].choices = [
            ("", _("The whole canvas")),
            *[(s.anchor, s.name) for s in block.segments],
            *[(r.anchor, r.label) for r in block.relationships],
        ]
        self.fields["body"].error_messages["required"] = _("Write the comment first.")


def comments_context(block: Block, role: str, form=None) -> dict:
    """The members' comments of ``block`` (one query), with the form to add one for those who
    may comment."""
    comments = list(
        CanvasComment.objects.filter(canvas_id=block.pk).select_related("author", "resolved_by")
    )
    for comment in comments:
        comment.place = block.place(comment.anchor) if comment.anchor else ""
    can_comment = may(role, Action.COMMENT)
    return {
        "member_comments": comments,
        "open_comments": sum(1 for c in comments if c.resolved_at is None),
        "comment_form": (form or CanvasCommentForm(block=block)) if can_comment else None,
        "can_comment": can_comment,
    }
