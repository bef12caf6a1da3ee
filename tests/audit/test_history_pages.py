"""The history page of a record: a readable diff per change for the centre head and the auditor, 404 for everyone
else, nothing on it that writes, and a bounded number of queries however long the history."""

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation

from audit.models import AccessLog
from inclusion_centre.accounts.roles import Role
from inclusion_centre.history import acting_as
from students.models import Application, NeedCategory
from tests.factories import CourseFactory, UserFactory

pytestmark = pytest.mark.django_db


def history_url(obj) -> str:
    return reverse("audit:history", args=[obj._meta.app_label, obj._meta.model_name, obj.pk])


def main(response) -> str:
    content = response.content.decode()
    return content[content.index("<main") : content.index("</main>")]


def rows(response, section=None) -> list[tuple[str, str, str]]:
    """(field, before, after) of every diff row on the page (or in its n-th change), in order."""
    html = main(response)
    if section is not None:
        html = html.split("<section")[1:][section]
    found = re.findall(r'<th scope="row">(.*?)</th>\s*<td>(.*?)</td>\s*<td>(.*?)</td>', html, flags=re.DOTALL)
    return [tuple(re.sub(r"<[^>]+>", "", cell).strip() for cell in row) for row in found]


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("centre_head", 200),
        ("auditor", 200),
        ("student", 404),
        ("representative", 404),
        ("specialist", 404),
        ("lecturer", 404),
        ("administration", 404),
        ("sysadmin", 404),
        ("outsider", 404),
    ],
)
def test_only_the_centre_head_and_the_auditor_read_history(client, request, registered, name, status):
    user = request.getfixturevalue(name)
    client.force_login(user)
    response = client.get(history_url(registered))
    assert response.status_code == status
    reads = AccessLog.objects.filter(user=user, action=AccessLog.Action.VIEW_HISTORY)
    assert reads.count() == (1 if status == 200 else 0)


def test_each_change_says_who_when_what_with_readable_values(client, registered, centre_head, student):
    client.force_login(centre_head)
    client.cookies["language"] = "en"
    response = client.get(history_url(registered))
    assert response["Cache-Control"]
    page = main(response)
    # Newest first: the registration by the centre head, then the student's submission … back to the creation.
    headings = re.findall(r'<span class="tag tag--status">(\w+) <span aria-hidden="true">\((.)\)</span>', page)
    assert headings[0] == ("Changed", "~")
    assert headings[-1] == ("Created", "+")
    first = page.split("<section")[1]
    assert f"By: {centre_head.full_name}" in first
    diff = {field: (before, after) for field, before, after in rows(response, 0)}
    # Choices read as their labels, not their codes.
    assert diff["Status"] == ("Submitted", "Registered")
    assert diff["Registration number"][0] == "(empty)"
    assert diff["Registration number"][1] == registered.registration_number
    # The creation lists what was set, foreign keys as the related record's name, many-to-many as names.
    created = {field: after for field, _before, after in rows(response, -1)}
    assert created["Filed by"] == student.full_name
    assert created["Student"] == student.full_name


def test_many_to_many_changes_show_the_names_before_and_after(client, registered, centre_head, auditor):
    with acting_as(centre_head):
        registered.categories.set(NeedCategory.objects.filter(code__in=["visual", "speech"]))
    client.force_login(auditor)
    client.cookies["language"] = "en"
    # Categories of needs are health data: shown with a reason (tests/audit/test_history_health_masked.py).
    response = client.get(history_url(registered), {"reason": "Checking the record for a complaint"})
    visual, hearing, speech = (NeedCategory.objects.get(code=c).name_en for c in ("visual", "hearing", "speech"))
    # set() removes, then adds: two changes, each with the names before and after.
    assert rows(response, 0) == [("Categories of needs", visual, f"{speech}, {visual}")]
    assert rows(response, 1) == [("Categories of needs", ", ".join(sorted([hearing, visual])), visual)]
    assert f"By: {centre_head.full_name}" in main(response).split("<section")[1]


