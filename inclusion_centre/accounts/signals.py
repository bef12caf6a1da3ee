"""Sign-in bookkeeping: when a session started, and ending every session of an account that is disabled."""

import time

from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save
from django.dispatch import Signal, receiver

from .models import User
from .sessions import end_sessions_of

# Facts for the audit trail, which lives in a layer above this app and records them (audit.receivers):
# - powers_changed(sender=User, user, actor, changes, source): services.user_set_powers changed what a user may
#   do; or services.user_sync_provider_roles did (actor None, source names the sign-in, e.g. "ldap:ldaps://dc1");
# - admin_read(sender=model, request, obj, history): a page of the admin site showed a record holding personal
#   data, or its history (history=True); obj is None for a list of them.
powers_changed = Signal()
admin_read = Signal()

LOGIN_AT_SESSION_KEY = "_login_at"
LAST_SEEN_SESSION_KEY = "_last_seen"


@receiver(user_logged_in, dispatch_uid="accounts_session_started")
def session_started(sender, request, user, **kwargs):
    # Django has already given the session a new key (login() cycles it); the limits count from now.
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[LOGIN_AT_SESSION_KEY] = now
        request.session[LAST_SEEN_SESSION_KEY] = now


@receiver(post_save, sender=User, dispatch_uid="accounts_end_sessions_of_disabled")
def end_sessions_of_disabled(sender, instance, **kwargs):
    # Disabled through the admin, a service or the shell: signed out everywhere at once. (Even without this the
    # next request of such a session is anonymous, since ModelBackend.get_user refuses inactive users.)
    if not instance.is_active:
        end_sessions_of(instance.pk)
