"""The signed-in user, their roles and permissions, read in the same query as their session.

Every signed-in page used to open with five reads: the session, the user, the authenticator that verified the
session (django-otp), the unread notifications for the menu and the user's roles and permissions (three queries
of their own: ModelBackend's user and group permissions, User.role_names). The session store below reads the
session row joined to its user, with the user's confirmed authenticator, unread count and access rows as
subqueries, and keeps that user for the rest of the request:

- `AuthenticationMiddleware` lets Django's own `auth.get_user` run unchanged (backend, active flag, session hash):
  only the backend's `User.objects.get(pk=...)` is answered with the row already read (models.preloaded_user,
  which UserManager.get asks first).
- `OTPMiddleware` takes the authenticator from the same row when the session names it, and asks the database
  otherwise, exactly as django-otp does.
- `load_access` fills the per-instance caches ModelBackend and User.role_names keep (User.has_perm calls it first,
  reading the rows itself when no session brought them; AccountsConfig.ready() hands it to the User model), so
  what a user may do is still decided by ModelBackend.
  A role or permission taken away counts from the user's next request.
- The menu's unread count (context_processors.notifications) reads the number counted with the session.

This is the one module that relies on the libraries' private names. Each is checked by
tests/accounts/test_private_apis.py, which fails on an upgrade that changes it:

1. Django, `ModelBackend`: the caches `user._user_perm_cache`, `user._group_perm_cache` (sets of
   "app_label.codename", read by `_get_permissions`) and `user._perm_cache` (read by `get_all_permissions`).
2. Django, `ModelBackend.get_user(pk)` reads the user with `UserModel._default_manager.get(pk=user_id)`.
3. Django, `django.contrib.auth.middleware.get_user` caches the user on `request._cached_user`.
4. Django, `django.contrib.sessions.backends.db.SessionStore._get_session_from_db()`: `load()` reads the row
   through it; overridden here to read the user with it.
5. django-otp, `OTPMiddleware._verify_user_sync(request, user)`: overridden (its body, plus the preloaded device),
   calling the private `_init_user_fields(user)`, `_normalize_persistent_id(persistent_id)`,
   `_device_from_persistent_id(persistent_id)` and `_finalize_device(request, user, device)`.

"""

import contextlib
import logging

from django.contrib.auth import SESSION_KEY
from django.contrib.auth import get_user as auth_get_user
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthenticationMiddleware
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.exceptions import SuspiciousOperation
from django.db import connection
from django.db.models import Count, OuterRef, Subquery
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware as DjangoOTPMiddleware

from .models import Notification, User, UserSession, preloaded_user

UNREAD = "_preloaded_unread_notifications"
TOTP_DEVICE = "_preloaded_totp_device_id"
PRELOADED = "_preloaded_access"

# Separators of the folded access rows: ASCII unit and record separators, which no group name or codename contains.
UNIT, RECORD = "\x1f", "\x1e"

# The ModelBackend caches load_access fills (private API 1).
PERMISSION_CACHES = ("_user_perm_cache", "_group_perm_cache", "_perm_cache")


# --- Roles and model permissions (private APIs 1 and 2) ------------------------------------------------------


def _rows_sql(user_model, user_id_sql: str) -> str:
    """(group name or NULL, app label, codename) of the user `user_id_sql` names: their groups with each group's
    permissions (NULLs for a group without any), then their own permissions."""
    user_groups = user_model.groups.through._meta.db_table
    user_permissions = user_model.user_permissions.through._meta.db_table
    group = Group._meta.db_table
    group_permissions = Group.permissions.through._meta.db_table
    permission = Permission._meta.db_table
    content_type = ContentType._meta.db_table
    user_column = user_model.groups.field.m2m_column_name()
    user_permission_user_column = user_model.user_permissions.field.m2m_column_name()
    # Table and column names are the models'; the user is a parameter or the outer query's column.
    return (
        f"SELECT g.name AS name, ct.app_label AS app_label, p.codename AS codename FROM {user_groups} ug"  # noqa: S608
        f" INNER JOIN {group} g ON g.id = ug.group_id"
        f" LEFT JOIN {group_permissions} gp ON gp.group_id = g.id"
        f" LEFT JOIN {permission} p ON p.id = gp.permission_id"
        f" LEFT JOIN {content_type} ct ON ct.id = p.content_type_id"
        f" WHERE ug.{user_column} = {user_id_sql}"
        " UNION ALL"
        f" SELECT NULL, ct.app_label, p.codename FROM {user_permissions} up"
        f" INNER JOIN {permission} p ON p.id = up.permission_id"
        f" INNER JOIN {content_type} ct ON ct.id = p.content_type_id"
        f" WHERE up.{user_permission_user_column} = {user_id_sql}"
    )


