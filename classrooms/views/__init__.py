"""Classes and teacher review, by what they act on: ``classes``, ``assignments`` and ``review``
(a submission, from the teacher's side and the student's). ``base`` holds the access helpers."""

from classrooms.views.assignments import (
    assignment_dashboard,
    assignment_edit,
    assignment_next,
    assignment_results_csv,
    assignment_results_xlsx,
    assignment_submit,
)
from classrooms.views.classes import (
    assignment_create,
    class_detail,
    class_joining,
    class_list,
    co_teacher_add,
    co_teacher_leave,
    co_teacher_notice_dismiss,
    co_teacher_remove,
    join,
    member_remove,
    member_restore,
)
from classrooms.views.review import (
    comment_answer,
    comment_create,
    comment_resolve,
    review_save,
    saved_comment_create,
    saved_comment_delete,
    submission_feedback,
    submission_pdf,
    submission_review,
)
from classrooms.views.teams import team_create, team_form, team_join, team_leave

__all__ = [
    "assignment_create",
    "assignment_dashboard",
    "assignment_edit",
    "assignment_next",
    "assignment_results_csv",
    "assignment_results_xlsx",
    "assignment_submit",
    "class_detail",
    "class_joining",
    "class_list",
    "co_teacher_add",
    "co_teacher_leave",
    "co_teacher_notice_dismiss",
    "co_teacher_remove",
    "comment_answer",
    "comment_create",
    "comment_resolve",
    "join",
    "member_remove",
    "member_restore",
    "review_save",
    "saved_comment_create",
    "saved_comment_delete",
    "submission_feedback",
    "submission_pdf",
    "submission_review",
    "team_create",
    "team_form",
    "team_join",
    "team_leave",
]
