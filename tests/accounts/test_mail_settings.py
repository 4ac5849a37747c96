"""Mail settings from the environment, and ``check --deploy`` telling when mail is missing."""

import json

from tests.production.test_serve import PRODUCTION, manage, python

WITHOUT_MAIL = {**PRODUCTION, "EMAIL_HOST": "", "DEFAULT_FROM_EMAIL": ""}


def check_deploy(**env):
    result = manage("check", "--deploy", "--fail-level", "WARNING", **env)
    return result.returncode, result.stdout + result.stderr


def mail_settings(**env) -> dict:
    result = python(
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({k: getattr(s, k) for k in ('EMAIL_BACKEND', 'EMAIL_HOST', "
        "'EMAIL_PORT', 'EMAIL_HOST_USER', 'EMAIL_HOST_PASSWORD', 'EMAIL_USE_TLS', "
        "'DEFAULT_FROM_EMAIL', 'EMAIL_ENABLED')}))",
        DJANGO_SETTINGS_MODULE="canvas_site.settings",
        **env,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_check_deploy_stops_a_server_that_cannot_send_mail():
    code, output = check_deploy(**WITHOUT_MAIL)

    assert code != 0
    assert "accounts.W001" in output
    assert "EMAIL_HOST is not set" in output
    assert "EMAIL=off" in output  # the hint says how to run without mail on purpose


def test_email_off_runs_without_mail_on_purpose():
    code, output = check_deploy(**WITHOUT_MAIL, EMAIL="off")

    assert code == 0, output
    assert mail_settings(**WITHOUT_MAIL, EMAIL="off")["EMAIL_BACKEND"].endswith(
        "dummy.EmailBackend"
    )


def test_check_deploy_asks_for_a_sender_address():
    code, output = check_deploy(**{**PRODUCTION, "DEFAULT_FROM_EMAIL": ""})

    assert code != 0
    assert "accounts.W002" in output


def test_production_sends_through_the_smtp_server_of_the_environment():
    values = mail_settings(
        **PRODUCTION,
        EMAIL_PORT="465",
        EMAIL_HOST_USER="canvas",
        EMAIL_HOST_PASSWORD="s3cret",
        EMAIL_USE_TLS="0",
    )

    assert values == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.example.org",
        "EMAIL_PORT": 465,
        "EMAIL_HOST_USER": "canvas",
        "EMAIL_HOST_PASSWORD": "s3cret",
        "EMAIL_USE_TLS": False,
        "DEFAULT_FROM_EMAIL": "Relationship canvas <no-reply@canvas.example.org>",
        "EMAIL_ENABLED": True,
    }
    assert mail_settings(**PRODUCTION)["EMAIL_PORT"] == 587
    assert mail_settings(**PRODUCTION)["EMAIL_USE_TLS"] is True


def test_debug_prints_the_mail_on_the_console():
    values = mail_settings(DEBUG="1")

    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"


def test_a_malformed_mail_setting_stops_the_process_naming_it():
    for variable, value in [("EMAIL_PORT", "smtp"), ("EMAIL_USE_TLS", "maybe"), ("EMAIL", "nope")]:
        result = manage("check", **{**PRODUCTION, variable: value})
        assert result.returncode != 0
        assert variable in result.stderr
