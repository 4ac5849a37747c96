"""The teacher's feedback where the student works: beside the rows of the editor.

A submission's rows keep the ids of the live canvas they were frozen from, so a comment
anchored to ``relationship-12`` of a snapshot points at the same relationship in the editor,
for as long as the student has not deleted it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from classrooms.models import Comment, Submission


@dataclass
class EditorFeedback:
    """The public comments on the newest reviewed hand-in of a canvas, by place of the block."""

    submission: Submission
    by_anchor: dict[str, list[Comment]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.by_anchor)


def feedback_for_editor(canvas_pk: int, student) -> EditorFeedback | None:
    """The comments the student can read on their newest reviewed hand-in of the canvas.

    One query; None when no reviewed hand-in of this canvas has a public comment.
    """
    newest = (
        Submission.objects.filter(canvas_id=canvas_pk, student=student, reviewed_at__isnull=False)
        .order_by("-submitted_at", "-pk")
        .values("pk")[:1]
    )
    comments = list(
        Comment.objects.filter(submission__in=newest, is_private=False)
        .exclude(author=student)  # their own answers are not the teacher's comments
        .select_related("author", "submission__assignment")
        .defer("submission__document")
    )
    if not comments:
        return None
    feedback = EditorFeedback(comments[0].submission)
    for comment in comments:
        feedback.by_anchor.setdefault(comment.anchor, []).append(comment)
    return feedback
