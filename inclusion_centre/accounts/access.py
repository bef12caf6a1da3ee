"""A user's roles and model permissions read in one query instead of three, or with the session in none.

Django's ModelBackend reads the user's own permissions and their groups' permissions with a query each, and
User.role_names the group names with a third: every signed-in page paid for three. `load_access` reads the three
at once and fills the same per-instance caches ModelBackend and role_names keep (User.has_perm calls it first), so
what a user may do is still decided by ModelBackend, exactly as before.

The session store reads the same rows with the session, folded into one text column (`access_column`), and
`load_access` then decodes them instead of asking again (preload.py). Either way they are read once per request:
a role or permission taken away counts from the user's next request.
"""

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models.expressions import RawSQL

# Separators of the folded form: ASCII unit and record separators, which no group name or codename contains.
UNIT, RECORD = "\x1f", "\x1e"
PRELOADED = "_preloaded_access"


def _rows_sql(user_id_sql: str) -> str:
    """(group name or NULL, app label, codename) of the user `user_id_sql` names: their groups with each group's
    permissions (NULLs for a group without any), then their own permissions."""
    from .models import User

    user_groups = User.groups.through._meta.db_table
    user_permissions = User.user_permissions.through._meta.db_table
    group = Group._meta.db_table
    group_permissions = Group.permissions.through._meta.db_table
    permission = Permission._meta.db_table
    content_type = ContentType._meta.db_table
    user_column = User.groups.field.m2m_column_name()
    user_permission_user_column = User.user_permissions.field.m2m_column_name()
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
    rows = _rows_sql(user_id_column)
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
            cursor.execute(_rows_sql("%s"), [user.pk, user.pk])
            rows = cursor.fetchall()
    user._role_names = frozenset(name for name, _app, _codename in rows if name is not None)
    if user.is_active and not user.is_superuser:
        user._user_perm_cache = {f"{app}.{codename}" for name, app, codename in rows if name is None}
        user._group_perm_cache = {
            f"{app}.{codename}" for name, app, codename in rows if name is not None and codename is not None
        }
        user._perm_cache = user._user_perm_cache | user._group_perm_cache
