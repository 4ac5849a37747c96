"""Sign-up and password recovery; log in and out are Django's own views, with our forms."""

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from accounts.forms import PasswordRecoveryForm, SignupForm
from canvas_site.throttle import refused


def safe_next(request: HttpRequest) -> str:
    """The ``next`` URL the request carries if it stays on this site, else ""."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


@login_not_required
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """Create an account, log in, then go where ``next`` pointed (a join link) or My canvases."""
    next_url = safe_next(request)
    if request.user.is_authenticated:
        return redirect(next_url or "canvas_list")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(next_url or "canvas_list")
    return render(request, "registration/signup.html", {"form": form, "next": next_url})


class PasswordResetView(auth_views.PasswordResetView):
    """Django's "forgot your password" page, rationed per client, and honest when the site
    sends no e-mail (``EMAIL=off``): then it says whom to ask instead of showing the form.
    """

    form_class = PasswordRecoveryForm
    email_template_name = "registration/password_reset_email.txt"

    def get_context_data(self, **kwargs):
        return super().get_context_data(email_enabled=settings.EMAIL_ENABLED, **kwargs)

    def post(self, request, *args, **kwargs):
        if not settings.EMAIL_ENABLED:
            return self.get(request, *args, **kwargs)
        return refused(request, "password_reset", "5/m") or super().post(request, *args, **kwargs)
