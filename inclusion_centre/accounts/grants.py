"""Object grants: django-guardian's direct foreign-key tables, asked through `user.has_perm(perm, obj)`.

A grant is a row a service writes when a fact begins (a specialist is assigned to a case, a lecturer is asked to
agree a route section, a person is invited to a meeting) and deletes when the fact ends. Role-wide powers stay
model permissions of the role's group (roles.py), answered by ModelBackend; object grants go to users only, never
to groups, so this backend reads the user's rows of the object's direct table and nothing else.

`ObjectGrantBackend` replaces guardian's `ObjectPermissionBackend` (settings.AUTHENTICATION_BACKENDS) for one
reason: guardian builds a new ObjectPermissionChecker on every call, so every question costs two queries (the
user's grants and their groups' grants). This backend asks one query per object and keeps the answer on the user
instance for the rest of the request (a grant or revoke in this process makes every instance read again). Pages
that show many objects read the grants of all of them in one query (`prefetch_grants`), and a page whose main row
already reads a grant as an EXISTS annotation hands the answer over (`remember_grant`), so asking costs nothing
more.
"""

from collections.abc import Iterable

from django.db import models
from guardian.backends import ObjectPermissionBackend
from guardian.exceptions import WrongAppError
from guardian.shortcuts import assign_perm, get_objects_for_user, remove_perm
from guardian.utils import get_user_obj_perms_model

CACHE = "_object_grants"  # {(model label, pk): frozenset of codenames}
KNOWN = "_object_grants_known"  # {(model label, pk, codename): bool}, answers read with a page's row
GENERATION = "_object_grants_generation"

# Bumped by every grant and revoke in this process, so a user instance that remembered its grants before a service
# changed them (a test's, or the request's when the service ran in it) reads them again.
_generation = 0


def _caches(user) -> tuple[dict, dict]:
    # getattr/setattr rather than __dict__: request.user is a lazy object that hands attributes to the user.
    if getattr(user, GENERATION, None) != _generation:
        setattr(user, CACHE, {})
        setattr(user, KNOWN, {})
        setattr(user, GENERATION, _generation)
    return getattr(user, CACHE), getattr(user, KNOWN)


def _key(obj: models.Model) -> tuple[str, str]:
    return obj._meta.label_lower, str(obj.pk)


def _codename(perm: str, obj: models.Model) -> str:
    if "." not in perm:
        return perm
    app_label, codename = perm.split(".", 1)
    if app_label != obj._meta.app_label:
        raise WrongAppError(f"{perm} is not a permission of {obj._meta.label}")
    return codename


def grant_table(model) -> type[models.Model]:
    """The direct foreign-key table that holds users' grants on `model` (a class or an instance)."""
    return get_user_obj_perms_model(model)


def _read(user, obj: models.Model) -> frozenset[str]:
    cache, _known = _caches(user)
    key = _key(obj)
    if key not in cache:
        rows = grant_table(obj).objects.filter(user=user, content_object=obj)
        cache[key] = frozenset(rows.values_list("permission__codename", flat=True))
    return cache[key]


def _active(user) -> bool:
    return user.is_authenticated and user.is_active


class ObjectGrantBackend(ObjectPermissionBackend):
    """Answers `user.has_perm(perm, obj)` from the user's rows in `obj`'s direct grant table (see the module)."""

    def has_perm(self, user_obj, perm: str, obj=None) -> bool:
        if not isinstance(obj, models.Model) or not _active(user_obj):
            return False
        if user_obj.is_superuser:
            return True
        codename = _codename(perm, obj)
        known = _caches(user_obj)[1].get((*_key(obj), codename))
        if known is not None:
            return known
        return codename in _read(user_obj, obj)

    def get_group_permissions(self, user_obj, obj=None) -> set[str]:
        return set()  # object grants are never given to groups

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        if not isinstance(obj, models.Model) or not _active(user_obj):
            return set()
        return {f"{obj._meta.app_label}.{codename}" for codename in _read(user_obj, obj)}


def remember_grant(user, obj: models.Model, codename: str, held: bool) -> None:
    """Record whether `user` holds `codename` on `obj`, as the page read it with its row (an EXISTS on the grant
    table), so that has_perm answers it without a query."""
    _caches(user)[1][(*_key(obj), codename)] = bool(held)


def prefetch_grants(user, objects: Iterable[models.Model]) -> None:
    """Read `user`'s grants on every object of a page (all of one model) in one query."""
    objects = [obj for obj in objects if obj is not None]
    if not objects or not _active(user):
        return
    cache, _known = _caches(user)
    found: dict[str, set[str]] = {str(obj.pk): set() for obj in objects}
    rows = grant_table(objects[0]).objects.filter(user=user, content_object_id__in=[obj.pk for obj in objects])
    for pk, codename in rows.values_list("content_object_id", "permission__codename"):
        found[str(pk)].add(codename)
    label = objects[0]._meta.label_lower
    for pk, codenames in found.items():
        cache[(label, pk)] = frozenset(codenames)


def forget_grants(user) -> None:
    """Drop what this user instance remembers of its grants."""
    setattr(user, GENERATION, None)


def grants_changed() -> None:
    """Every user instance of this process reads its grants again (after grants were written in bulk)."""
    global _generation
    _generation += 1


def grant(user, perm: str, obj: models.Model) -> None:
    assign_perm(perm, user, obj)
    grants_changed()


def revoke(user, perm: str, obj: models.Model) -> None:
    remove_perm(perm, user, obj)
    grants_changed()


def granted(user, perms: str | list[str], queryset: models.QuerySet, *, any_perm: bool = False) -> models.QuerySet:
    """The objects of `queryset` `user` holds an object grant on (guardian's get_objects_for_user on the direct
    table; role-wide permissions do not count here)."""
    return get_objects_for_user(
        user,
        perms,
        klass=queryset,
        any_perm=any_perm,
        use_groups=False,
        with_superuser=False,
        accept_global_perms=False,
    )
