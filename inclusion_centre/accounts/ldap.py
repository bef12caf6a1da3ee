"""Sign-in with the university's directory (OpenLDAP or Active Directory) through django-auth-ldap.

The library binds with the service account (LDAP_BIND_DN), searches for the person with LDAP_USER_FILTER (what they
typed is escaped for the filter, so "*" or ")(" match nothing), binds as them with their password, over StartTLS
when LDAP_START_TLS is on, and reads their groups. Here the person is then matched or provisioned by
provisioning.py, and their groups are mapped to roles (LDAP_GROUP_ROLES) through the audited service.
"""

import logging

from django.conf import settings
from django.dispatch import receiver
from django_auth_ldap.backend import LDAPBackend, ldap_error

from . import provisioning
from .models import ExternalIdentity

logger = logging.getLogger(__name__)


def _first(attrs, name: str) -> str:
    if not name:
        return ""
    values = attrs.get(name) or attrs.get(name.lower()) or []
    return str(values[0]) if values else ""


def _group_roles() -> dict:
    # Distinguished names compare without regard to case; the directory may spell them either way.
    return {dn.lower(): role for dn, role in settings.LDAP_GROUP_ROLES.items()}


class DirectoryBackend(LDAPBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not settings.LDAP_ENABLED or "nonce" in kwargs:
            return None
        self.request = request  # Django makes a backend for each sign-in: this one is for this request only
        return super().authenticate(request, username=username, password=password, **kwargs)

    # Signing in only: ModelBackend and ObjectGrantBackend answer every permission question, once.
    def has_perm(self, user, perm, obj=None):
        return False

    def has_module_perms(self, user, app_label):
        return False

    def get_all_permissions(self, user, obj=None):
        return set()

    def get_user(self, user_id):
        # The library's own returns disabled accounts too (their sessions are ended anyway: signals.py). get(pk=…)
        # as ModelBackend asks it, so the user the session store preloaded answers it (models.UserManager.get).
        model = self.get_user_model()
        try:
            user = model.objects.get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if user.is_active else None

    def get_or_build_user(self, username, ldap_user):
        attrs = ldap_user.attrs
        mapping = _group_roles()
        subject = _first(attrs, settings.LDAP_ATTR_SUBJECT) or ldap_user.dn.lower()
        assertion = provisioning.Assertion(
            source=ExternalIdentity.Source.LDAP,
            issuer=settings.LDAP_SERVER_URI,
            subject=subject,
            email=_first(attrs, settings.LDAP_ATTR_EMAIL),
            email_verified=settings.LDAP_EMAIL_VERIFIED,
            full_name=_first(attrs, settings.LDAP_ATTR_NAME),
            iin=_first(attrs, settings.LDAP_ATTR_IIN),
            sis_id=_first(attrs, settings.LDAP_ATTR_SIS_ID),
            roles=provisioning.roles_from_groups([dn.lower() for dn in ldap_user.group_dns], mapping),
            managed_roles=provisioning.roles_from_groups(list(mapping), mapping),
        )
        try:
            user = provisioning.sign_in(assertion)
        except provisioning.NoAccount as refusal:
            logger.info("Directory sign-in of %s refused: %s", subject, refusal.reason)
            if getattr(self, "request", None) is not None:
                self.request.signin_refusal = refusal.reason
            raise ldap_user.AuthenticationFailed(refusal.reason) from refusal
        return user, False


@receiver(ldap_error, dispatch_uid="accounts_directory_unavailable")
def directory_unavailable(sender, context, user, request=None, exception=None, **kwargs):
    # The sign-in form says the directory could not be reached (a local password may still work).
    if request is not None and context in ("authenticate", "search_for_user_dn"):
        request.directory_unavailable = True
