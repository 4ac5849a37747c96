from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from canvas_site.health import healthz, live

urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    path("healthz/live/", live, name="healthz_live"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    # The editor's addresses first: every save, page and live poll is looked up in this order.
    path("", include("relationships.urls")),
    path("", include("teams.urls")),
    path("", include("classrooms.urls")),
]

handler500 = "canvas_site.health.server_error"
