"""Persona fixtures, one per role of DOMAIN.md, and an outsider who holds no role."""

import importlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from guardian.shortcuts import assign_perm

from inclusion_centre.accounts.roles import Role
from students import services

from . import factories
from .factories import PASSWORD, fill_application, pdf_bytes


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = settings.PRIVATE_FILES_ROOT
    settings.AUDIT_ANCHOR_FILE = tmp_path / "audit-anchor.txt"  # never the machine's own kept heads
    settings.ARCHIVE_HANDOVER_ROOT = tmp_path / "archive-handover"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: a page cached by an earlier test (the dashboard's figures) describes
    rows that test's rollback removed."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="session")
def _migrated_apps():
    """The app registry as the migrations leave it: what data migrations receive."""
    from django.db.migrations.loader import MigrationLoader

    return MigrationLoader(None, ignore_no_migrations=True).project_state().apps


@pytest.fixture
def migrated_data(transactional_db, _migrated_apps):
    """For transactional tests: put back the rows data migrations made (role groups, catalogues, consent text).

    A transactional test ends with a flush that empties every table; the flush re-creates content types and
    permissions (post_migrate) but not what data migrations wrote. Serialized rollback would restore them, but it
    breaks as soon as transactional tests of both kinds share a run, so each such test asks for this instead.
    """
    from django.contrib.contenttypes.models import ContentType

    from inclusion_centre.accounts.roles import sync_roles

    ContentType.objects.clear_cache()  # ids change when the flush re-creates the rows
    sync_roles(_migrated_apps)
    ContentType.objects.clear_cache()
    importlib.import_module("students.migrations.0003_catalogues_and_consent").seed(_migrated_apps, None)
    importlib.import_module("routes.migrations.0002_adaptation_catalogue").seed(_migrated_apps, None)
    importlib.import_module("routes.migrations.0008_service_requests").create_queues(_migrated_apps, None)


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def term(db):
    return factories.AcademicTermFactory(academic_year="2026-2027")


@pytest.fixture
def student(db):
    """A student user with their Student record."""
    return factories.StudentFactory(user__full_name="Студент Тестов").user


@pytest.fixture
def other_student(db):
    return factories.StudentFactory(user__full_name="Басқа Студент").user


@pytest.fixture
def representative(db, student):
    """A legal representative of `student`."""
    return factories.RepresentationFactory(student=student.student).representative


@pytest.fixture
def specialist(db):
    user = factories.UserFactory(roles=[Role.SPECIALIST], full_name="Маман Психолог")
    factories.StaffProfileFactory(user=user, position="Психолог", specialty="psychologist")
    return user


@pytest.fixture
def centre_head(db):
    user = factories.UserFactory(roles=[Role.CENTRE_HEAD], full_name="Орталық Басшысы")
    factories.StaffProfileFactory(user=user, position="Орталық басшысы")
    return user


@pytest.fixture
def lecturer(db, term):
    """A lecturer who teaches one course in `term`."""
    user = factories.UserFactory(roles=[Role.LECTURER], full_name="Оқытушы Ахметова")
    factories.TeachingAssignmentFactory(lecturer=user, term=term)
    return user


@pytest.fixture
def administration(db):
    return factories.UserFactory(roles=[Role.ADMINISTRATION], full_name="Проректор Сейітов")


@pytest.fixture
def auditor(db):
    return factories.UserFactory(roles=[Role.AUDITOR], full_name="Аудитор Қасымова")


@pytest.fixture
def sysadmin(db):
    return factories.UserFactory(roles=[Role.SYSADMIN], full_name="Жүйе Әкімшісі", is_staff=True)


@pytest.fixture
def exam_office(db):
    return factories.UserFactory(roles=[Role.EXAM_OFFICE], full_name="Емтихан Бөлімі", is_staff=True)


@pytest.fixture
def outsider(db):
    """Signed in, but holds no role and owns nothing."""
    return factories.UserFactory(full_name="Бөгде Адам")


PERSONAS = [
    "student",
    "representative",
    "specialist",
    "centre_head",
    "lecturer",
    "administration",
    "auditor",
    "sysadmin",
    "outsider",
]


@pytest.fixture(params=PERSONAS)
def persona(request):
    """Each persona in turn: (name, user)."""
    return request.param, request.getfixturevalue(request.param)


# --- Applications at each step (through the services: grants, timeline, numbers) ---------------------------


@pytest.fixture
def draft(student):
    """A draft by the demo student, started through the service (grants, timeline)."""
    return services.application_start(actor=student, student=student.student)


@pytest.fixture
def submitted(draft, student):
    fill_application(draft, student)
    services.consent_give(application=draft, actor=student, language="kk")
    services.document_upload(
        application=draft,
        actor=student,
        upload=SimpleUploadedFile("МӘС қорытындысы.pdf", pdf_bytes("MARKER-HEALTH"), "application/pdf"),
        kind="mse",
    )
    return services.application_submit(application=draft, actor=student)


@pytest.fixture
def registered(submitted, centre_head):
    return services.application_register(application=submitted, actor=centre_head)


@pytest.fixture
def assigned_specialist(specialist, submitted):
    # Issue 4 makes assignment a service; until then the grant it will make is given directly.
    assign_perm("students.view_application", specialist, submitted)
    return specialist
