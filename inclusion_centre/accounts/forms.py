from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

from .models import User


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"),
        # No autofocus: it would jump keyboard and screen-reader users past the skip link and the page's heading.
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    error_messages = {
        "invalid_login": _("The e-mail address or the password is not right. Check both and try again."),
        "inactive": _("This account is disabled. Contact the centre."),
        "local_disabled": _(
            "Your role signs in with the university account, not with a password kept here. Use the university sign-in."
        ),
        "directory_unavailable": _(
            "The university's directory cannot be reached just now, so its passwords cannot be checked. Try again "
            "in a few minutes."
        ),
        "no_account": _("The university's directory knows you, but you have no account here yet. Contact the centre."),
    }

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            # Say why when the directory was down or refused the person, rather than "not right" (which it may be).
            request = self.request
            if request is not None and getattr(request, "signin_refusal", None):
                raise forms.ValidationError(self.error_messages["no_account"], code="no_account") from None
            if request is not None and getattr(request, "directory_unavailable", False):
                raise forms.ValidationError(
                    self.error_messages["directory_unavailable"], code="directory_unavailable"
                ) from None
            raise

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if local_password_refused(user):
            raise forms.ValidationError(self.error_messages["local_disabled"], code="local_disabled")


class DirectoryAuthenticationForm(EmailAuthenticationForm):
    """The sign-in form when the university's directory is on: its account name, or an e-mail address."""

    username = forms.CharField(
        label=_("University account or e-mail address"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}),
    )


def local_password_refused(user) -> bool:
    """Whether this user signed in with a password kept here although one of their roles may not
    (LOCAL_SIGNIN_DISABLED_ROLES); signing in through the directory or the provider is another backend."""
    if getattr(user, "backend", "") != "django.contrib.auth.backends.ModelBackend":
        return False
    return bool(user.role_names & set(settings.LOCAL_SIGNIN_DISABLED_ROLES))


class LanguagePreferenceForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["preferred_language", "notify_by_email"]
        widgets = {"preferred_language": forms.RadioSelect}
        help_texts = {
            "preferred_language": _("Pages and e-mails will use this language."),
            "notify_by_email": _(
                "Notifications always appear on your Notifications page. Untick this to get them there only."
            ),
        }


class DisplayPreferenceForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["large_text", "high_contrast"]
        help_texts = {
            "large_text": _("Makes all text on every page bigger."),
            "high_contrast": _("Black text on white, with strong borders and links."),
        }

    # A checkbox sends "on" when ticked and nothing when not; anything else did not come from this form, and
    # Django's BooleanField would quietly read it as "yes".
    KNOWN = {"on", "true", "1", "", "off", "false", "0"}

    def _clean_checkbox(self, name: str) -> bool:
        raw = self.data.get(self.add_prefix(name))
        if raw is not None and raw.lower() not in self.KNOWN:
            raise forms.ValidationError(_("Tick the box to turn this on, or leave it empty to turn it off."))
        return self.cleaned_data[name]

    def clean_large_text(self):
        return self._clean_checkbox("large_text")

    def clean_high_contrast(self):
        return self._clean_checkbox("high_contrast")


class AnyPasswordResetForm(PasswordResetForm):
    """Also sends the link to active accounts without a usable password: accounts created by the reference import
    (or by the centre) get their first password this way. Django's own form skips them."""

    def get_users(self, email):
        return User._default_manager.filter(email__iexact=email, is_active=True)

    def save(self, domain_override=None, use_https=False, request=None, **kwargs):
        """Queue the e-mail through the outbox instead of sending it inside the request: a known address and an
        unknown one answer alike, however slow the mail server is (the link's token is made by the worker)."""
        from django.contrib.sites.shortcuts import get_current_site
        from django.utils.translation import get_language

        from inclusion_centre.outbox.services import enqueue

        domain = domain_override or get_current_site(request).domain
        for user in self.get_users(self.cleaned_data["email"]):
            enqueue(
                "inclusion_centre.accounts.tasks.send_password_reset_email", user.pk, get_language(), domain, use_https
            )


class OneTimeCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autocapitalize": "off", "spellcheck": "false"}
        ),
        error_messages={
            "required": _("Enter the code."),
            "max_length": _("A code has at most 32 characters."),
        },
    )

    def __init__(self, *args, label=None, help_text=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["code"].label = label
        if help_text:
            self.fields["code"].help_text = help_text
