from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "inclusion_centre.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self):
        from . import ldap, preload  # noqa: F401 (signals and ldap connect their receivers)
        from .models import User

        User.access_loader = staticmethod(preload.load_access)
