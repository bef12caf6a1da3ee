import re
from collections.abc import Callable
from contextvars import ContextVar
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.sessions.base_session import AbstractBaseSession
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from inclusion_centre.history import tracked

from .roles import STAFF_ROLES, Role

# The user the session store read with the session (preload.py), while auth.get_user runs: UserManager.get answers
# ModelBackend.get_user's read of that user from it.
preloaded_user: ContextVar = ContextVar("preloaded_user", default=None)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)

    def get(self, *args, **kwargs):
        # Signing a request in, Django's backend reads the session's user by id: the session store read it already.
        user = preloaded_user.get()
        if user is not None and not args and kwargs.keys() == {"pk"} and str(kwargs["pk"]) == str(user.pk):
            return user
        return super().get(*args, **kwargs)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. Roles are groups (see roles.py); one person may hold several."""

    class Language(models.TextChoices):
        KAZAKH = "kk", _("Kazakh")
        RUSSIAN = "ru", _("Russian")
        ENGLISH = "en", _("English")
        KYRGYZ = "ky", _("Kyrgyz")

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    # Individual identification number: a qualified electronic signature (ЭЦП) is accepted only from the
    # certificate that names this IIN (documents/signatures/).
    iin = models.CharField(
        _("IIN"),
        max_length=12,
        blank=True,
        validators=[RegexValidator(r"^\d{12}$", _("An IIN is 12 digits."))],
        help_text=_("Individual identification number, as in the person's signing certificate."),
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=Language.choices, default=Language.KAZAKH
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("may use the administration site"),
        default=False,
        help_text=_("For system administrators: gives access to the Django administration site."),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    notify_by_email = models.BooleanField(_("send notifications by e-mail"), default=True)
    # Display preferences, remembered per user and applied as classes on <html> (see base.html, app.css).
    large_text = models.BooleanField(_("large text"), default=False)
    high_contrast = models.BooleanField(_("high contrast"), default=False)

    # Roles (groups) and direct permissions are who may see what: their changes are kept with who made them.
    history = tracked(excluded_fields=["password", "last_login"], m2m_fields=["groups", "user_permissions"])

    objects = UserManager()

    # (user) -> None: reads the user's roles and permissions into the caches role_names and ModelBackend keep.
    # preload.load_access, handed over by AccountsConfig.ready(): preload.py keeps every reliance on the libraries'
    # private names in one module, which reads these models.
    access_loader: ClassVar[Callable[["User"], None]]

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["full_name", "email"]
        constraints = [models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique")]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def role_names(self) -> frozenset[str]:
        """The user's roles; cached on the instance so a page asks the database once (with the permissions)."""
        if not hasattr(self, "_role_names"):
            self.access_loader(self)
        return self._role_names

    def _load_access(self) -> None:
        if self.is_active and not self.is_superuser and self.pk is not None and not hasattr(self, "_perm_cache"):
            self.access_loader(self)

    def has_perm(self, perm, obj=None):
        if obj is None:
            self._load_access()  # ModelBackend then answers from the caches it keeps
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label):
        self._load_access()
        return super().has_module_perms(app_label)

    def get_all_permissions(self, obj=None):
        if obj is None:
            self._load_access()
        return super().get_all_permissions(obj)

    def has_role(self, role: Role | str) -> bool:
        return str(role) in self.role_names

    @property
    def roles(self) -> list[Role]:
        return [role for role in Role if role.value in self.role_names]

    @property
    def is_centre_staff(self) -> bool:
        return bool(self.role_names & {r.value for r in STAFF_ROLES})


class StaffProfile(models.Model):
    """What a member of staff does: their position and, for centre specialists, their profession."""

    class Specialty(models.TextChoices):
        PSYCHOLOGIST = "psychologist", _("Psychologist")
        SPECIAL_PEDAGOGUE = "special_pedagogue", _("Special pedagogue (defectologist)")
        SPEECH_THERAPIST = "speech_therapist", _("Speech therapist")
        SOCIAL_PEDAGOGUE = "social_pedagogue", _("Social pedagogue")
        TUTOR = "tutor", _("Tutor")

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="staff_profile", verbose_name=_("user"))
    # The position in each language the centre works in: pages show the reader's, printed documents the document's
    # (`position` reads the active language, falling back to the others). Missing ones fall back, never show blank.
    position_kk = models.CharField(_("position (Kazakh)"), max_length=200, blank=True)
    position_ru = models.CharField(_("position (Russian)"), max_length=200, blank=True)
    position_en = models.CharField(_("position (English)"), max_length=200, blank=True)
    position_ky = models.CharField(_("position (Kyrgyz)"), max_length=200, blank=True)
    specialty = models.CharField(
        _("specialist area"),
        max_length=30,
        choices=Specialty.choices,
        blank=True,
        help_text=_("For centre specialists only."),
    )
    phone = models.CharField(_("work phone"), max_length=40, blank=True)

    history = tracked()

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self):
        return f"{self.user} — {self.position}" if self.position else str(self.user)

    def position_in(self, language: str | None) -> str:
        """The position in `language`, else in the first of kk, ru, en, ky that is filled in; blank if none is."""
        order = [language, *POSITION_LANGUAGES] if language in POSITION_LANGUAGES else POSITION_LANGUAGES
        return next((value for code in order if (value := getattr(self, f"position_{code}"))), "")

    @property
    def position(self) -> str:
        """The position in the active language (the reader's on a page, the document's while a PDF is rendered)."""
        return self.position_in(translation.get_language())

    @position.setter
    def position(self, value: str) -> None:
        # For callers that know one text without its language (imports, the demo): it goes where its letters say.
        setattr(self, f"position_{guess_language(value)}", value)


