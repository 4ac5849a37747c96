from django.urls import path

from classrooms import views

urlpatterns = [
    path("classes/", views.class_list, name="class_list"),
    path("classes/join/", views.join, name="join"),
    path("classes/join/<str:code>/", views.join, name="join_with_code"),
    path("classes/<int:pk>/", views.class_detail, name="class_detail"),
    path("classes/<int:pk>/joining/", views.class_joining, name="class_joining"),
    path(
        "classes/<int:pk>/members/<int:membership_pk>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path(
        "classes/<int:pk>/members/<int:membership_pk>/restore/",
        views.member_restore,
        name="member_restore",
    ),
    path("classes/<int:pk>/co-teachers/", views.co_teacher_add, name="co_teacher_add"),
    path(
        "classes/<int:pk>/co-teachers/<int:co_teacher_pk>/remove/",
        views.co_teacher_remove,
        name="co_teacher_remove",
    ),
    path("classes/<int:pk>/leave/", views.co_teacher_leave, name="co_teacher_leave"),
    path(
        "classes/<int:pk>/co-teacher-notice/dismiss/",
        views.co_teacher_notice_dismiss,
        name="co_teacher_notice_dismiss",
    ),
    path("classes/<int:pk>/assignments/new/", views.assignment_create, name="assignment_create"),
    path("assignments/<int:pk>/", views.assignment_dashboard, name="assignment_dashboard"),
    path("assignments/<int:pk>/edit/", views.assignment_edit, name="assignment_edit"),
    path("assignments/<int:pk>/results.csv", views.assignment_results_csv, name="assignment_csv"),
    path(
        "assignments/<int:pk>/results.xlsx", views.assignment_results_xlsx, name="assignment_xlsx"
    ),
    path("assignments/<int:pk>/submit/", views.assignment_submit, name="assignment_submit"),
    path("assignments/<int:pk>/next/", views.assignment_next, name="assignment_next"),
    path("assignments/<int:pk>/teams/", views.team_create, name="team_create"),
    path("assignments/<int:pk>/teams/form/", views.team_form, name="team_form"),
    path("teams/<int:pk>/join/", views.team_join, name="team_join"),
    path("teams/<int:pk>/leave/", views.team_leave, name="team_leave"),
    path("teams/<int:pk>/", views.team_detail, name="team_detail"),
    path("teams/<int:pk>/rename/", views.team_rename, name="team_rename"),
    path("teams/<int:pk>/members/", views.team_move_in, name="team_move_in"),
    path(
        "teams/<int:pk>/members/<int:student_pk>/remove/",
        views.team_move_out,
        name="team_move_out",
    ),
    path("teams/<int:pk>/delete/", views.team_delete, name="team_delete"),
    path("submissions/<int:pk>/", views.submission_feedback, name="submission_feedback"),
    path("submissions/<int:pk>/review/", views.submission_review, name="submission_review"),
    path("submissions/<int:pk>/export.pdf", views.submission_pdf, name="submission_pdf"),
    path("submissions/<int:pk>/comments/", views.comment_create, name="comment_create"),
    path("submissions/<int:pk>/answers/", views.comment_answer, name="comment_answer"),
    path("comments/<int:pk>/resolve/", views.comment_resolve, name="comment_resolve"),
    path("submissions/<int:pk>/review/save/", views.review_save, name="review_save"),
    path("comment-bank/", views.saved_comment_create, name="saved_comment_create"),
    path("comment-bank/<int:pk>/delete/", views.saved_comment_delete, name="saved_comment_delete"),
]
