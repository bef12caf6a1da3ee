"""A user's roles and model permissions read in one query instead of three.

Django's ModelBackend reads the user's own permissions and their groups' permissions with a query each, and
User.role_names the group names with a third: every signed-in page paid for three. `load_access` reads the three
at once and fills the same per-instance caches ModelBackend and role_names keep (User.has_perm calls it first), so
what a user may do is still decided by ModelBackend, exactly as before.
"""

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection


def load_access(user) -> None:
    """Fill user._role_names and, for an active user who is not a superuser, ModelBackend's permission caches."""
    model = type(user)
    user_groups = model.groups.through._meta.db_table
    user_permissions = model.user_permissions.through._meta.db_table
    group = Group._meta.db_table
    group_permissions = Group.permissions.through._meta.db_table
    permission = Permission._meta.db_table
    content_type = ContentType._meta.db_table
    user_column = model.groups.field.m2m_column_name()
    user_permission_user_column = model.user_permissions.field.m2m_column_name()
    # Table and column names are the models'; the user id is a parameter.
    sql = (
        f"SELECT g.name, ct.app_label, p.codename FROM {user_groups} ug"  # noqa: S608
        f" INNER JOIN {group} g ON g.id = ug.group_id"
        f" LEFT JOIN {group_permissions} gp ON gp.group_id = g.id"
        f" LEFT JOIN {permission} p ON p.id = gp.permission_id"
        f" LEFT JOIN {content_type} ct ON ct.id = p.content_type_id"
        f" WHERE ug.{user_column} = %s"
        " UNION ALL"
        f" SELECT NULL, ct.app_label, p.codename FROM {user_permissions} up"
        f" INNER JOIN {permission} p ON p.id = up.permission_id"
        f" INNER JOIN {content_type} ct ON ct.id = p.content_type_id"
        f" WHERE up.{user_permission_user_column} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, user.pk])
        rows = cursor.fetchall()
    user._role_names = frozenset(name for name, _app, _codename in rows if name is not None)
    if user.is_active and not user.is_superuser:
        user._user_perm_cache = {f"{app}.{codename}" for name, app, codename in rows if name is None}
        user._group_perm_cache = {
            f"{app}.{codename}" for name, app, codename in rows if name is not None and codename is not None
        }
        user._perm_cache = user._user_perm_cache | user._group_perm_cache