POSITION_LANGUAGES = ["kk", "ru", "en", "ky"]
_KAZAKH_ONLY = re.compile("[әғқұһіӘҒҚҰҺІ]")
_KYRGYZ_OR_KAZAKH = re.compile("[ңөүҢӨҮ]")
_RUSSIAN_MARKS = re.compile(r"[ёъэщьЁЪЭЩ]|(ий|ый|ой|ая)\b", re.IGNORECASE)
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def guess_language(text: str) -> str:
    """Which language a short text (a position) is in, by its letters: Kazakh-only letters say kk; ң, ө, ү without
    them say ky; Latin letters alone say en; Russian-only letters or endings say ru; anything else is taken for the
    default language (a Kazakh word without its special letters, such as "Маман", looks like no other)."""
    if _KAZAKH_ONLY.search(text):
        return "kk"
    if _KYRGYZ_OR_KAZAKH.search(text):
        return "ky"
    if text.strip() and not _CYRILLIC.search(text):
        return "en"
    if _RUSSIAN_MARKS.search(text):
        return "ru"
    return settings.LANGUAGE_CODE if settings.LANGUAGE_CODE in POSITION_LANGUAGES else "kk"


class Notification(models.Model):
    """One message to one user about an event in a case.

    Subject and body are stored already rendered in the recipient's language (see notifications.notify), so the
    page and the e-mail read the same whatever language the recipient browses in later.
    """

    recipient = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind of event"), max_length=60, help_text=_("A code such as application_submitted."))
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("message text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    email_wanted = models.BooleanField(_("e-mail wanted"), default=False)
    # NULL for notifications that may repeat; a key such as "application_submitted:42:7" otherwise, so the same
    # event (a retried task, a double click) cannot notify the same person twice.
    dedup_key = models.CharField(_("deduplication key"), max_length=200, null=True, blank=True, unique=True)
    # An iCalendar text (RFC 5545) e-mailed as an .ics attachment, e.g. a team meeting invitation; blank for most.
    calendar = models.TextField(_("calendar attachment (iCalendar)"), blank=True)

    history = tracked()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The inbox: a user's unread ones (the count in the menu) and their list, newest first.
            models.Index(fields=["recipient", "read_at", "-created_at"], name="accounts_notification_inbox"),
        ]

    def __str__(self):
        return self.subject

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class UserSession(AbstractBaseSession):
    """A signed-in session (see sessions.py): Django's session row plus the user it belongs to.

    No history: a session is not a record of the case, and its key is a secret that must not be copied anywhere.
    """

    # A reference without a database constraint: a session row outlives nothing and blocks nothing (it was a plain
    # integer column before; migration 0012 changed only Django's view of it). The session store reads the user
    # with the session through it (preload.py).
    user = models.ForeignKey(
        "accounts.User",
        verbose_name=_("user"),
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    @classmethod
    def get_session_store_class(cls):
        return import_string(f"{settings.SESSION_ENGINE}.SessionStore")


class Invitation(models.Model):
    """An e-mail asking a person whose account was made for them (by the import or the centre) to set a password.

    The link carries a one-time, expiring token (invitations.InvitationTokenGenerator), not stored here: it stops
    working once a password is set. This row records who invited whom, when it left, and when it was used.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("user"))
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("invited by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("password set at"), null=True, blank=True)

    history = tracked()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return str(self.user)


class ExternalIdentity(models.Model):
    """A person's account at the university's sign-in (an OpenID provider or the directory), linked to our user.

    Made the first time they sign in there and matched (provisioning.py); later sign-ins find the user through it.
    The subject is the provider's own stable id (OIDC `sub`, the directory's DN), never an e-mail address.
    """

    class Source(models.TextChoices):
        OIDC = "oidc", _("OpenID Connect")
        LDAP = "ldap", _("Directory (LDAP / Active Directory)")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="external_identities", verbose_name=_("user"))
    source = models.CharField(_("sign-in source"), max_length=10, choices=Source.choices)
    issuer = models.CharField(_("issuer"), max_length=300, help_text=_("The provider's issuer or directory address."))
    subject = models.CharField(_("subject"), max_length=300, help_text=_("The provider's stable id of the person."))
    linked_at = models.DateTimeField(_("linked at"), default=timezone.now)
    last_sign_in_at = models.DateTimeField(_("last signed in at"), null=True, blank=True)

    history = tracked(excluded_fields=["last_sign_in_at"])

    class Meta:
        verbose_name = _("external sign-in account")
        verbose_name_plural = _("external sign-in accounts")
        constraints = [
            models.UniqueConstraint(fields=["source", "issuer", "subject"], name="accounts_external_identity_unique")
        ]

    def __str__(self):
        return f"{self.get_source_display()}: {self.subject}"
