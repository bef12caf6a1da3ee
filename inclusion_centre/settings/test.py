"""The test suite: `make test`.

PostgreSQL and Redis are used when they answer on their usual local ports (or when DATABASE_URL / REDIS_URL say
where they are). Under CI=true they are required: the suite refuses to fall back to SQLite there.
"""

import socket
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .base import *
from .base import env

CI = env.bool("CI", default=False)
LOCAL_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/inclusion_centre"
LOCAL_REDIS_URL = "redis://127.0.0.1:6379/0"


def _answers(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), timeout=1):
            return True
    except OSError:
        return False


_database_url = env("DATABASE_URL", default="")
if not _database_url and _answers(LOCAL_POSTGRES_URL, 5432):
    _database_url = LOCAL_POSTGRES_URL
if CI and not _database_url.startswith(("postgres://", "postgresql://", "pgsql://")):
    raise ImproperlyConfigured("CI=true: the test suite must run on PostgreSQL (set DATABASE_URL or start it).")
if _database_url:
    DATABASES = {"default": env.db_url_config(_database_url)}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}

# Tests that need a real broker (one runs a Celery worker) read TEST_REDIS_URL; the rest run tasks eagerly
# and see what was queued through django_capture_on_commit_callbacks.
TEST_REDIS_URL = env("REDIS_URL", default="") or (LOCAL_REDIS_URL if _answers(LOCAL_REDIS_URL, 6379) else "")
if CI and not TEST_REDIS_URL:
    raise ImproperlyConfigured("CI=true: the test suite must reach Redis (set REDIS_URL or start it).")
REDIS_URL = ""
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = True

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-any-deployment-0123456789abcdef"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PRIVATE_FILES_ROOT = BASE_DIR / "var" / "test-private"
MEDIA_ROOT = PRIVATE_FILES_ROOT
ARCHIVE_HANDOVER_ROOT = BASE_DIR / "var" / "test-archive-handover"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# The suite signs people in with force_login; the two-factor step is switched on by the tests that prove it
# (tests/security/test_signin.py, tests/e2e/test_two_factor.py).
OTP_ENFORCE = False
