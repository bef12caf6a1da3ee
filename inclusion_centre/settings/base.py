"""Settings shared by every environment.

Everything that differs between machines comes from the environment (django-environ), with defaults that
let the app run on a laptop with nothing installed: a SQLite file and Celery tasks run in-process.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
import ldap
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _
from django_auth_ldap.config import GroupOfNamesType, LDAPSearch, NestedActiveDirectoryGroupType

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A .env file is read when present (compose deployments, local overrides); the process environment wins.
env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="insecure-local-development-key-change-me-in-any-real-deployment")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "guardian",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # One-time codes by e-mail: proof of the mailbox before an authenticator app is set up (two_factor.py).
    "django_otp.plugins.otp_email",
    "csp",
    "django_htmx",
    "django_filters",
    "inclusion_centre.accounts",
    "inclusion_centre.outbox",
    "students",
    "routes",
    "documents",
    "audit",
    # Pages that combine several apps (the case page, the home page, the personal file): the top of the layers.
    "inclusion_centre.pages",
    "inclusion_centre.seeding",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every answer (settings below): scripts, styles and frames from this site only.
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "inclusion_centre.accounts.preload.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the second factor (django-otp). Both read the user and
    # the authenticator the session store read with the session (accounts/preload.py).
    "inclusion_centre.accounts.preload.OTPMiddleware",
    # Pages for signed-in users carry personal data: Cache-Control no-store unless the view said otherwise.
    "audit.middleware.NoStoreForSignedInMiddleware",
    "audit.middleware.LogRefusedAccessMiddleware",
    "inclusion_centre.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Ends a session idle for SESSION_IDLE_TIMEOUT or older than SESSION_ABSOLUTE_TIMEOUT, whatever its cookie says
    # (after the language and the messages are set up: it says why in the reader's language).
    "inclusion_centre.accounts.middleware.SessionTimeoutMiddleware",
    # Staff who read personal data pass the second factor before any other page.
    "inclusion_centre.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes last, as its documentation asks: it turns lockouts raised by the backend into responses.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "inclusion_centre.urls"
WSGI_APPLICATION = "inclusion_centre.wsgi.application"
ASGI_APPLICATION = "inclusion_centre.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "inclusion_centre.context_processors.site",
                "inclusion_centre.accounts.context_processors.notifications",
                "routes.context_processors.work",
            ],
        },
    },
]

# --- Data stores -------------------------------------------------------------------------------------------

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No JIT compilation: the pages' queries are short, and on the benchmark's data set PostgreSQL compiled some of
    # them (an over-estimated semi-join) for over a second to run them in 16 ms (bench/README.md).
    if env.bool("DATABASE_JIT", default=False) is False:
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = " ".join(filter(None, [options.get("options", ""), "-c jit=off"]))
    # Prepared statements: a statement a connection has run twice is planned once, not on every request (the
    # inbox's eight-table join took 6.7 ms to plan and 0.4 ms to run). They need the parameters bound by the server
    # and a connection that lives across requests (CONN_MAX_AGE). Turn them off (DATABASE_PREPARED_STATEMENTS=false)
    # behind a pooler in transaction mode, such as PgBouncer's, which cannot keep a statement on one connection.
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["server_side_binding"] = True
        options["prepare_threshold"] = env.int("DATABASE_PREPARE_THRESHOLD", default=2)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# REDIS_URL unset means "no Redis": the cache is in-process and Celery runs tasks eagerly.
REDIS_URL = env("REDIS_URL", default="")

# Seconds a web process waits on Redis: to connect, and for any one reply (a publish is one small round trip). A
# request that queues a job and reads the cache stays within 1.5 s when Redis is dead or silent (issue #20).
# (Workers wait longer: inclusion_centre/celery.py.)
REDIS_CONNECT_TIMEOUT = env.float("REDIS_CONNECT_TIMEOUT", default=0.5)
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=0.5)

# The cache is an optimisation: an unreachable Redis is a miss (inclusion_centre/cache.py), found out within
# REDIS_CACHE_TIMEOUT (a cache reply takes well under a millisecond), after which the process leaves Redis alone
# for CACHE_PAUSE_SECONDS.
REDIS_CACHE_TIMEOUT = env.float("REDIS_CACHE_TIMEOUT", default=0.25)
CACHE_PAUSE_SECONDS = env.int("CACHE_PAUSE_SECONDS", default=30)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "inclusion_centre.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": REDIS_CACHE_TIMEOUT, "socket_timeout": REDIS_CACHE_TIMEOUT},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ------------------------------------------------------------------------------------------------

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "documents.tasks.*": {"queue": "documents"},
    "*.tasks.send_*": {"queue": "notifications"},
    "*.tasks.notify_*": {"queue": "notifications"},
}
# Publishing must never hang a web request (Celery's default retries the publish, and the Redis client waits on a
# silent server without a limit). One try, bounded by the Redis timeouts above: a dead or silent Redis costs the
# request one timeout, and the job waits in the outbox for the relay (inclusion_centre/outbox).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
    "socket_timeout": REDIS_SOCKET_TIMEOUT,
    "retry_on_timeout": False,
    "max_retries": 0,  # kombu re-connects for ever by default, sleeping between tries
}
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
CELERY_TIMEZONE = "Asia/Almaty"
CELERY_BEAT_SCHEDULE: dict = {
    # Each person's digest of what they owe, and overdue steps escalated to the centre head; a second run the
    # same day sends nothing new.
    "daily-digests": {
        "task": "routes.tasks.notify_daily_digests",
        "schedule": crontab(hour=8, minute=0),
    },
    # Routes in force follow the students' enrolments (per-term activation): new courses get a section and their
    # lecturers a letter of accommodations, dropped courses are retired. Imports of enrolments run it at once too.
    "follow-enrolments": {"task": "routes.tasks.follow_enrolments", "schedule": crontab(hour=6, minute=15)},
    # End-of-term delivery surveys open for terms that have ended; unanswered ones past their date expire.
    "open-delivery-surveys": {"task": "routes.tasks.open_delivery_surveys", "schedule": crontab(hour=6, minute=45)},
    # MSE conclusions: a reminder 30 days before the re-examination date, and a review of the route when it lapses.
    "remind-mse-expiry": {"task": "routes.tasks.remind_mse_expiry", "schedule": crontab(hour=6, minute=50)},
    # Registered documents whose render was never queued (the broker was down at the time) or kept failing.
    "documents-render-pending": {"task": "documents.tasks.render_pending_documents", "schedule": 10 * 60},
    # Background jobs written while the broker was unreachable (inclusion_centre/outbox).
    "outbox-relay": {"task": "inclusion_centre.outbox.tasks.relay_outbox", "schedule": 60},
    # Documents past their retention period are handed to the archive and destroyed, then the personal data of
    # cases past the longest period is removed; a second run finds nothing to do.
    # Borrowers of assistive equipment past its return date are reminded; once a day per loan.
    "overdue-loan-reminders": {"task": "routes.tasks.remind_overdue_loans", "schedule": crontab(hour=9, minute=0)},
    "apply-retention": {"task": "routes.tasks.apply_retention", "schedule": crontab(hour=2, minute=30)},
    # The audit chain's head, published outside the database (AUDIT_ANCHOR_FILE and an e-mail to the auditors).
    "audit-publish-head": {"task": "audit.tasks.publish_chain_head", "schedule": crontab(hour=23, minute=50)},
}
# The relay publishes pending jobs at least this old (younger ones are still being published after their commit);
# a job the broker refused this many times is marked failed and waits for an operator.
OUTBOX_RELAY_AFTER_SECONDS = env.int("OUTBOX_RELAY_AFTER_SECONDS", default=60)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=20)
# After a publish failed, a process queues jobs without trying the broker for this long (the relay sends them).
OUTBOX_BROKER_PAUSE_SECONDS = env.int("OUTBOX_BROKER_PAUSE_SECONDS", default=30)
CELERY_BEAT_SCHEDULE_FILENAME = env(
    "CELERY_BEAT_SCHEDULE_FILENAME", default=str(BASE_DIR / "var" / "celerybeat-schedule")
)

# --- Retention of personal data ----------------------------------------------------------------------------

# How long each document type is kept is the retention schedule (documents.RetentionRule, edited in the admin).
# Expired documents are packed into a signed archival package and handed over here, the archive's folder, before
# `manage.py apply_retention` destroys them; the register entries, with their numbers and SHA-256, are kept.
ARCHIVE_HANDOVER_ROOT = Path(env("ARCHIVE_HANDOVER_ROOT", default=str(BASE_DIR / "var" / "archive-handover")))

# --- Authentication ----------------------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses locked-out credentials before any other backend looks at them.
    "axes.backends.AxesStandaloneBackend",
    # The university's directory before local passwords: an unreachable directory costs a timeout, after which a
    # local password still works (where LOCAL_SIGNIN_DISABLED_ROLES allows it). Both answer None when not configured.
    "inclusion_centre.accounts.ldap.DirectoryBackend",
    "django.contrib.auth.backends.ModelBackend",
    "inclusion_centre.accounts.oidc.ProviderBackend",
    # Object grants (django-guardian's direct tables), one query per object and request: accounts/grants.py.
    "inclusion_centre.accounts.grants.ObjectGrantBackend",
]
# guardian warns when its own backend is not listed; ObjectGrantBackend answers from guardian's tables in its place.
SILENCED_SYSTEM_CHECKS = ["guardian.W001"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# Lock an account + address pair after repeated failures (OWASP ASVS V2.2); the lock lifts by itself.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
# Lockouts key on the client, not on the reverse proxy every visitor comes through: the one function that reads
# X-Forwarded-For from TRUSTED_PROXIES only, as the access log and the verification page's rate limit do.
AXES_CLIENT_IP_CALLABLE = "inclusion_centre.client_address.client_address"

# django-guardian: no anonymous user row (anonymous visitors are never granted anything per object).
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False

SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 60 * 60)
# A session ends after this many seconds without a request, and in any case this long after sign-in, however
# busy it is (the absolute limit is counted from the sign-in stored in the session, not from the cookie).
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_ABSOLUTE_TIMEOUT = env.int("SESSION_ABSOLUTE_TIMEOUT", default=SESSION_COOKIE_AGE)
# Database sessions that know their user, so disabling an account deletes its sessions at once.
SESSION_ENGINE = "inclusion_centre.accounts.sessions"

# Two-factor sign-in (django-otp, TOTP with recovery codes) for every role that reads personal data: all staff
# roles (lecturers see students' names, administration approves routes with names) and Django admin users.
# Students and legal representatives see only their own case and are not asked.
OTP_ENFORCE = env.bool("OTP_ENFORCE", default=True)
OTP_REQUIRED_ROLES = env.list(
    "OTP_REQUIRED_ROLES",
    default=["specialist", "centre_head", "lecturer", "administration", "auditor", "sysadmin"],
)


def _totp_issuer(device) -> str:
    # The name an authenticator app shows beside the code. The app stores it once, when the QR code is scanned,
    # so it is the centre's short name in the language the person chose at that moment.
    from django.conf import settings

    names = settings.CENTRE_SHORT_NAME
    return names.get(device.user.preferred_language) or names[settings.LANGUAGE_CODE]


OTP_TOTP_ISSUER = _totp_issuer
OTP_RECOVERY_CODES = 10
# The admin site never shows an authenticator's key, QR code or recovery codes (django-otp hides them).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Setting up an authenticator app (the first time, or again after it was removed) needs a code e-mailed to the
# account's address, or a recovery code: the password alone is not enough. The e-mailed code works once, for
# OTP_EMAIL_TOKEN_VALIDITY seconds; a new one can be asked for after OTP_EMAIL_COOLDOWN_DURATION seconds.
OTP_EMAIL_TOKEN_VALIDITY = 15 * 60
OTP_EMAIL_COOLDOWN_DURATION = 60

# --- Sign-in with the university's accounts (docs/security-and-sign-in.md) ---------------------------------

# OpenID Connect (mozilla-django-oidc, accounts/oidc.py): on when OIDC_ISSUER (or OIDC_DISCOVERY_URL) and
# OIDC_CLIENT_ID are set. The provider's endpoints come from its discovery document, read when first needed and
# kept for OIDC_DISCOVERY_CACHE_SECONDS; any of them can be given instead (OIDC_OP_*_ENDPOINT).
OIDC_ISSUER = env("OIDC_ISSUER", default="").rstrip("/")
OIDC_DISCOVERY_URL = env(
    "OIDC_DISCOVERY_URL", default=f"{OIDC_ISSUER}/.well-known/openid-configuration" if OIDC_ISSUER else ""
)
OIDC_DISCOVERY_CACHE_SECONDS = env.int("OIDC_DISCOVERY_CACHE_SECONDS", default=3600)
OIDC_RP_CLIENT_ID = env("OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env("OIDC_CLIENT_SECRET", default="")
OIDC_ENABLED = bool(OIDC_DISCOVERY_URL and OIDC_RP_CLIENT_ID)
# The button's text names the provider ("Sign in with {name}"): the university's name for its accounts.
OIDC_PROVIDER_NAME = env("OIDC_PROVIDER_NAME", default="")
OIDC_RP_SCOPES = env("OIDC_SCOPES", default="openid email profile")
OIDC_RP_SIGN_ALGO = env("OIDC_SIGN_ALGORITHM", default="RS256")
OIDC_OP_AUTHORIZATION_ENDPOINT = env("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_OP_END_SESSION_ENDPOINT = env("OIDC_OP_END_SESSION_ENDPOINT", default="")
# Authorization code flow with PKCE (S256), state and nonce: never turned off.
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_TOKEN_USE_BASIC_AUTH = env.bool("OIDC_TOKEN_USE_BASIC_AUTH", default=False)
OIDC_TIMEOUT = env.float("OIDC_TIMEOUT", default=5.0)
# Seconds of clock difference allowed when checking the ID token's exp, iat and nbf.
OIDC_CLOCK_LEEWAY = env.int("OIDC_CLOCK_LEEWAY", default=60)
OIDC_STORE_ID_TOKEN = True  # kept in the session as id_token_hint for the provider's sign-out
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc_callback"
LOGIN_REDIRECT_URL_FAILURE = "accounts:login"
# Claims: which one names the person's roles (a list of group names or ids), their SIS id and their IIN.
OIDC_CLAIM_GROUPS = env("OIDC_CLAIM_GROUPS", default="groups")
OIDC_CLAIM_SIS_ID = env("OIDC_CLAIM_SIS_ID", default="")
OIDC_CLAIM_IIN = env("OIDC_CLAIM_IIN", default="")
OIDC_CLAIM_NAME = env("OIDC_CLAIM_NAME", default="name")
# The claim that says the provider checked the e-mail address (Entra ID: add the optional claim xms_edov).
OIDC_EMAIL_VERIFIED_CLAIM = env("OIDC_EMAIL_VERIFIED_CLAIM", default="email_verified")
# Group (as the provider names it) -> role, as JSON: {"centre-heads": "centre_head", "lecturers": "lecturer"}.
OIDC_GROUP_ROLES = env.json("OIDC_GROUP_ROLES", default={})
# The provider asserts multi-factor sign-in when the ID token's amr holds one of these, or its acr is one of these;
# then our own authenticator step is skipped for that session.
OIDC_MFA_AMR = env.list("OIDC_MFA_AMR", default=["mfa", "otp", "hwk", "swk", "fido"])
OIDC_MFA_ACR = env.list("OIDC_MFA_ACR", default=[])

# LDAP / Active Directory (django-auth-ldap, accounts/ldap.py): on when LDAP_SERVER_URI is set. The sign-in form
# then takes the directory's account name (or e-mail) and password.
LDAP_SERVER_URI = env("LDAP_SERVER_URI", default="")
LDAP_ENABLED = bool(LDAP_SERVER_URI)
AUTH_LDAP_SERVER_URI = LDAP_SERVER_URI
AUTH_LDAP_START_TLS = env.bool("LDAP_START_TLS", default=True)
AUTH_LDAP_BIND_DN = env("LDAP_BIND_DN", default="")
AUTH_LDAP_BIND_PASSWORD = env("LDAP_BIND_PASSWORD", default="")
LDAP_USER_BASE = env("LDAP_USER_BASE", default="")
# %(user)s is what the person typed, escaped by django-auth-ldap (no filter injection).
LDAP_USER_FILTER = env("LDAP_USER_FILTER", default="(uid=%(user)s)")
LDAP_GROUP_BASE = env("LDAP_GROUP_BASE", default="")
# groupOfNames (OpenLDAP) or "active_directory" (nested groups of AD, member attribute).
LDAP_GROUP_TYPE = env("LDAP_GROUP_TYPE", default="groupOfNames")
# Group DN -> role, as JSON: {"cn=centre-heads,ou=groups,dc=uni,dc=kz": "centre_head"}.
LDAP_GROUP_ROLES = env.json("LDAP_GROUP_ROLES", default={})
LDAP_ATTR_EMAIL = env("LDAP_ATTR_EMAIL", default="mail")
LDAP_ATTR_NAME = env("LDAP_ATTR_NAME", default="cn")
LDAP_ATTR_SIS_ID = env("LDAP_ATTR_SIS_ID", default="")
# The attribute that names the person for good (entryUUID, AD's objectGUID); blank: their DN.
LDAP_ATTR_SUBJECT = env("LDAP_ATTR_SUBJECT", default="")
LDAP_ATTR_IIN = env("LDAP_ATTR_IIN", default="")
# The directory's mail attribute is kept by the university's administrators: a match on it counts as verified.
LDAP_EMAIL_VERIFIED = env.bool("LDAP_EMAIL_VERIFIED", default=True)
LDAP_CA_CERT_FILE = env("LDAP_CA_CERT_FILE", default="")
LDAP_TIMEOUT = env.float("LDAP_TIMEOUT", default=5.0)
AUTH_LDAP_ALWAYS_UPDATE_USER = False
AUTH_LDAP_USER_SEARCH = LDAPSearch(LDAP_USER_BASE, ldap.SCOPE_SUBTREE, LDAP_USER_FILTER)
AUTH_LDAP_GROUP_SEARCH = LDAPSearch(LDAP_GROUP_BASE or LDAP_USER_BASE, ldap.SCOPE_SUBTREE, "(objectClass=*)")
AUTH_LDAP_GROUP_TYPE = NestedActiveDirectoryGroupType() if LDAP_GROUP_TYPE == "active_directory" else GroupOfNamesType()
AUTH_LDAP_USER_ATTR_MAP: dict = {}  # accounts/ldap.py reads the attributes it needs (LDAP_ATTR_*)
AUTH_LDAP_CONNECTION_OPTIONS = {
    ldap.OPT_NETWORK_TIMEOUT: LDAP_TIMEOUT,
    ldap.OPT_TIMEOUT: LDAP_TIMEOUT,
    ldap.OPT_REFERRALS: 0,  # Active Directory's referrals would be followed anonymously
    **({ldap.OPT_X_TLS_CACERTFILE: LDAP_CA_CERT_FILE, ldap.OPT_X_TLS_NEWCTX: 0} if LDAP_CA_CERT_FILE else {}),
}
AUTH_LDAP_CACHE_TIMEOUT = 0

# Roles that may not sign in with a password kept here: they use the university's sign-in (OIDC or LDAP).
LOCAL_SIGNIN_DISABLED_ROLES = env.list("LOCAL_SIGNIN_DISABLED_ROLES", default=[])

# Days an invitation link (first sign-in of an imported account, accounts/invitations.py) stays valid.
INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=14)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# --- Languages ---------------------------------------------------------------------------------------------

LANGUAGE_CODE = "kk"
LANGUAGES = [
    ("kk", _("Kazakh")),
    ("ru", _("Russian")),
    ("en", _("English")),
    ("ky", _("Kyrgyz")),
]
# The language's own name, for the language switcher: a reader finds their language without knowing ours.
LANGUAGE_SELF_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English", "ky": "Кыргызча"}
# locale_django/: Django's own strings (admin, auth, forms) that its Kazakh and Kyrgyz catalogues lack, kept apart
# from locale/, which `make messages` rebuilds from the project's code. The first path wins.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_django"]
LANGUAGE_COOKIE_NAME = "language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Date, time and number formats per language (24-hour clock everywhere; Django has none for Kazakh).
FORMAT_MODULE_PATH = ["inclusion_centre.formats"]
TIME_ZONE = env("TIME_ZONE", default="Asia/Almaty")
USE_I18N = True
USE_TZ = True

# --- Institution -------------------------------------------------------------------------------------------

INSTITUTION_NAME = {
    "kk": env("INSTITUTION_NAME_KK", default="А. Құсайынов атындағы Еуразиялық гуманитарлық институт"),
    "ru": env("INSTITUTION_NAME_RU", default="Евразийский гуманитарный институт имени А. Кусаинова"),
    "en": env("INSTITUTION_NAME_EN", default="A. Kussainov Eurasian Humanities Institute"),
}
INSTITUTION_NAME["ky"] = env("INSTITUTION_NAME_KY", default=INSTITUTION_NAME["ru"])
# The centre's short name in each language: the prefix of every e-mail subject ("[Инклюзия орталығы] …", in the
# recipient's language) and the issuer an authenticator app shows. EMAIL_SUBJECT_PREFIX is left to Django's own
# mails to the administrators.
CENTRE_SHORT_NAME = {
    "kk": env("CENTRE_SHORT_NAME_KK", default="Инклюзия орталығы"),
    "ru": env("CENTRE_SHORT_NAME_RU", default="Центр инклюзии"),
    "en": env("CENTRE_SHORT_NAME_EN", default="Inclusion centre"),
    "ky": env("CENTRE_SHORT_NAME_KY", default="Инклюзия борбору"),
}
# The emblem in the header of every printed document (SVG or PNG); a neutral placeholder ships with the code.
INSTITUTION_LOGO = Path(env("INSTITUTION_LOGO", default=str(BASE_DIR / "static" / "img" / "institution-logo.svg")))

# --- Static and private files ------------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploaded documents hold health data: they live outside STATIC_ROOT and have no MEDIA_URL; only views that
# check permission per object serve them.
PRIVATE_FILES_ROOT = Path(env("PRIVATE_FILES_ROOT", default=str(BASE_DIR / "var" / "private")))
MEDIA_ROOT = PRIVATE_FILES_ROOT
MEDIA_URL = None

# `make backup` / `make restore` (inclusion_centre/backup.py). The PostgreSQL tools may be a command prefix, e.g.
# "docker compose exec -T db pg_dump", when the server's version is newer than the local client's.
BACKUP_DIR = Path(env("BACKUP_DIR", default=str(BASE_DIR / "var" / "backups")))
BACKUP_PG_DUMP = env("BACKUP_PG_DUMP", default="pg_dump")
BACKUP_PG_RESTORE = env("BACKUP_PG_RESTORE", default="pg_restore")

# Where the daily routine appends the audit chain's head ("seq:hash"), outside the database; `verify_audit` checks
# the chain against the newest line. Put it where the database's administrators cannot rewrite it (another
# machine's mount, append-only storage) and keep it out of the backups' restore path.
AUDIT_ANCHOR_FILE = Path(env("AUDIT_ANCHOR_FILE", default=str(BASE_DIR / "var" / "audit-anchor.txt")))

# --- E-mail ------------------------------------------------------------------------------------------------

EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="inclusion-centre@localhost")
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
EMAIL_SUBJECT_PREFIX = env("EMAIL_SUBJECT_PREFIX", default="[Inclusion centre] ")

# --- Logging -----------------------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "celery.app.trace": {"level": "WARNING"},
        "kombu": {"level": "ERROR"},
        "weasyprint": {"level": "WARNING"},  # it logs every step of every render at INFO
    },
}

SIMPLE_HISTORY_REVERT_DISABLED = True

# --- Registration numbers ----------------------------------------------------------------------------------

# Per document type and year, gap-free (documents.services.next_registration_number). A format string with
# the fields {year} and {number}; a type left out here uses the default in documents.services.
DOCUMENT_NUMBER_FORMATS = {
    "application": "ӨТ-{year}/{number:04d}",
    "conclusion": "ҚОР-{year}/{number:04d}",
    "route": "ЖББМ-{year}/{number:04d}",
    "protocol": "ХТ-{year}/{number:04d}",
    "partner_letter": "ШХ-{year}/{number:04d}",  # шығыс хат: outgoing letters to external organisations
}

# Printed forms of registered documents (documents/): every registered document is stored in each of these
# languages, as PDF/A-3a (archival, tagged) with the fonts below embedded. The fonts must carry every Kazakh letter.
DOCUMENT_LANGUAGES = ["kk", "ru"]
DOCUMENT_PDF_VARIANT = env("DOCUMENT_PDF_VARIANT", default="pdf/a-3a")
DOCUMENT_FONTS_DIR = BASE_DIR / "static" / "fonts"
# The public verification page (/v/<token>): largest PDF a visitor may upload to compare, and uploads per address
# per hour.
DOCUMENT_VERIFY_MAX_BYTES = env.int("DOCUMENT_VERIFY_MAX_BYTES", default=20 * 1024 * 1024)
DOCUMENT_VERIFY_UPLOADS_PER_HOUR = env.int("DOCUMENT_VERIFY_UPLOADS_PER_HOUR", default=30)

# The institution's seal (optional): a PKCS#12 file with the institution's own certificate and private key (and
# the certificates of its chain). When set, every frozen PDF also carries an embedded PAdES signature made on the
# server (documents/seal.py), and the manifest of a case's archival package is signed with the same key. Empty:
# no seal, PDFs are stored as rendered.
INSTITUTION_SEAL_PKCS12 = env("INSTITUTION_SEAL_PKCS12", default="")
INSTITUTION_SEAL_PASSWORD = env("INSTITUTION_SEAL_PASSWORD", default="")

# --- Workflow rules ----------------------------------------------------------------------------------------

# Regulation §10: the interdisciplinary team's protocol approves the support measures. On, a route is approved
# only after a signed protocol's decision approving its measures; off (the default), the approval page shows the
# team's decision, or that none was taken yet, and approval does not wait for it.
ROUTE_APPROVAL_NEEDS_PROTOCOL = env.bool("ROUTE_APPROVAL_NEEDS_PROTOCOL", default=False)

# --- Signatures of registered documents (documents/signatures/, docs/documents.md) -----------------------------

# "in-system": the people a document names confirm it in the system (no legal force of a qualified signature);
# "ncalayer": they sign the frozen PDF with a qualified electronic signature (ЭЦП) through NCALayer.
SIGNATURE_METHOD = env("SIGNATURE_METHOD", default="in-system")
# The NCA certificates a signer's chain must reach (PEM or DER files; RSA and GOST).
SIGNATURE_TRUST_ANCHORS = env.list("SIGNATURE_TRUST_ANCHORS", default=[])
# CRL files of those authorities (refreshed by the operator), and an OCSP responder (unset: none is asked).
SIGNATURE_CRL_PATHS = env.list("SIGNATURE_CRL_PATHS", default=[])
SIGNATURE_OCSP_URL = env("SIGNATURE_OCSP_URL", default="")
SIGNATURE_OCSP_TIMEOUT = env.float("SIGNATURE_OCSP_TIMEOUT", default=5.0)
# Refuse a signature whose certificate's revocation status nobody could tell (otherwise it is stored, saying so).
SIGNATURE_REVOCATION_REQUIRED = env.bool("SIGNATURE_REVOCATION_REQUIRED", default=False)
# How far the signing time a new signature states may be from the server's clock.
SIGNATURE_CLOCK_SKEW_SECONDS = env.int("SIGNATURE_CLOCK_SKEW_SECONDS", default=600)
NCALAYER_URL = "wss://127.0.0.1:13579"

# --- Deadlines ---------------------------------------------------------------------------------------------

# Working days each waiting step may take (the regulation fixes none; these are the centre's defaults).
DEADLINE_WORKING_DAYS = {
    "register_application": env.int("DEADLINE_REGISTER_APPLICATION_DAYS", default=3),
    "assess_application": env.int("DEADLINE_ASSESS_APPLICATION_DAYS", default=10),
    "agree_route": env.int("DEADLINE_AGREE_ROUTE_DAYS", default=5),
    "approve_route": env.int("DEADLINE_APPROVE_ROUTE_DAYS", default=5),
    "sign_conclusion": env.int("DEADLINE_SIGN_CONCLUSION_DAYS", default=3),
    "draft_route": env.int("DEADLINE_DRAFT_ROUTE_DAYS", default=10),
    "sign_protocol": env.int("DEADLINE_SIGN_PROTOCOL_DAYS", default=3),
    "answer_changed_needs": env.int("DEADLINE_ANSWER_CHANGED_NEEDS_DAYS", default=5),
    "answer_consultation": env.int("DEADLINE_ANSWER_CONSULTATION_DAYS", default=5),
    # Regulation §8: an appeal against a decision of the centre is answered within this many working days.
    "answer_appeal": env.int("DEADLINE_ANSWER_APPEAL_DAYS", default=10),
    "review_after_mse_lapse": env.int("DEADLINE_REVIEW_AFTER_MSE_LAPSE_DAYS", default=10),
}
# The training report lists lecturers of students with routes in force who attended no training in this many years.
TRAINING_VALID_YEARS = env.int("TRAINING_VALID_YEARS", default=3)
# Days before a step's due date from which it appears in its owner's daily digest.
REMIND_DAYS_BEFORE = env.int("REMIND_DAYS_BEFORE", default=2)
# Reports never show a group smaller than this to anyone outside the centre (small groups identify people).
REPORT_MIN_GROUP_SIZE = env.int("REPORT_MIN_GROUP_SIZE", default=5)
# The dashboard's and the reports' figures are cached until the data changes, and never longer than this
# (inclusion_centre/figure_cache.py).
FIGURES_CACHE_SECONDS = env.int("FIGURES_CACHE_SECONDS", default=600)
# Working days (inclusion_centre/workdays.py): the public holidays of this country (KZ or KG) from the `holidays`
# package, every year; the decreed transfers of each year as "date=off" or "date=work" pairs (a weekday given off, a
# Saturday worked instead), e.g. WORKDAY_TRANSFERS=2027-01-08=off,2027-01-16=work; and any further days off.
WORKDAY_COUNTRY = env("WORKDAY_COUNTRY", default="KZ")
WORKDAY_TRANSFERS = env.dict("WORKDAY_TRANSFERS", default={})
HOLIDAYS = env.list("HOLIDAYS", default=[])

# --- Uploads -----------------------------------------------------------------------------------------------

UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
# An uploaded image may declare at most this many pixels (an A4 page scanned at 600 dpi is 35 million); Pillow's
# own limit for every image the process opens is set to the same (documents/apps.py).
UPLOAD_MAX_IMAGE_PIXELS = env.int("UPLOAD_MAX_IMAGE_PIXELS", default=40_000_000)
# The streams of an uploaded PDF may inflate to at most this many bytes together (documents/pdfcheck.py).
UPLOAD_PDF_MAX_INFLATED_BYTES = env.int("UPLOAD_PDF_MAX_INFLATED_BYTES", default=200 * 1024 * 1024)
# A ClamAV daemon that scans every stored upload: "tcp://host:3310" or a unix socket path. Unset: no scan. Set but
# unreachable: uploads are refused, never stored unscanned.
CLAMD = env("CLAMD", default="")
CLAMD_TIMEOUT = env.float("CLAMD_TIMEOUT", default=30.0)

_OIDC_ORIGINS = sorted(
    {
        f"{parts.scheme}://{parts.netloc}"
        for parts in map(urlsplit, [OIDC_ISSUER, OIDC_OP_END_SESSION_ENDPOINT])
        if parts.scheme and parts.netloc
    }
)

# --- Content Security Policy (django-csp 4) -----------------------------------------------------------------

# Everything is served by the app (no CDN, no inline script or style: htmx is configured from a meta tag and
# draws no indicator styles). QR codes are inline SVG, so no data: images are needed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        # NCALayer, the NCA's signing application on the user's own computer (qualified electronic signatures).
        "connect-src": ["'self'", "wss://127.0.0.1:13579"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        # Signing out of a session that came through the provider answers the form's POST with a redirect to the
        # provider's end_session_endpoint, which browsers check against form-action.
        "form-action": ["'self'", *_OIDC_ORIGINS],
        "frame-ancestors": ["'none'"],
    },
}

# Addresses (or networks) of the reverse proxies in front of the app. Only requests from these have their
# X-Forwarded-For believed, for the client address of the access log, the sign-in lockout and the verification
# page's rate limit (inclusion_centre.client_address).
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

# Where to report a security problem (an e-mail address or URL), named in SECURITY.md; the institution fills it.
SECURITY_CONTACT = env("SECURITY_CONTACT", default="")

# Where people reach the app: absolute links in e-mails, which are sent from workers that have no request.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# --- Scale benchmark (bench/run.py) -------------------------------------------------------------------------

# The floor page (/bench/floor/): a signed-in page that makes one query, to which the benchmark compares the others.
# Off (404) unless the benchmark's server turns it on.
BENCH_FLOOR = env.bool("BENCH_FLOOR", default=False)
# Every response says how many SQL queries it made (X-Queries header); for the benchmark's server only.
BENCH_QUERY_COUNT = env.bool("BENCH_QUERY_COUNT", default=False)
if BENCH_QUERY_COUNT:
    MIDDLEWARE = ["inclusion_centre.bench.QueryCountMiddleware", *MIDDLEWARE]
