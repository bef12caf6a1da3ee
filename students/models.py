"""The academic structure the centre works inside, as the student information system exports it.

Every row carries the external identifier it has in that system, so imports can be repeated without creating
duplicates. Names come in Kazakh (required), Russian and English; `__str__` shows the reader's language.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase

from inclusion_centre.history import tracked


class LocalizedName(models.Model):
    name_kk = models.CharField(_("name (Kazakh)"), max_length=300)
    name_ru = models.CharField(_("name (Russian)"), max_length=300, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    name_ky = models.CharField(_("name (Kyrgyz)"), max_length=300, blank=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        language = (get_language() or "kk")[:2]
        # Without a Kyrgyz name, Kyrgyz readers get the Russian one, the language the two systems share.
        preferred = {
            "ru": self.name_ru,
            "ky": self.name_ky or self.name_ru,
            "en": self.name_en or self.name_ru,
        }.get(language)
        return preferred or self.name_kk


class Faculty(LocalizedName):
    external_id = models.CharField(_("external identifier"), max_length=64, unique=True)

    history = tracked()

    class Meta:
        verbose_name = _("faculty")
        verbose_name_plural = _("faculties")
        ordering = ["name_kk"]


class Programme(LocalizedName):
    class Level(models.TextChoices):
        BACHELOR = "bachelor", _("Bachelor's")
        MASTER = "master", _("Master's")
        DOCTORAL = "doctoral", _("Doctoral")

    external_id = models.CharField(_("external identifier"), max_length=64, unique=True)
    faculty = models.ForeignKey(Faculty, on_delete=models.PROTECT, related_name="programmes", verbose_name=_("faculty"))
    code = models.CharField(_("code"), max_length=32, help_text=_("For example 6B01901."))
    level = models.CharField(_("level"), max_length=16, choices=Level.choices, default=Level.BACHELOR)

    history = tracked()

    class Meta:
        verbose_name = _("educational programme")
        verbose_name_plural = _("educational programmes")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class StudyGroup(models.Model):
    external_id = models.CharField(_("external identifier"), max_length=64, unique=True)
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="groups", verbose_name=_("programme")
    )
    name = models.CharField(_("name"), max_length=64)
    admission_year = models.PositiveSmallIntegerField(_("year of admission"))

    history = tracked()

    class Meta:
        verbose_name = _("study group")
        verbose_name_plural = _("study groups")
        ordering = ["name"]

    def __str__(self):
        return self.name


class AcademicTerm(models.Model):
    external_id = models.CharField(_("external identifier"), max_length=64, unique=True)
    academic_year = models.CharField(_("academic year"), max_length=9, help_text=_("For example 2026-2027."))
    number = models.PositiveSmallIntegerField(_("term number"), help_text=_("1 for autumn, 2 for spring."))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    history = tracked()

    class Meta:
        verbose_name = _("academic term")
        verbose_name_plural = _("academic terms")
        ordering = ["-starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["academic_year", "number"], name="students_term_year_number_unique"),
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="students_term_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(number__gte=1, number__lte=3), name="students_term_number_range"),
        ]

    def __str__(self):
        return _("%(year)s, term %(number)s") % {"year": self.academic_year, "number": self.number}


class Course(LocalizedName):
    """A discipline of the curriculum."""

    external_id = models.CharField(_("external identifier"), max_length=64, unique=True)
    code = models.CharField(_("code"), max_length=32)
    credits = models.PositiveSmallIntegerField(_("credits (ECTS)"), default=5)

    history = tracked()

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class TeachingAssignment(models.Model):
    """A lecturer teaches a course in a term: who agrees that course's section of a route."""

    lecturer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="teaching_assignments",
        verbose_name=_("lecturer"),
    )
    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, related_name="teaching_assignments", verbose_name=_("course")
    )
    term = models.ForeignKey(
        AcademicTerm, on_delete=models.PROTECT, related_name="teaching_assignments", verbose_name=_("term")
    )

    history = tracked()

    class Meta:
        verbose_name = _("teaching assignment")
        verbose_name_plural = _("teaching assignments")
        constraints = [
            models.UniqueConstraint(fields=["lecturer", "course", "term"], name="students_teaching_unique"),
        ]

    def __str__(self):
        return f"{self.lecturer} — {self.course} ({self.term})"


