from django.urls import path

from relationships import views

urlpatterns = [
    path("", views.canvas_list, name="canvas_list"),
    path("help/", views.help_page, name="help"),
    path("canvases/<int:pk>/", views.canvas_detail, name="canvas_detail"),
    path("canvases/<int:pk>/edit/", views.canvas_edit, name="canvas_edit"),
    path("canvases/<int:pk>/rename/", views.canvas_rename, name="canvas_rename"),
    path("canvases/<int:pk>/duplicate/", views.canvas_duplicate, name="canvas_duplicate"),
    path("canvases/<int:pk>/delete/", views.canvas_delete, name="canvas_delete"),
    path("canvases/<int:pk>/export.pdf", views.canvas_pdf, name="canvas_pdf"),
    path("canvases/<int:canvas_pk>/segments/new/", views.segment_create, name="segment_create"),
    path("segments/<int:pk>/edit/", views.segment_edit, name="segment_edit"),
    path("segments/<int:pk>/delete/", views.segment_delete, name="segment_delete"),
    path("segments/<int:pk>/move/", views.segment_move, name="segment_move"),
    path(
        "segments/<int:segment_pk>/relationships/new/",
        views.relationship_create,
        name="relationship_create",
    ),
    path("relationships/<int:pk>/", views.relationship_detail, name="relationship_detail"),
    path("relationships/<int:pk>/edit/", views.relationship_edit, name="relationship_edit"),
    path("relationships/<int:pk>/delete/", views.relationship_delete, name="relationship_delete"),
    path("relationships/<int:pk>/move/", views.relationship_move, name="relationship_move"),
    path("relationships/<int:relationship_pk>/costs/new/", views.cost_create, name="cost_create"),
    path("costs/<int:pk>/edit/", views.cost_edit, name="cost_edit"),
    path("costs/<int:pk>/delete/", views.cost_delete, name="cost_delete"),
    path("costs/<int:pk>/move/", views.cost_move, name="cost_move"),
]
