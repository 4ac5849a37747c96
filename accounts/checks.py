"""Deployment checks of the mail that password recovery sends (``manage.py check --deploy``)."""

from django.conf import settings
from django.core.checks import Warning, register


@register("email", deploy=True)
def check_email_settings(app_configs, **kwargs) -> list[Warning]:
    # EMAIL=off silences W001 (settings.SILENCED_SYSTEM_CHECKS), as HTTPS=0 does the HTTPS ones.
    if settings.DEBUG:
        return []
    if not settings.EMAIL_HOST:
        return [
            Warning(
                "EMAIL_HOST is not set: password-recovery e-mails cannot be sent.",
                hint=(
                    "Set EMAIL_HOST (and EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, "
                    "DEFAULT_FROM_EMAIL) to your SMTP server, or EMAIL=off to run without "
                    "e-mail on purpose (people then ask an administrator for a new password)."
                ),
                id="accounts.W001",
            )
        ]
    if settings.DEFAULT_FROM_EMAIL == "webmaster@localhost":
        return [
            Warning(
                "DEFAULT_FROM_EMAIL is not set: mail would come from webmaster@localhost, "
                "which most mail servers refuse or mark as spam.",
                hint="Set DEFAULT_FROM_EMAIL to an address of your domain, e.g. "
                "'Relationship canvas <no-reply@canvas.example.org>'.",
                id="accounts.W002",
            )
        ]
    return []