def test_field_names_are_translated(client, registered, centre_head):
    client.force_login(centre_head)
    for language in ("kk", "ru", "en"):
        client.cookies["language"] = language
        with translation.override(language):
            expected = str(Application._meta.get_field("registration_number").verbose_name)
        fields = [field for field, _before, _after in rows(client.get(history_url(registered)))]
        assert expected[0].upper() + expected[1:] in fields, language


def test_roles_given_and_taken_appear_in_a_users_history(client, auditor, centre_head):
    person = UserFactory(full_name="Рөлі Өзгерген")
    with acting_as(centre_head):
        person.groups.add(Group.objects.get(name=Role.LECTURER))
        person.groups.add(Group.objects.get(name=Role.SPECIALIST))
        person.groups.remove(Group.objects.get(name=Role.LECTURER))
    client.force_login(auditor)
    client.cookies["language"] = "en"
    response = client.get(history_url(person))
    roles = [(before, after) for field, before, after in rows(response) if field == "Groups"]
    assert roles[:3] == [
        ("Centre specialist, Lecturer", "Centre specialist"),
        ("Lecturer", "Centre specialist, Lecturer"),
        ("(empty)", "Lecturer"),
    ]
    assert main(response).count(f"By: {centre_head.full_name}") == 3


def test_a_deleted_record_keeps_its_history(client, auditor, sysadmin):
    course = CourseFactory(name_en="Retired course")
    course_id = course.pk
    with acting_as(sysadmin):
        course.delete()
    client.force_login(auditor)
    client.cookies["language"] = "en"
    response = client.get(reverse("audit:history", args=["students", "course", course_id]))
    assert response.status_code == 200
    assert "The record was deleted." in main(response)
    assert f"By: {sysadmin.full_name}" in main(response)


def test_the_history_is_read_only(client, registered, centre_head):
    client.force_login(centre_head)
    response = client.get(history_url(registered))
    # The one form asks for the reason to show health data (issue 20): a GET that writes nothing to the record.
    forms = re.findall(r"<form[^>]*>", main(response))
    assert forms and all('method="get"' in form for form in forms)
    assert re.findall(r'<input[^>]*name="(\w+)"', main(response)) == ["reason"]
    assert "<textarea" not in main(response) and "<select" not in main(response)
    assert client.post(history_url(registered)).status_code == 405


@pytest.mark.parametrize(
    "args",
    [
        ["auth", "group", 1],  # not one of the project's apps
        ["audit", "auditchainentry", 1],  # keeps no history
        ["students", "nosuchmodel", 1],
        ["students", "application", 987654],  # never existed
    ],
)
def test_anything_but_a_tracked_record_is_not_found(client, auditor, args):
    client.force_login(auditor)
    assert client.get(reverse("audit:history", args=args)).status_code == 404


def _many_changes(application, actor, count):
    categories = list(NeedCategory.objects.all())
    with acting_as(actor):
        for n in range(count):
            application.description = f"Version {n}"
            application.save()
            application.categories.set(categories[: n % len(categories) + 1])


def test_pages_of_twenty_and_queries_that_do_not_grow(client, registered, auditor, django_assert_max_num_queries):
    client.force_login(auditor)
    client.cookies["language"] = "en"
    url = history_url(registered)
    client.get(url)  # the session, permissions and content types are warm from here on
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    _many_changes(Application.objects.get(pk=registered.pk), auditor, 30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(re.findall(r"<section class=\"card\"", main(response))) == 20
    total = registered.history.count()
    last_page = (total + 19) // 20
    response = client.get(url, {"page": last_page})
    assert len(re.findall(r"<section class=\"card\"", main(response))) == total - 20 * (last_page - 1)
    assert "Created" in main(response)


def test_the_case_page_links_the_history_and_who_opened_the_file(client, registered, centre_head, student, auditor):
    case = reverse("students:application_detail", args=[registered.public_id])
    history, my_file = history_url(registered), reverse("audit:my_file")
    client.force_login(centre_head)
    content = client.get(case).content.decode()
    assert history in content and my_file not in content
    client.force_login(student)
    content = client.get(case).content.decode()
    assert history not in content and my_file in content
