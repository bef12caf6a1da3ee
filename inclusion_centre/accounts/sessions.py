"""Database sessions that record their user, so that every session of a user can be found and ended at once.

Django's database engine keeps only a key, the encoded data and an expiry: finding a user's sessions would mean
decoding every row. This is the extension Django's documentation describes ("Extending database-backed session
engines"): the same engine with one indexed column more.
"""

import logging

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.exceptions import SuspiciousOperation
from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone

from . import preload
from .access import PRELOADED, access_column


class SessionStore(DatabaseSessionStore):
    """Also reads the session's user, their confirmed authenticator and their unread count (preload.py)."""

    preloaded_user = None

    @classmethod
    def get_model_class(cls):
        from .models import UserSession

        return UserSession

    def _get_session_from_db(self):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from .models import Notification

        unread = (
            Notification.objects.filter(recipient=OuterRef("user_id"), read_at__isnull=True)
            .order_by()
            .values("recipient")
            .annotate(n=Count("pk"))
            .values("n")
        )
        device = TOTPDevice.objects.filter(user=OuterRef("user_id"), confirmed=True).order_by("-pk").values("pk")[:1]
        try:
            row = (
                self.model.objects.select_related("user")
                .annotate(
                    unread=Subquery(unread),
                    totp_device=Subquery(device),
                    access=access_column(f'"{self.model._meta.db_table}"."user_id"'),
                )
                .get(session_key=self.session_key, expire_date__gt=timezone.now())
            )
        except (self.model.DoesNotExist, SuspiciousOperation) as error:
            if isinstance(error, SuspiciousOperation):
                logging.getLogger(f"django.security.{error.__class__.__name__}").warning(str(error))
            self._session_key = None
            return None
        if row.user is not None:
            setattr(row.user, preload.UNREAD, row.unread or 0)
            setattr(row.user, preload.TOTP_DEVICE, row.totp_device)
            setattr(row.user, PRELOADED, row.access or "")
            self.preloaded_user = row.user
        return row

    def create_model_instance(self, data):
        instance = super().create_model_instance(data)
        try:
            instance.user_id = int(data.get("_auth_user_id"))
        except (TypeError, ValueError):
            instance.user_id = None
        return instance


def end_sessions_of(user_id: int) -> int:
    """Delete every stored session of this user; returns how many there were."""
    from .models import UserSession

    deleted, _ = UserSession.objects.filter(user_id=user_id).delete()
    return deleted
