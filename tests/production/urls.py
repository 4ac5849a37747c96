"""The site's URLs plus three views that exist only for these tests."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import include, path

from canvas_site.throttle import throttle


@throttle(key="test", rate="3/m")
def throttled(request):
    return HttpResponse("made")


@login_not_required
@throttle(key="anon", rate="2/m")
def throttled_anonymous(request):
    return HttpResponse("made")


def broken(request):
    raise RuntimeError("the view failed")


urlpatterns = [
    path("test/throttled/", throttled),
    path("test/throttled-anonymous/", throttled_anonymous),
    path("test/broken/", broken),
    path("", include("canvas_site.urls")),
]
