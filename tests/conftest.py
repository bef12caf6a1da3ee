"""Persona fixtures, one per role of DOMAIN.md, and an outsider who holds no role."""

import pytest

from inclusion_centre.accounts.roles import Role

from . import factories
from .factories import PASSWORD


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = settings.PRIVATE_FILES_ROOT


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
