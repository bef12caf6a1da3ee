"""One test per private name of Django or django-otp that inclusion_centre/accounts/preload.py relies on (its
docstring lists them). Each fails loudly when an upgrade changes what preload.py takes for granted: a cache the
library no longer reads, a method renamed or re-signed, or a method whose body preload.py copies and extends."""

import hashlib
import inspect

import pytest
from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.contrib.sessions.backends.db import SessionStore as DjangoSessionStore
from django.test import RequestFactory
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware as DjangoOTPMiddleware
from django_otp.plugins.otp_totp.models import TOTPDevice

from inclusion_centre.accounts import preload
from inclusion_centre.accounts.models import User, preloaded_user
from inclusion_centre.accounts.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

UPGRADE = "{name} changed in this library version: check inclusion_centre/accounts/preload.py against it"


def _source_digest(function) -> str:
    return hashlib.sha256(inspect.getsource(function).encode()).hexdigest()[:16]


@pytest.fixture
def user():
    user = UserFactory(roles=[Role.SPECIALIST])
    user.user_permissions.add(Permission.objects.get(codename="view_register"))
    return User.objects.get(pk=user.pk)  # a fresh instance: no cache of any kind yet


# 1. ModelBackend's permission caches -----------------------------------------------------------------------


def test_modelbackend_reads_the_caches_load_access_fills_with_what_it_would_compute_itself(
    user, django_assert_num_queries
):
    backend = ModelBackend()
    assert list(inspect.signature(ModelBackend._get_permissions).parameters) == [
        "self",
        "user_obj",
        "obj",
        "from_name",
    ], UPGRADE.format(name="ModelBackend._get_permissions")
    # What the library computes on its own, with its own queries:
    expected_user = backend.get_user_permissions(user)
    expected_group = backend.get_group_permissions(user)
    assert expected_user == {"documents.view_register"} and expected_group

    loaded = User.objects.get(pk=user.pk)
    preload.load_access(loaded)
    assert {name: getattr(loaded, name) for name in preload.PERMISSION_CACHES} == {
        "_user_perm_cache": expected_user,
        "_group_perm_cache": expected_group,
        "_perm_cache": expected_user | expected_group,
    }
    # … and the library answers from those caches, asking nothing more.
    with django_assert_num_queries(0):
        assert backend.get_user_permissions(loaded) == expected_user, UPGRADE.format(name="_user_perm_cache")
        assert backend.get_group_permissions(loaded) == expected_group, UPGRADE.format(name="_group_perm_cache")
        assert backend.get_all_permissions(loaded) == expected_user | expected_group, UPGRADE.format(name="_perm_cache")
        assert loaded.has_perm("documents.view_register")


def test_modelbackend_takes_a_cache_it_finds_as_the_answer(user):
    """Not only equal values: the library really reads these names (a sentinel set in them is what it returns)."""
    backend = ModelBackend()
    for name, read in (
        ("_user_perm_cache", backend.get_user_permissions),
        ("_group_perm_cache", backend.get_group_permissions),
        ("_perm_cache", backend.get_all_permissions),
    ):
        fresh = User.objects.get(pk=user.pk)
        setattr(fresh, name, {"sentinel.cached"})
        assert read(fresh) == {"sentinel.cached"}, UPGRADE.format(name=f"ModelBackend's {name}")


# 2. ModelBackend.get_user reads through the default manager's get(pk=…) ------------------------------------


def test_modelbackend_get_user_is_answered_by_the_preloaded_user(user, django_assert_num_queries):
    token = preloaded_user.set(user)
    try:
        with django_assert_num_queries(0):
            found = ModelBackend().get_user(user.pk)
    finally:
        preloaded_user.reset(token)
    assert found is user, UPGRADE.format(name="ModelBackend.get_user (UserModel._default_manager.get(pk=...))")


# 3. django.contrib.auth.middleware.get_user caches on request._cached_user ----------------------------------


def test_auth_middleware_get_user_answers_from_request_cached_user():
    request = RequestFactory().get("/")
    sentinel = object()
    request._cached_user = sentinel
    assert auth_middleware.get_user(request) is sentinel, UPGRADE.format(name="request._cached_user")
    assert "_cached_user" in inspect.getsource(auth_middleware.get_user)


# 4. SessionStore._get_session_from_db ----------------------------------------------------------------------


def test_session_store_loads_through_get_session_from_db_whose_body_preload_copies(user, client):
    assert list(inspect.signature(DjangoSessionStore._get_session_from_db).parameters) == ["self"]
    assert "self._get_session_from_db()" in inspect.getsource(DjangoSessionStore.load), UPGRADE.format(
        name="SessionStore.load"
    )
    # preload.SessionStore._get_session_from_db re-implements this body (the filter, the SuspiciousOperation log,
    # forgetting the key): a new body means reading the new one and updating the copy, then this digest.
    assert _source_digest(DjangoSessionStore._get_session_from_db) == "775c8d22becd60bd", UPGRADE.format(
        name="SessionStore._get_session_from_db"
    )
    client.force_login(user)
    store = preload.SessionStore(session_key=client.session.session_key)
    assert store.load()["_auth_user_id"] == str(user.pk)
    assert store.preloaded_user == user


# 5. django-otp's OTPMiddleware ------------------------------------------------------------------------------


def test_otp_middleware_private_methods_keep_their_signatures():
    expected = {
        "_verify_user_sync": ["self", "request", "user"],
        "_init_user_fields": ["user"],
        "_normalize_persistent_id": ["persistent_id"],
        "_device_from_persistent_id": ["self", "persistent_id"],
        "_finalize_device": ["request", "user", "device"],
    }
    for name, parameters in expected.items():
        method = getattr(DjangoOTPMiddleware, name, None)
        assert method is not None, UPGRADE.format(name=f"OTPMiddleware.{name}")
        assert list(inspect.signature(method).parameters) == parameters, UPGRADE.format(name=f"OTPMiddleware.{name}")
    # preload.OTPMiddleware._verify_user_sync is django-otp's body with the preloaded device first.
    assert _source_digest(DjangoOTPMiddleware._verify_user_sync) == "dc6fbc9f243e2894", UPGRADE.format(
        name="OTPMiddleware._verify_user_sync"
    )


@pytest.mark.parametrize("confirmed", [True, False])
def test_otp_middleware_verifies_as_django_otp_does(user, confirmed, client):
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=confirmed)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()

    def verified(middleware_class):
        request = RequestFactory().get("/")
        request.session = preload.SessionStore(session_key=session.session_key)
        preload.AuthenticationMiddleware(lambda r: None).process_request(request)
        verified_user = middleware_class(lambda r: r.user)(request)
        return verified_user.otp_device, verified_user.is_verified()

    ours, theirs = verified(preload.OTPMiddleware), verified(DjangoOTPMiddleware)
    assert ours == theirs == ((device, True) if confirmed else (None, False))
