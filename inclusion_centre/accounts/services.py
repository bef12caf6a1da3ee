"""Writes on users and roles. Each service is atomic and records who acted on the history rows it writes."""

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction

from inclusion_centre.history import acting_as

from .models import User
from .roles import Role
from .signals import powers_changed

# What a user may do beyond their own records: only a superuser changes these, and only through user_set_powers.
POWER_FIELDS = ("is_superuser", "is_staff", "groups", "user_permissions")


@transaction.atomic
def user_set_language(*, user: User, language: str, actor: User | None = None) -> User:
    with acting_as(actor or user):
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
    return user


def user_set_display(*, user: User, large_text: bool, high_contrast: bool, actor: User | None = None) -> User:
    """Save the user's display preferences (large text, high contrast); they apply on every page from then on."""
    with acting_as(actor or user):
        user.large_text = large_text
        user.high_contrast = high_contrast
        user.save(update_fields=["large_text", "high_contrast"])
    return user


def powers_of(user: User) -> dict:
    """A user's powers as plain values: superuser and admin-site status, role groups, own permissions."""
    return {
        "is_superuser": user.is_superuser,
        "is_staff": user.is_staff,
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "user_permissions": sorted(
            f"{app}.{code}" for app, code in user.user_permissions.values_list("content_type__app_label", "codename")
        ),
    }


@transaction.atomic
def user_set_powers(*, user: User, actor: User, **wanted) -> dict:
    """Set any of POWER_FIELDS (is_superuser, is_staff: bools; groups, user_permissions: the full new sets) and
    return what changed, {field: {"before": ..., "after": ...}}.

    The one way powers change: nobody grants a power they do not hold, so only an active superuser may act
    (PermissionDenied otherwise, nothing changed). The user's history names the actor, and `powers_changed` is
    sent in the transaction: the audit app chains it (audit.receivers).
    """
    if set(wanted) - set(POWER_FIELDS):
        raise TypeError(f"Not a power: {sorted(set(wanted) - set(POWER_FIELDS))}")
    if actor is None or not (actor.is_active and actor.is_superuser):
        raise PermissionDenied
    return _apply_powers(user=user, actor=actor, source="", wanted=wanted)


def _apply_powers(*, user: User, actor: User | None, source: str, wanted: dict) -> dict:
    user = User.objects.select_for_update().get(pk=user.pk)
    before = powers_of(user)
    with acting_as(actor):
        flags = [name for name in ("is_superuser", "is_staff") if name in wanted]
        for name in flags:
            setattr(user, name, bool(wanted[name]))
        if flags:
            user.save(update_fields=flags)
        for name in ("groups", "user_permissions"):
            if name in wanted:
                getattr(user, name).set(wanted[name])
    after = powers_of(user)
    changes = {name: {"before": before[name], "after": after[name]} for name in before if before[name] != after[name]}
    if changes:
        powers_changed.send(sender=User, user=user, actor=actor, changes=changes, source=source)
    return changes


@transaction.atomic
def user_sync_provider_roles(*, user: User, roles: set[str], managed: set[str], source: str) -> dict:
    """Make the user's roles among `managed` (the roles the university's sign-in decides: its group mapping's
    values) exactly `roles`; roles outside `managed` are left as they are (a student's role comes from the import).
    Returns what changed, as user_set_powers does.

    The sign-in itself is the authority, so there is no acting user: the history row names nobody and the audit
    chain's entry names the source (e.g. "oidc:https://login.example.edu"). Admin-site and superuser status are
    never changed here.
    """
    unknown = (set(roles) | set(managed)) - set(Role.values)
    if unknown:
        raise ValueError(f"Not a role: {sorted(unknown)}")
    current = set(user.groups.values_list("name", flat=True))
    wanted = (current - set(managed)) | (set(roles) & set(managed))
    if wanted == current:
        return {}
    groups = list(Group.objects.filter(name__in=wanted))
    changes = _apply_powers(user=user, actor=None, source=source, wanted={"groups": groups})
    _forget_access(user)
    return changes


def _forget_access(user: User) -> None:
    for cache in ("_role_names", "_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cache, None)


def user_grant_role(*, user: User, role: Role, actor: User) -> None:
    """Add one role group to the user (through user_set_powers: a superuser acts, the change is chained)."""
    groups = [*user.groups.all(), Group.objects.get(name=role.value)]
    user_set_powers(user=user, actor=actor, groups=groups)
    _forget_access(user)
