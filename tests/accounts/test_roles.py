import pytest
from django.contrib.auth.models import Group

from inclusion_centre.accounts.roles import ROLE_PERMISSIONS, Role
from tests.factories import ApplicationFactory, CourseFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_every_role_is_a_group_with_exactly_its_permissions():
    assert set(Group.objects.values_list("name", flat=True)) >= {r.value for r in Role}
    for role, codes in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role.value)
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
        assert held == set(codes), role


def test_role_grants_model_level_permissions():
    sysadmin = UserFactory(roles=[Role.SYSADMIN])
    lecturer = UserFactory(roles=[Role.LECTURER])
    student = UserFactory(roles=[Role.STUDENT])
    assert sysadmin.has_perm("students.change_course")
    assert lecturer.has_perm("students.view_course")
    assert not lecturer.has_perm("students.change_course")
    assert not lecturer.has_perm("students.view_student")
    assert not student.has_perm("students.view_course")


def test_a_person_may_hold_several_roles():
    user = UserFactory(roles=[Role.LECTURER, Role.SPECIALIST])
    assert user.has_role(Role.LECTURER)
    assert user.has_role(Role.SPECIALIST)
    assert not user.has_role(Role.CENTRE_HEAD)
    assert user.roles == [Role.SPECIALIST, Role.LECTURER]


def test_object_permission_on_one_application_only(specialist, student, other_student):
    """Guardian's direct foreign-key table grants one application, not the others'."""
    from inclusion_centre.accounts.grants import grant

    mine = ApplicationFactory(student=student.student)
    theirs = ApplicationFactory(student=other_student.student)
    grant(specialist, "students.view_application", mine)
    assert specialist.has_perm("students.view_application", mine)
    assert not specialist.has_perm("students.view_application", theirs)
    assert not specialist.has_perm("students.view_application")
    assert mine.applicationuserobjectpermission_set.count() == 1


def test_course_names_follow_the_reader_language():
    from django.utils import translation

    course = CourseFactory(name_kk="Жалпы психология", name_ru="Общая психология", name_en="General psychology")
    with translation.override("kk"):
        assert course.name == "Жалпы психология"
    with translation.override("ru"):
        assert course.name == "Общая психология"
    with translation.override("en"):
        assert course.name == "General psychology"
    with translation.override("ky"):
        assert course.name == "Общая психология"


OBJECT_ONLY = (
    "students.assess_application",
    "students.act_for_student",
    "routes.edit_assessment",
    "routes.agree_routesection",
)


def test_object_grants_are_never_role_wide():
    """The powers that follow a fact (assigned, representing, asked to agree) are granted per object, never held by
    a role's group."""
    held = {code for codes in ROLE_PERMISSIONS.values() for code in codes}
    assert held.isdisjoint(OBJECT_ONLY)


def test_every_object_grant_has_a_direct_table_for_users_only():
    """Each granted permission lives in its object's direct foreign-key table (no generic rows, no group grants)."""
    from django.contrib.auth.models import Permission
    from guardian.models import GroupObjectPermission, UserObjectPermission
    from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model

    from routes.grant_facts import CODES

    for app_label, codename in CODES:
        model = Permission.objects.get(content_type__app_label=app_label, codename=codename).content_type.model_class()
        assert get_user_obj_perms_model(model) is not UserObjectPermission, codename
        assert get_group_obj_perms_model(model) is GroupObjectPermission, codename  # no group table of its own