class Student(models.Model):
    """A student as the centre knows them: the person (user) and where they study."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="student", verbose_name=_("user")
    )
    external_id = models.CharField(_("external identifier"), max_length=64, unique=True)
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="students", verbose_name=_("programme")
    )
    group = models.ForeignKey(
        StudyGroup,
        on_delete=models.PROTECT,
        related_name="students",
        verbose_name=_("study group"),
        null=True,
        blank=True,
    )
    year_of_study = models.PositiveSmallIntegerField(_("year of study"))
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    representatives = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Representation",
        related_name="represented_students",
        verbose_name=_("legal representatives"),
        blank=True,
    )

    history = tracked()

    class Meta:
        verbose_name = _("student")
        verbose_name_plural = _("students")
        ordering = ["user__full_name"]
        # Object grant of a legal representative (students/grants.py).
        permissions = [("act_for_student", _("Can act for the student (legal representative)"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(year_of_study__gte=1, year_of_study__lte=7), name="students_year_of_study_range"
            ),
        ]

    def __str__(self):
        return str(self.user)


class Representation(models.Model):
    """A parent or guardian acts for a student (regulation §6.1)."""

    class Relationship(models.TextChoices):
        PARENT = "parent", _("Parent")
        GUARDIAN = "guardian", _("Guardian")
        TRUSTEE = "trustee", _("Trustee")
        OTHER = "other", _("Other legal representative")

    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="representations", verbose_name=_("student")
    )
    representative = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="representations",
        verbose_name=_("representative"),
    )
    relationship = models.CharField(_("relationship"), max_length=16, choices=Relationship.choices)

    history = tracked()

    class Meta:
        verbose_name = _("legal representation")
        verbose_name_plural = _("legal representations")
        constraints = [
            models.UniqueConstraint(fields=["student", "representative"], name="students_representation_unique"),
        ]

    def __str__(self):
        return f"{self.representative} → {self.student}"


# Object grants (inclusion_centre/accounts/grants.py) in direct foreign-key tables (django-guardian "Performance
# tuning"): the generic table would make list pages slow and leave orphans when the object is deleted. Grants go to
# users only, never to groups.
class StudentUserObjectPermission(UserObjectPermissionBase):
    """`act_for_student`: a legal representative, while the representation lasts (students/grants.py)."""

    content_object = models.ForeignKey(Student, on_delete=models.CASCADE)


class Enrolment(models.Model):
    """A student takes a course in a term: which sections a route for that term has."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("student"))
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("course"))
    term = models.ForeignKey(AcademicTerm, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("term"))

    history = tracked()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["student", "course", "term"], name="students_enrolment_unique"),
        ]

    def __str__(self):
        return f"{self.student} — {self.course} ({self.term})"


# --- Applications ------------------------------------------------------------------------------------------


