from django import forms
from django.contrib.auth.forms import AuthenticationForm
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
    }


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
