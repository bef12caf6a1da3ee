"""The academic structure the centre works inside, as the student information system exports it.

Every row carries the external identifier it has in that system, so imports can be repeated without creating
duplicates. Names come in Kazakh (required), Russian and English; `__str__` shows the reader's language.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from audit.history import tracked


class LocalizedName(models.Model):
    name_kk = models.CharField(_("name (Kazakh)"), max_length=300)
    name_ru = models.CharField(_("name (Russian)"), max_length=300, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        language = (get_language() or "kk")[:2]
        # Kyrgyz readers get the Russian name: the lingua franca of the two systems, closer than Kazakh.
        preferred = {"ru": self.name_ru, "ky": self.name_ru, "en": self.name_en or self.name_ru}.get(language)
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
    faculty = models.ForeignKey(
        Faculty, on_delete=models.PROTECT, related_name="programmes", verbose_name=_("faculty")
    )
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
            models.UniqueConstraint(
                fields=["academic_year", "number"], name="students_term_year_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="students_term_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=3), name="students_term_number_range"
            ),
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
            models.UniqueConstraint(
                fields=["student", "representative"], name="students_representation_unique"
            ),
        ]

    def __str__(self):
        return f"{self.representative} → {self.student}"


class Enrolment(models.Model):
    """A student takes a course in a term: which sections a route for that term has."""

    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("student")
    )
    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("course")
    )
    term = models.ForeignKey(
        AcademicTerm, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("term")
    )

    history = tracked()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["student", "course", "term"], name="students_enrolment_unique"),
        ]

    def __str__(self):
        return f"{self.student} — {self.course} ({self.term})"


# Direct foreign-key object permissions (django-guardian "Performance tuning"): the generic tables would make
# list pages slow and leave orphans when a student is deleted.
class StudentUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Student, on_delete=models.CASCADE)


class StudentGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Student, on_delete=models.CASCADE)