def access_column(user_id_column: str) -> RawSQL:
    """The user's access rows folded into one text value, for a query whose row holds the user's id in the
    (quoted, table-qualified) column `user_id_column`; an empty text for a user without groups or permissions."""
    rows = _rows_sql(User, user_id_column)
    unit, record = f"CHR({ord(UNIT)})", f"CHR({ord(RECORD)})"
    if connection.vendor == "sqlite":
        unit, record = f"CHAR({ord(UNIT)})", f"CHAR({ord(RECORD)})"
        row = f"COALESCE(a.name, '') || {unit} || COALESCE(a.app_label, '') || {unit} || COALESCE(a.codename, '')"
        folded = f"GROUP_CONCAT({row}, {record})"
    else:
        row = f"CONCAT_WS({unit}, COALESCE(a.name, ''), COALESCE(a.app_label, ''), COALESCE(a.codename, ''))"
        folded = f"STRING_AGG({row}, {record})"
    return RawSQL(f"SELECT COALESCE({folded}, '') FROM ({rows}) a", [])  # noqa: S608, S611 -- no user input


def _unfold(text: str) -> list[tuple]:
    rows = []
    for record in filter(None, text.split(RECORD)):
        name, app, codename = record.split(UNIT)
        rows.append((name or None, app or None, codename or None))
    return rows


def load_access(user) -> None:
    """Fill user._role_names and, for an active user who is not a superuser, ModelBackend's permission caches."""
    preloaded = getattr(user, PRELOADED, None)
    if preloaded is not None:
        rows = _unfold(preloaded)
    else:
        with connection.cursor() as cursor:
            cursor.execute(_rows_sql(type(user), "%s"), [user.pk, user.pk])
            rows = cursor.fetchall()
    user._role_names = frozenset(name for name, _app, _codename in rows if name is not None)
    if user.is_active and not user.is_superuser:
        user._user_perm_cache = {f"{app}.{codename}" for name, app, codename in rows if name is None}
        user._group_perm_cache = {
            f"{app}.{codename}" for name, app, codename in rows if name is not None and codename is not None
        }
        user._perm_cache = user._user_perm_cache | user._group_perm_cache


# --- The session store (private API 4) -----------------------------------------------------------------------


class SessionStore(DatabaseSessionStore):
    """Database sessions that record their user (sessions.py), also reading the session's user, their confirmed
    authenticator, their unread count and their access rows."""

    preloaded_user = None

    @classmethod
    def get_model_class(cls):
        return UserSession

    def _get_session_from_db(self):
        from django_otp.plugins.otp_totp.models import TOTPDevice  # not importable while the models load

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
            setattr(row.user, UNREAD, row.unread or 0)
            setattr(row.user, TOTP_DEVICE, row.totp_device)
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


# --- The middlewares (private APIs 3 and 5) ------------------------------------------------------------------


def _get_user(request):
    if not hasattr(request, "_cached_user"):
        session = request.session
        session.get(SESSION_KEY)  # loads the session, and with it the user
        token = preloaded_user.set(getattr(session, "preloaded_user", None))
        try:
            request._cached_user = auth_get_user(request)
        finally:
            preloaded_user.reset(token)
    return request._cached_user


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _get_user(request))


def _totp_device(user, persistent_id: str):
    """The authenticator the session names, built from the preloaded row (its other fields load if read)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device_id = getattr(user, TOTP_DEVICE, None)
    if device_id is None or persistent_id != f"{TOTPDevice.model_label()}/{device_id}":
        return None
    return TOTPDevice.from_db(TOTPDevice.objects.db, ["id", "user_id", "confirmed"], [device_id, user.pk, True])


class OTPMiddleware(DjangoOTPMiddleware):
    def _verify_user_sync(self, request, user):
        self._init_user_fields(user)
        if user.is_authenticated:
            persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
            device = None
            if persistent_id:
                persistent_id = self._normalize_persistent_id(persistent_id)
                device = _totp_device(user, persistent_id) or self._device_from_persistent_id(persistent_id)
            user.otp_device = self._finalize_device(request, user, device)
        return user


def forget_unread_count(user) -> None:
    """The user's unread count changed during this request: the menu counts again."""
    with contextlib.suppress(AttributeError):
        delattr(user, UNREAD)
