"""factory_boy factories for the models of every app; tests build their data with these."""

import datetime

import factory
from django.contrib.auth.models import Group

from inclusion_centre.accounts.models import StaffProfile, User
from inclusion_centre.accounts.roles import Role
from students.models import (
    AcademicTerm,
    Course,
    Enrolment,
    Faculty,
    Programme,
    Representation,
    Student,
    StudyGroup,
    TeachingAssignment,
)

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.edu.kz")
    full_name = factory.Sequence(lambda n: f"Пайдаланушы Тестов {n}")
    preferred_language = "kk"
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*Group.objects.filter(name__in=[Role(r).value for r in extracted]))


class StaffProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffProfile

    user = factory.SubFactory(UserFactory)
    position_kk = "Маман"


class FacultyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Faculty
        django_get_or_create = ["external_id"]

    external_id = factory.Sequence(lambda n: f"F-{n}")
    name_kk = factory.Sequence(lambda n: f"Факультет {n}")
    name_ru = factory.Sequence(lambda n: f"Факультет {n} (ru)")


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    external_id = factory.Sequence(lambda n: f"P-{n}")
    faculty = factory.SubFactory(FacultyFactory)
    code = factory.Sequence(lambda n: f"6B0{n:04d}")
    name_kk = factory.Sequence(lambda n: f"Бағдарлама {n}")


class StudyGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StudyGroup

    external_id = factory.Sequence(lambda n: f"G-{n}")
    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"ТОП-{n}")
    admission_year = 2025


class AcademicTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AcademicTerm

    external_id = factory.Sequence(lambda n: f"T-{n}")
    academic_year = factory.Sequence(lambda n: f"{2000 + n}-{2001 + n}")
    number = 1
    starts_on = factory.LazyAttribute(lambda o: datetime.date(int(o.academic_year[:4]), 9, 1))
    ends_on = factory.LazyAttribute(lambda o: datetime.date(int(o.academic_year[:4]), 12, 31))


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    external_id = factory.Sequence(lambda n: f"C-{n}")
    code = factory.Sequence(lambda n: f"CRS{n:04d}")
    name_kk = factory.Sequence(lambda n: f"Пән {n}")
    name_ru = factory.Sequence(lambda n: f"Дисциплина {n}")
    name_en = factory.Sequence(lambda n: f"Course {n}")


class TeachingAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeachingAssignment

    lecturer = factory.SubFactory(UserFactory, roles=[Role.LECTURER])
    course = factory.SubFactory(CourseFactory)
    term = factory.SubFactory(AcademicTermFactory)


class StudentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Student

    user = factory.SubFactory(UserFactory, roles=[Role.STUDENT])
    external_id = factory.Sequence(lambda n: f"S-{n:06d}")
    programme = factory.SubFactory(ProgrammeFactory)
    group = factory.SubFactory(StudyGroupFactory, programme=factory.SelfAttribute("..programme"))
    year_of_study = 2


class RepresentationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Representation

    student = factory.SubFactory(StudentFactory)
    representative = factory.SubFactory(UserFactory, roles=[Role.REPRESENTATIVE])
    relationship = Representation.Relationship.PARENT


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    student = factory.SubFactory(StudentFactory)
    course = factory.SubFactory(CourseFactory)
    term = factory.SubFactory(AcademicTermFactory)


def pdf_bytes(text: str = "test") -> bytes:
    """A tiny but well-formed PDF (with its cross-reference table: uploads are read object by object)."""
    objects = [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[]/Count 0>>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj" % number + body + b"endobj\n"
    out += b"% " + text.encode() + b"\n"
    xref = len(out)
    out += b"xref\n0 3\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer<</Size 3/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def png_bytes() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, "PNG")
    return buffer.getvalue()


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A draft filed by the student. Use the services to move it: they write the timeline and the grants."""

    class Meta:
        model = "students.Application"

    student = factory.SubFactory(StudentFactory)
    filed_by = factory.SelfAttribute("student.user")
    filed_as = "student"
    description = "Маған дәрістерде ірі қаріп керек. MARKER-HEALTH"


def fill_application(application, actor, *, codes=("visual", "hearing"), description="Нашар көремін. MARKER-HEALTH"):
    """Answer a draft's questions through the service, as the applicant would."""
    from students import services
    from students.models import NeedCategory

    return services.application_update(
        application=application,
        actor=actor,
        categories=list(NeedCategory.objects.filter(code__in=codes)),
        description=description,
        conditions=[],
        conditions_other="",
        disability_group="II",
        contact_channel="email",
        contact_phone="",
        contact_notes="",
    )


def submitted_application(student_user, **answers):
    """A student's own application, filled, with consent, sent to the centre."""
    from students import services

    application = services.application_start(actor=student_user, student=student_user.student)
    fill_application(application, student_user, **answers)
    services.consent_give(application=application, actor=student_user, language="kk")
    return services.application_submit(application=application, actor=student_user)


def conclude_case(application, *, centre_head, specialist, adaptations=("extra_time", "large_print")):
    """A registered case taken through assessment to a signed conclusion by the services: what the centre does
    before a route can be drafted. Returns the application, refreshed."""
    from routes import services as route_services
    from routes.models import Adaptation

    assignment = route_services.assignment_add(
        application=application, specialist=specialist, area="cognitive", actor=centre_head
    )
    route_services.assessment_save(
        assessment=assignment.assessment,
        actor=specialist,
        findings="Reads slowly; large print helps.",
        strengths="",
        barriers="",
        adaptations=list(Adaptation.objects.filter(code__in=adaptations)),
        free_texts=[],
    )
    route_services.assessment_finish(assessment=assignment.assessment, actor=specialist)
    conclusion = route_services.conclusion_draft(application=application, actor=specialist)
    route_services.conclusion_update(
        conclusion=conclusion,
        actor=specialist,
        analysis="The student needs large print and extra time.",
        support_level="2",
        revision_reason="",
        keep_items=list(conclusion.items.values_list("pk", flat=True)),
    )
    route_services.conclusion_sign(conclusion=conclusion, actor=centre_head)
    application.refresh_from_db()
    return application
