from django.urls import path

from teams import views

urlpatterns = [
    path("canvases/<int:pk>/members/", views.members, name="canvas_members"),
    path("canvases/<int:pk>/members/invite/", views.invite, name="invite"),
    path("canvases/<int:pk>/members/link/", views.invitation_link, name="invitation_link"),
    path("canvases/<int:pk>/members/owner/", views.hand_over, name="hand_over"),
    path("canvases/<int:pk>/leave/", views.leave, name="leave"),
    path("canvases/<int:pk>/live/", views.live, name="canvas_live"),
    path("canvases/<int:pk>/comments/", views.comment_create, name="canvas_comment_create"),
    path("canvas-comments/<int:pk>/resolve/", views.comment_resolve, name="canvas_comment_resolve"),
    path("canvases/<int:pk>/links/", views.share_link_create, name="share_link_create"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("members/<int:pk>/role/", views.member_role, name="canvas_member_role"),
    path("members/<int:pk>/remove/", views.member_remove, name="canvas_member_remove"),
    path("links/<int:pk>/revoke/", views.share_link_revoke, name="share_link_revoke"),
    path("s/<str:token>/", views.shared, name="shared"),
    path("s/<str:token>/export.pdf", views.shared_pdf, name="shared_pdf"),
]
