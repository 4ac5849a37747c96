"""Forms of sign-up, log-in and password recovery, in our own words.

Django's forms say "introduzca" and "su contraseña" in Spanish; the product says "tú". Each
form here only replaces the labels, help texts and messages a person reads.
"""

from __future__ import annotations

import hashlib
import logging

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordResetForm,
    SetPasswordForm,
    UserCreationForm,
)
from django.utils.translation import gettext_lazy as _

from canvas_site import throttle

logger = logging.getLogger(__name__)

PASSWORD_HELP = _(
    "At least 8 characters, not only digits, not a common password, and not like your username "
    "or e-mail."
)
AGAIN_HELP = _("Type it again, to be sure it is what you meant.")
INVALID_EMAIL = _("Type a whole e-mail address, such as ana@example.com.")
INVALID_USERNAME = _(
    "A username may contain only letters, digits and the signs %(signs)s (no spaces)."
)
# The signs a username may hold, joined by no-break spaces so that no line ends between them.
USERNAME_SIGNS = "\u00a0".join("@.+-_")


def _email_field(label, **kwargs) -> forms.EmailField:
    return forms.EmailField(
        label=label,
        max_length=254,
        error_messages={"invalid": INVALID_EMAIL},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        **kwargs,
    )


class SignupForm(UserCreationForm):
    """A username, an optional e-mail (no two accounts share one) and a password twice."""

    email = _email_field(
        _("E-mail (optional)"),
        required=False,
        help_text=_("Only to send you a link if you forget your password."),
    )

    class Meta(UserCreationForm.Meta):
        fields = ("username", "email")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        signs = {"signs": USERNAME_SIGNS}
        username.help_text = _("Up to 150 characters: letters, digits and %(signs)s") % signs
        username.error_messages["invalid"] = INVALID_USERNAME % signs
        username.widget.attrs["autocomplete"] = "username"
        self.fields["password1"].help_text = PASSWORD_HELP
        self.fields["password2"].help_text = AGAIN_HELP

    def full_clean(self) -> None:
        """Refused, the cursor goes to the first field to fix, not back to the username; to
        the first password box for either password, as both come back empty."""
        super().full_clean()
        first = next((name for name in self.fields if name in self.errors), None)
        if first is None:
            return
        for field in self.fields.values():
            field.widget.attrs.pop("autofocus", None)
        self.fields["password1" if first == "password2" else first].widget.attrs["autofocus"] = True

    def clean_email(self) -> str:
        """The address as typed (its domain in lower case); refused if an account has it."""
        email = get_user_model().objects.normalize_email(self.cleaned_data["email"].strip())
        if email and get_user_model().objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _(
                    "Another account already uses this e-mail. If it is yours, log in, or set "
                    "a new password with “Forgot your password?” on the log-in page."
                ),
                code="unique",
            )
        return email


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "That username and password do not match. Check both: capital letters count."
        ),
    }


class NewPasswordForm(SetPasswordForm):
    """The new password, typed twice, at the end of a recovery link."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = PASSWORD_HELP
        self.fields["new_password2"].help_text = AGAIN_HELP


class PasswordRecoveryForm(PasswordResetForm):
    """Django's form (it says the same whether or not the address has an account), plus a
    budget of mails per address, so that nobody can flood someone's inbox from many places.
    """

    email = _email_field(_("Your e-mail"))

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        rate = getattr(settings, "THROTTLE_RATES", {}).get("password_reset_mail", "5/h")
        mailbox = hashlib.sha256(context["email"].lower().encode()).hexdigest()
        if throttle.hit("password_reset_mail", f"mailbox:{mailbox}", rate):
            logger.warning(
                "Password reset mail to user %s not sent: budget spent", context["user"].pk
            )
            return
        super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)