class CatalogueEntry(LocalizedName):
    """A configurable, translated list entry. Retired entries stay readable in old applications."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        abstract = True
        ordering = ["order", "code"]


class NeedCategory(CatalogueEntry):
    history = tracked()

    class Meta(CatalogueEntry.Meta):
        verbose_name = _("category of needs")
        verbose_name_plural = _("categories of needs")


class ConditionOption(CatalogueEntry):
    """A condition a student may ask for in an application (the checklist of the application form)."""

    history = tracked()

    class Meta(CatalogueEntry.Meta):
        verbose_name = _("condition that can be asked for")
        verbose_name_plural = _("conditions that can be asked for")


class ConsentText(models.Model):
    """A version of the text of consent to the processing of personal data, in every interface language."""

    version = models.CharField(_("version"), max_length=20, unique=True)
    effective_from = models.DateField(_("in force from"))
    text_kk = models.TextField(_("text (Kazakh)"))
    text_ru = models.TextField(_("text (Russian)"))
    text_en = models.TextField(_("text (English)"))
    text_ky = models.TextField(_("text (Kyrgyz)"))

    history = tracked()

    class Meta:
        verbose_name = _("consent text")
        verbose_name_plural = _("consent texts")
        ordering = ["-effective_from", "-pk"]

    def __str__(self):
        return self.version

    def text_in(self, language: str) -> str:
        return getattr(self, f"text_{(language or 'kk')[:2]}", "") or self.text_kk


class Application(models.Model):
    """An application for inclusive-education conditions (regulation §6.1, §10)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        REGISTERED = "registered", _("Registered")
        UNDER_ASSESSMENT = "under_assessment", _("Under assessment")
        CONCLUDED = "concluded", _("Conclusion issued")
        CLOSED = "closed", _("Closed")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        # A second case opened while one was open: the centre merges it into the open case, or rejects it.
        MERGED = "merged", _("Merged into the open case")
        DUPLICATE = "duplicate", _("Rejected as a duplicate")

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online")
        PAPER = "paper", _("On paper, at the chancellery")

    class FiledAs(models.TextChoices):
        STUDENT = "student", _("The student")
        REPRESENTATIVE = "representative", _("A legal representative")
        LECTURER = "lecturer", _("A lecturer (referral)")
        CENTRE = "centre", _("The centre (paper application)")

    class DisabilityGroup(models.TextChoices):
        NOT_DECLARED = "", _("Not declared")
        GROUP_I = "I", _("Group I")
        GROUP_II = "II", _("Group II")
        GROUP_III = "III", _("Group III")
        CHILDHOOD = "childhood", _("Disabled since childhood")

    class ContactChannel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        PHONE = "phone", _("Phone call")
        SMS = "sms", _("Text message")
        IN_APP = "in_app", _("Only in this system")

    public_id = models.UUIDField(_("public identifier"), default=uuid.uuid4, unique=True, editable=False)
    student = models.ForeignKey(
        Student, on_delete=models.PROTECT, related_name="applications", verbose_name=_("student")
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="filed_applications",
        verbose_name=_("filed by"),
    )
    filed_as = models.CharField(_("filed as"), max_length=16, choices=FiledAs.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default=Channel.ONLINE)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)

    categories = models.ManyToManyField(NeedCategory, verbose_name=_("categories of needs"), blank=True)
    description = models.TextField(_("your needs in your own words"), blank=True)
    referral_note = models.TextField(_("what the referring lecturer noticed"), blank=True)
    conditions = models.ManyToManyField(ConditionOption, verbose_name=_("conditions asked for"), blank=True)
    conditions_other = models.TextField(_("other conditions"), blank=True)
    disability_group = models.CharField(
        _("disability group"), max_length=10, choices=DisabilityGroup.choices, blank=True, default=""
    )
    contact_channel = models.CharField(
        _("how to contact you"), max_length=8, choices=ContactChannel.choices, default=ContactChannel.EMAIL
    )
    contact_phone = models.CharField(_("phone number"), max_length=40, blank=True)
    contact_notes = models.CharField(_("anything we should know when contacting you"), max_length=500, blank=True)

    registration_number = models.CharField(_("registration number"), max_length=40, unique=True, null=True, blank=True)
    received_on = models.DateField(_("received on paper on"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    registered_at = models.DateTimeField(_("registered at"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("duplicate of the case"),
        help_text=_("The open case this application was merged into, or rejected as a duplicate of."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Set by routes.retention when the case's personal data was removed after the retention period.
    anonymised_at = models.DateTimeField(_("personal data removed at"), null=True, blank=True)

    history = tracked(m2m_fields=[categories, conditions])

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at"]
        permissions = [
            ("view_application_status", _("Can see the status of an application (referring lecturer)")),
            ("register_application", _("Can register and reject applications")),
            # Object grant of the specialists assigned to the case: its assessments, conclusion and routes.
            ("assess_application", _("Can work on the case as a specialist assigned to it")),
        ]
        indexes = [
            models.Index(fields=["status", "submitted_at"]),
            # The centre's inbox, newest first: read 25 rows down the index instead of sorting every case.
            models.Index(fields=["-submitted_at", "-id"], name="students_app_inbox_idx"),
        ]

    def __str__(self):
        return self.registration_number or str(_("Application (not registered yet)"))

    @classmethod
    def final_statuses(cls) -> frozenset[str]:
        S = cls.Status
        return frozenset({S.CLOSED, S.REJECTED, S.WITHDRAWN, S.MERGED, S.DUPLICATE})

    @property
    def is_final(self) -> bool:
        return self.status in self.final_statuses()

    @property
    def case_label(self) -> str:
        """What tells two cases of one student apart in a list: the number, else the date it was sent (or begun)."""
        if self.registration_number:
            return self.registration_number
        when = self.submitted_at or self.created_at
        if when is None:
            return ""
        return str(_("application of %(date)s") % {"date": timezone.localtime(when).strftime("%d.%m.%Y")})

    @property
    def is_unsubmitted(self) -> bool:
        """Never sent to the centre: a draft, or a draft withdrawn before it was sent. It is its authors' alone
        (students.permissions.hidden_draft)."""
        return self.status == self.Status.DRAFT or (self.status == self.Status.WITHDRAWN and self.submitted_at is None)

    @classmethod
    def unsubmitted_q(cls, prefix: str = "") -> Q:
        """`is_unsubmitted` as a database condition; `prefix` reaches the application from a related model
        ("application__")."""
        return Q(**{f"{prefix}status": cls.Status.DRAFT}) | Q(
            **{f"{prefix}status": cls.Status.WITHDRAWN, f"{prefix}submitted_at__isnull": True}
        )


class Consent(models.Model):
    """Consent to the processing of personal data, given for one application (Law No. 94-V)."""

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online, in this system")
        PAPER = "paper", _("On paper, signed at the chancellery")

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="consent", verbose_name=_("application")
    )
    text = models.ForeignKey(ConsentText, on_delete=models.PROTECT, related_name="+", verbose_name=_("text version"))
    language = models.CharField(_("language shown"), max_length=5)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    given_at = models.DateTimeField(_("given at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("withdrawn by"),
    )
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)

    history = tracked()

    class Meta:
        verbose_name = _("consent to processing of personal data")
        verbose_name_plural = _("consents to processing of personal data")

    def __str__(self):
        return f"{self.text.version} {self.given_at:%Y-%m-%d}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


def _document_path(instance: "SupportingDocument", filename: str) -> str:
    # The uploaded name is never used on disk: a random name with the extension of the sniffed type.
    return f"applications/{instance.application.public_id}/{uuid.uuid4().hex}{instance.extension}"


class SupportingDocument(models.Model):
    """A file attached to an application: a medical-social expertise conclusion, a certificate, a paper scan."""

    class Kind(models.TextChoices):
        MSE_CONCLUSION = "mse", _("Medical-social expertise (MSE) conclusion")
        DISABILITY_CERTIFICATE = "disability", _("Certificate of disability or limited health capacity")
        SPECIALIST_CERTIFICATE = "specialist", _("Certificate from a specialist")
        PAPER_APPLICATION = "paper_scan", _("Scan of the paper application")
        OTHER = "other", _("Other document")

    EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
    MEDICAL_KINDS = frozenset({Kind.MSE_CONCLUSION, Kind.DISABILITY_CERTIFICATE, Kind.SPECIALIST_CERTIFICATE})

    public_id = models.UUIDField(_("public identifier"), default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="documents", verbose_name=_("application")
    )
    kind = models.CharField(_("kind of document"), max_length=16, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=_document_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(_("file type"), max_length=40)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    history = tracked()

    class Meta:
        verbose_name = _("supporting document")
        verbose_name_plural = _("supporting documents")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.original_name}"

    @property
    def extension(self) -> str:
        return self.EXTENSIONS.get(self.content_type, ".bin")


class ApplicationUserObjectPermission(UserObjectPermissionBase):
    """`view_application`: the student, their representatives, the specialists assigned; `view_application_status`:
    a referring lecturer; `assess_application`: the specialists assigned."""

    content_object = models.ForeignKey(Application, on_delete=models.CASCADE)


class MseConclusion(models.Model):
    """The medical-social expertise (MSE) conclusion's validity (regulation §2.3, §10 e): the disability group it
    sets and the date it must be re-examined by. Thirty days before that date the student and the centre are
    reminded; on that date it lapses and the route in force is reviewed (routes/services/mse.py)."""

    class Status(models.TextChoices):
        VALID = "valid", pgettext_lazy("state of an MSE conclusion", "Valid")
        REMINDED = "reminded", _("Lapses soon: reminded")
        LAPSED = "lapsed", pgettext_lazy("state of an MSE conclusion", "Lapsed")

    student = models.OneToOneField(Student, on_delete=models.CASCADE, related_name="mse", verbose_name=_("student"))
    disability_group = models.CharField(
        _("disability group"),
        max_length=10,
        choices=Application.DisabilityGroup.choices,
        blank=True,
        default="",
    )
    valid_until = models.DateField(_("re-examination date (valid until)"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.VALID)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    lapsed_at = models.DateTimeField(_("lapsed at"), null=True, blank=True)

    history = tracked()

    class Meta:
        verbose_name = _("MSE conclusion validity")
        verbose_name_plural = _("MSE conclusion validities")
        indexes = [models.Index(fields=["status", "valid_until"])]

    def __str__(self):
        return f"{self.student} — {self.valid_until:%d.%m.%Y}"
