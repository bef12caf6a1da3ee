"""The team meeting pages tried by every role: who sees what, who may act, and what a refused request leaves."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from audit.models import AccessLog
from inclusion_centre.accounts.grants import grant
from routes import services
from routes.models import AgendaItem, MeetingMember, Protocol, TeamMeeting
from tests.factories import CourseFactory, TeachingAssignmentFactory, UserFactory

from .conftest import HEALTH, HEARD, into_the_past, tomorrow_at

pytestmark = pytest.mark.django_db

M = TeamMeeting.Status
APPLICATION_MARKER = "MARKER-HEALTH"  # the application's description and its uploaded document


@pytest.fixture(autouse=True)
def _english(client, settings):
    """Messages are asserted in English. The test client's requests leave their language active in this thread:
    put the default back, so tests that run later in the same process read the default language."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    yield
    translation.deactivate()


@pytest.fixture
def unassigned_specialist():
    return UserFactory(roles=["specialist"], full_name="Бөтен Маман")


@pytest.fixture
def stranger_lecturer(planned, centre_head, term):
    """A lecturer who is a member of the meeting but teaches none of the students on its agenda."""
    user = UserFactory(roles=["lecturer"], full_name="Оқытушы Бөтен")
    TeachingAssignmentFactory(lecturer=user, course=CourseFactory(), term=term)
    services.meeting_member_add(meeting=planned, actor=centre_head, user=user)
    return user


MEMBERS = {
    "centre_head",
    "secretary",
    "specialist",
    "lecturer",
    "second_lecturer",
    "stranger_lecturer",
    "student",
    "representative",
}
OTHERS = ["other_student", "unassigned_specialist", "administration", "auditor", "sysadmin", "outsider"]
CENTRE = {"centre_head", "secretary", "specialist"}
EVERYONE = sorted(MEMBERS) + OTHERS


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


def _page(client, user, url) -> str:
    response = _get(client, user, url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


# --- Who sees what ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", EVERYONE)
def test_who_opens_the_meeting_page(client, request, planned, stranger_lecturer, who):
    user = request.getfixturevalue(who)
    response = _get(client, user, reverse("routes:meeting", args=[planned.pk]))
    assert response.status_code == (200 if who in MEMBERS else 404)
    if who not in MEMBERS:
        assert AccessLog.objects.filter(user=user, object_id=planned.pk, action="denied").exists()
    if who in MEMBERS:
        assert AccessLog.objects.filter(user=user, object_id=planned.pk, action="view_case").exists()
        assert "no-store" in response["Cache-Control"] or response["Cache-Control"].startswith("max-age=0")
    body = response.content.decode()
    student_name = planned.items.get().application.student.user.full_name
    assert (student_name in body) == (who in MEMBERS - {"stranger_lecturer"})
    assert (HEARD in body) == (who in CENTRE)
    assert HEALTH not in body and APPLICATION_MARKER not in body


@pytest.mark.parametrize("who", EVERYONE)
def test_who_reads_the_signed_protocol_and_how_much(client, request, stranger_lecturer, signed, who):
    user = request.getfixturevalue(who)
    response = _get(client, user, reverse("routes:protocol", args=[signed.pk]))
    assert response.status_code == (200 if who in MEMBERS else 404)
    body = response.content.decode()
    decision = signed.records.get().decision
    assert (decision in body) == (who in MEMBERS - {"stranger_lecturer"})
    assert (HEARD in body) == (who in CENTRE)
    # Guests see decisions only; a lecturer who teaches nobody on the agenda sees no question at all.
    assert ("for: 3" in body) == (who in MEMBERS - {"student", "representative", "stranger_lecturer"})
    assert (signed.registration_number in body) == (who in MEMBERS)
    assert HEALTH not in body and APPLICATION_MARKER not in body


@pytest.mark.parametrize("who", ["student", "representative", "lecturer", "second_lecturer"])
def test_a_draft_protocol_is_read_by_centre_staff_only(client, request, held, who):
    assert _get(client, request.getfixturevalue(who), reverse("routes:protocol", args=[held.pk])).status_code == 404
    assert (
        _get(client, request.getfixturevalue("specialist"), reverse("routes:protocol", args=[held.pk])).status_code
        == 200
    )


def test_a_guest_sees_only_the_decisions_about_themselves(client, planned, centre_head, student, other_student):
    """A second case on the agenda, its student invited too: each guest sees only their own question."""
    from students import services as application_services
    from tests.factories import submitted_application

    other_case = application_services.application_register(
        application=submitted_application(other_student), actor=centre_head
    )
    services.agenda_item_add(
        meeting=planned, actor=centre_head, application=other_case, route=None, topic="other", invite_student=True
    )
    body = _page(client, student, reverse("routes:meeting", args=[planned.pk]))
    assert student.full_name in body and other_student.full_name not in body
    body = _page(client, other_student, reverse("routes:meeting", args=[planned.pk]))
    assert other_student.full_name in body and student.full_name not in body
    body = _page(client, centre_head, reverse("routes:meeting", args=[planned.pk]))
    assert other_student.full_name in body and student.full_name in body


def test_a_lecturer_sees_students_they_teach_through_a_route_section_too(client, planned, centre_head):
    """A lecturer who holds a section of the student's route but has no teaching assignment in the data."""
    from routes.models import RouteSection

    route = planned.items.get().route
    by_hand = UserFactory(roles=["lecturer"], full_name="Оқытушы Қолмен")
    services.meeting_member_add(meeting=planned, actor=centre_head, user=by_hand)
    name = route.application.student.user.full_name
    assert name not in _page(client, by_hand, reverse("routes:meeting", args=[planned.pk]))
    RouteSection.objects.filter(pk=route.sections.first().pk).update(lecturer=by_hand)
    assert name in _page(client, by_hand, reverse("routes:meeting", args=[planned.pk]))


# --- Planning through the pages -----------------------------------------------------------------------------


def _plan_data(head, secretary_, **overrides):
    day = timezone.localdate() + datetime.timedelta(days=2)
    data = {
        "date": day.isoformat(),
        "starts": "14:00",
        "ends": "15:00",
        "place": "Бас ғимарат, 204",
        "online_link": "",
        "chair": head.pk,
        "secretary": secretary_.pk,
    }
    data.update(overrides)
    return data


def test_the_centre_head_plans_a_meeting_through_the_page(client, centre_head, secretary, specialist):
    client.force_login(centre_head)
    url = reverse("routes:meeting_new")
    assert client.get(url).status_code == 200
    response = client.post(url, {**_plan_data(centre_head, secretary), "members": [specialist.pk]})
    meeting = TeamMeeting.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("routes:meeting_edit", args=[meeting.pk])
    assert set(meeting.members.values_list("user_id", flat=True)) == {centre_head.pk, secretary.pk, specialist.pk}
    assert timezone.localtime(meeting.starts_at).hour == 14
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"ends": "13:00"}, "ends", "The meeting ends after it starts."),
        ({"date": "2020-01-01"}, "date", "Choose a time in the future."),
        ({"date": "31.31.2027"}, "date", "Enter a real date."),
        ({"starts": "25:99"}, "starts", "Enter a time, e.g. 14:30."),
        ({"place": ""}, "place", "Give the place or the online link (or both)."),
        ({"online_link": "not a link"}, "online_link", "Enter a full address starting with https://."),
        ({"secretary": "CENTRE_HEAD"}, "secretary", "The secretary is someone other than the chair"),
        ({"chair": "999999"}, "chair", "Choose the chair from the list."),
    ],
)
def test_a_bad_plan_answers_422_with_the_message_next_to_the_field(
    client, centre_head, secretary, overrides, field, message
):
    client.force_login(centre_head)
    if overrides.get("secretary") == "CENTRE_HEAD":
        overrides = {"secretary": centre_head.pk}
    response = client.post(reverse("routes:meeting_new"), _plan_data(centre_head, secretary, **overrides))
    assert response.status_code == 422
    body = response.content.decode()
    error = body.split(f'id="id_{field}_error"', 1)[1].split("</p>", 1)[0]
    assert message in error
    assert f'href="#id_{field}"' in body  # the summary at the top links to the field
    assert not TeamMeeting.objects.exists()


def test_the_agenda_grows_without_reloading_the_page(client, planned, centre_head, in_force):
    client.force_login(centre_head)
    url = reverse("routes:meeting_item_add", args=[planned.pk])
    response = client.post(
        url, {"item-application": in_force.application.pk, "item-topic": "route_review"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith('<div id="agenda">') and "<html" not in body and "<td>Review of the route</td>" in body
    bad = client.post(url, {"item-topic": ""}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 422
    assert "Choose a case or a route." in bad.content.decode() and "Choose the question." in bad.content.decode()
    assert planned.items.count() == 2
    item = planned.items.get(topic="route_review")
    removed = client.post(reverse("routes:meeting_item_remove", args=[planned.pk, item.pk]), HTTP_HX_REQUEST="true")
    assert removed.status_code == 200 and "<td>Review of the route</td>" not in removed.content.decode()
    # Without htmx: the same actions answer with a redirect back to the editor.
    plain = client.post(url, {"item-application": in_force.application.pk, "item-topic": "other"})
    assert plain.status_code == 302


def test_members_are_invited_without_reloading_the_page(client, planned, centre_head):
    newcomer = UserFactory(roles=["lecturer"], full_name="Жаңа Оқытушы")
    client.force_login(centre_head)
    response = client.post(
        reverse("routes:meeting_member_add", args=[planned.pk]), {"member-user": newcomer.pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and response.content.decode().startswith('<div id="members">')
    assert "<td>Жаңа Оқытушы</td>" in response.content.decode()
    again = client.post(
        reverse("routes:meeting_member_add", args=[planned.pk]), {"member-user": newcomer.pk}, HTTP_HX_REQUEST="true"
    )
    assert again.status_code == 422  # no longer among the choices
    member = planned.members.get(user=newcomer)
    gone = client.post(reverse("routes:meeting_member_remove", args=[planned.pk, member.pk]), HTTP_HX_REQUEST="true")
    assert gone.status_code == 200 and "<td>Жаңа Оқытушы</td>" not in gone.content.decode()


def test_taking_the_secretary_off_is_refused_next_to_the_members(client, planned, centre_head, secretary):
    """A refused remove shows the service's message on an empty form (422), with or without htmx."""
    client.force_login(centre_head)
    member = planned.members.get(user=secretary)
    url = reverse("routes:meeting_member_remove", args=[planned.pk, member.pk])
    for headers in ({"HTTP_HX_REQUEST": "true"}, {}):
        refused = client.post(url, **headers)
        assert refused.status_code == 422
        assert "The chair and the secretary stay members" in refused.content.decode()
    assert planned.members.filter(user=secretary).exists()


def test_a_new_time_through_the_page_and_a_stale_form(client, planned, centre_head, secretary):
    client.force_login(centre_head)
    url = reverse("routes:meeting_edit", args=[planned.pk])
    data = {**_plan_data(centre_head, secretary), "revision": planned.revision}
    assert client.post(url, data).status_code == 302
    planned.refresh_from_db()
    assert planned.sequence == 1
    stale = client.post(url, {**data, "starts": "16:00", "ends": "17:00"})
    assert stale.status_code == 409 and "Someone else changed this meeting" in stale.content.decode()
    planned.refresh_from_db()
    assert timezone.localtime(planned.starts_at).hour == 14


PLANNING_PAGES = [
    ("meeting_edit", {}),
    ("meeting_cancel", {"reason": "x"}),
    ("meeting_item_add", {"item-topic": "other"}),
    ("meeting_member_add", {}),
]


@pytest.mark.parametrize(("name", "data"), PLANNING_PAGES)
@pytest.mark.parametrize("who", [w for w in EVERYONE if w != "centre_head"])
def test_planning_is_closed_to_everyone_but_the_centre_head(
    client, request, planned, stranger_lecturer, name, data, who
):
    planned.refresh_from_db()
    before = (planned.revision, planned.status, planned.items.count(), planned.members.count())
    client.force_login(request.getfixturevalue(who))
    url = reverse(f"routes:{name}", args=[planned.pk])
    assert client.get(url).status_code in {404, 405}
    assert client.post(url, data).status_code == 404
    item = planned.items.get()
    member = planned.members.get(user=stranger_lecturer)
    assert client.post(reverse("routes:meeting_item_remove", args=[planned.pk, item.pk])).status_code == 404
    assert client.post(reverse("routes:meeting_member_remove", args=[planned.pk, member.pk])).status_code == 404
    assert client.post(reverse("routes:meeting_new"), {"date": "2030-01-01"}).status_code == 404
    planned.refresh_from_db()
    assert (planned.revision, planned.status, planned.items.count(), planned.members.count()) == before
    assert TeamMeeting.objects.count() == 1


# --- Answers ------------------------------------------------------------------------------------------------


def test_a_member_answers_on_the_meeting_page(client, planned, lecturer, outsider):
    url = reverse("routes:meeting_rsvp", args=[planned.pk])
    client.force_login(lecturer)
    assert client.post(url, {"rsvp-answer": ""}).status_code == 422
    assert client.post(url, {"rsvp-answer": "declined", "rsvp-comment": "Сабағым бар"}).status_code == 302
    member = planned.members.get(user=lecturer)
    assert member.invitation == "declined" and member.answer_comment == "Сабағым бар"
    client.force_login(outsider)
    assert client.post(url, {"rsvp-answer": "confirmed"}).status_code == 404


# --- The protocol through the pages -------------------------------------------------------------------------


def _protocol_post(protocol, **overrides):
    """The secretary's form as the browser sends it: every row and every question."""
    data = {"revision": protocol.revision}
    for row in protocol.attendance.all():
        data[f"a{row.pk}-presence"] = "present"
    for record in protocol.records.select_related("item__route"):
        prefix = f"r{record.pk}"
        data.update(
            {
                f"{prefix}-heard": f"Баяндама. {HEARD}",
                f"{prefix}-decision": "Қолдау шаралары бекітілсін.",
                f"{prefix}-outcome": "approve_measures",
                f"{prefix}-measures": [m.pk for m in record.item.route.measures.all()],
                f"{prefix}-votes_for": "4",
                f"{prefix}-votes_against": "1",
                f"{prefix}-votes_abstained": "0",
                f"{prefix}-dissent": "Оқытушы келіспеді.",
            }
        )
    data.update(overrides)
    return data


def test_the_secretary_holds_writes_and_both_sign_through_the_pages(
    client, planned, secretary, centre_head, specialist
):
    into_the_past(planned)
    client.force_login(secretary)
    detail = client.get(reverse("routes:meeting", args=[planned.pk])).content.decode()
    assert reverse("routes:meeting_hold", args=[planned.pk]) in detail
    response = client.post(reverse("routes:meeting_hold", args=[planned.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("routes:meeting_protocol", args=[planned.pk])
    assert client.post(reverse("routes:meeting_hold", args=[planned.pk])).status_code == 409

    url = reverse("routes:meeting_protocol", args=[planned.pk])
    assert client.get(url).status_code == 200
    protocol = Protocol.objects.get(meeting=planned)
    record = protocol.records.get()
    prefix = f"r{record.pk}"
    bad = client.post(url, _protocol_post(protocol, **{f"{prefix}-votes_for": "-1", f"{prefix}-outcome": "nonsense"}))
    assert bad.status_code == 422
    body = bad.content.decode()
    assert body.split(f'id="id_{prefix}-votes_for_error"', 1)[1].split("</p>", 1)[0].count("0 or more.") == 1
    assert f'id="id_{prefix}-outcome_error"' in body
    too_many = client.post(url, _protocol_post(protocol, **{f"{prefix}-votes_for": "40"}))
    assert too_many.status_code == 422 and "voting members are recorded as present" in too_many.content.decode()
    protocol.refresh_from_db()
    assert protocol.revision == 1 and not protocol.records.get().decision

    assert client.post(url, _protocol_post(protocol)).status_code == 302
    stale = client.post(url, _protocol_post(protocol))  # the same revision again
    assert stale.status_code == 409

    # The chair reads the draft (a GET of the writing page sends them to it) and cannot write.
    client.force_login(centre_head)
    assert client.get(url)["Location"] == reverse("routes:protocol", args=[protocol.pk])
    assert client.post(url, _protocol_post(protocol)).status_code == 404
    client.force_login(specialist)
    assert client.post(reverse("routes:protocol_sign", args=[protocol.pk])).status_code == 404

    client.force_login(secretary)
    assert client.post(reverse("routes:protocol_sign", args=[protocol.pk])).status_code == 302
    assert client.post(reverse("routes:protocol_sign", args=[protocol.pk])).status_code == 409
    client.force_login(centre_head)
    assert client.post(reverse("routes:protocol_sign", args=[protocol.pk])).status_code == 302
    protocol.refresh_from_db()
    assert protocol.registration_number.startswith("ХТ-") and protocol.status == "signed"
    page = client.get(reverse("routes:protocol", args=[protocol.pk])).content.decode()
    assert protocol.registration_number in page and "Оқытушы келіспеді." in page and "against: 1" in page
    # Frozen: the writing page is gone, a POST to it is refused.
    client.force_login(secretary)
    assert client.post(url, _protocol_post(protocol)).status_code == 409


def test_an_incomplete_protocol_is_refused_at_signing_with_what_is_missing(client, planned, secretary):
    into_the_past(planned)
    protocol = services.meeting_hold(meeting=planned, actor=secretary)
    client.force_login(secretary)
    response = client.post(reverse("routes:protocol_sign", args=[protocol.pk]))
    assert response.status_code == 422
    assert "write what was decided" in response.content.decode()


def test_a_correction_through_the_page(client, signed, secretary, lecturer):
    meeting = signed.meeting
    url = reverse("routes:meeting_correct", args=[meeting.pk])
    client.force_login(lecturer)
    assert client.get(url).status_code == 404
    client.force_login(secretary)
    assert client.get(url).status_code == 200
    empty = client.post(url, {"reason": ""})
    assert empty.status_code == 422 and 'id="id_reason_error"' in empty.content.decode()
    response = client.post(url, {"reason": "Дауыс қате"})
    assert response.status_code == 302 and response["Location"] == reverse("routes:meeting_protocol", args=[meeting.pk])
    draft = Protocol.objects.get(meeting=meeting, status="draft")
    assert draft.version == 2 and draft.correction_reason == "Дауыс қате"
    assert client.post(url, {"reason": "Тағы"}).status_code == 409
    # The lecturer still reads the version in force, not the correction being written.
    client.force_login(lecturer)
    body = _page(client, lecturer, reverse("routes:meeting", args=[meeting.pk]))
    assert (
        reverse("routes:protocol", args=[signed.pk]) in body and reverse("routes:protocol", args=[draft.pk]) not in body
    )


@pytest.mark.parametrize("who", ["specialist", "lecturer", "student", "administration", "outsider"])
def test_holding_and_signing_are_for_the_secretary_and_the_chair(client, request, planned, who):
    into_the_past(planned)
    client.force_login(request.getfixturevalue(who))
    assert client.post(reverse("routes:meeting_hold", args=[planned.pk])).status_code == 404
    planned.refresh_from_db()
    assert planned.status == M.PLANNED


@pytest.mark.parametrize("who", ["specialist", "lecturer", "student", "administration", "outsider"])
def test_only_chair_and_secretary_sign(client, request, held, who):
    client.force_login(request.getfixturevalue(who))
    assert client.post(reverse("routes:protocol_sign", args=[held.pk])).status_code == 404
    held.refresh_from_db()
    assert held.chair_signed_at is None and held.secretary_signed_at is None


# --- Lists, the route, the case, home -----------------------------------------------------------------------


def test_the_list_has_three_tabs_and_shows_each_meeting_where_it_belongs(
    client, held, planned, centre_head, secretary, lecturer, outsider
):
    upcoming = services.meeting_plan(
        actor=centre_head,
        starts_at=tomorrow_at(9),
        ends_at=tomorrow_at(10),
        place="",
        online_link="https://meet.example.edu.kz/x",
        chair=centre_head,
        secretary=secretary,
    )
    client.force_login(centre_head)

    def rows(tab, user=centre_head):
        client.force_login(user)
        body = client.get(reverse("routes:meetings"), {"tab": tab}).content.decode()
        return {m.pk for m in TeamMeeting.objects.all() if reverse("routes:meeting", args=[m.pk]) in body}

    assert rows("upcoming") == {upcoming.pk}
    assert rows("past") == {planned.pk}
    assert rows("awaiting") == {planned.pk}
    assert "Waiting for your signature" in client.get(reverse("routes:meetings"), {"tab": "awaiting"}).content.decode()
    assert rows("past", lecturer) == {planned.pk}
    assert rows("upcoming", lecturer) == set()
    assert rows("past", outsider) == set()
    assert client.get(reverse("routes:meetings"), {"tab": "nonsense"}).status_code == 200


def test_the_list_keeps_its_query_count_as_meetings_grow(client, centre_head, secretary, specialist):
    def make(count):
        for n in range(count):
            meeting = TeamMeeting.objects.create(
                starts_at=tomorrow_at(8) + datetime.timedelta(days=n),
                ends_at=tomorrow_at(9) + datetime.timedelta(days=n),
                place="204",
                chair=centre_head,
                secretary=secretary,
                planned_by=centre_head,
            )
            for user in (centre_head, secretary, specialist):
                MeetingMember.objects.create(meeting=meeting, user=user, capacity="centre")
                grant(user, "routes.view_teammeeting", meeting)  # as the planning service grants its members

    make(2)
    for user in (centre_head, specialist):
        client.force_login(user)
        client.get(reverse("routes:meetings"))  # warm caches
        with CaptureQueriesContext(connection) as few:
            assert client.get(reverse("routes:meetings")).status_code == 200
        make(10)
        client.get(reverse("routes:meetings"))  # the menu's work count is recounted once after a change
        with CaptureQueriesContext(connection) as many:
            body = client.get(reverse("routes:meetings")).content.decode()
        assert body.count('href="/meetings/') >= 12
        assert len(many) == len(few), user


def test_the_meeting_and_protocol_pages_do_not_grow_with_members(
    client, signed, centre_head, django_assert_max_num_queries
):
    client.force_login(centre_head)
    with django_assert_max_num_queries(25):
        client.get(reverse("routes:meeting", args=[signed.meeting_id]))
    with django_assert_max_num_queries(25):
        client.get(reverse("routes:protocol", args=[signed.pk]))


def test_the_route_page_shows_the_teams_decision_on_its_measures(
    client, signed, in_force, specialist, lecturer, administration
):
    for user in (specialist, lecturer, administration):
        body = _page(client, user, reverse("routes:route", args=[in_force.pk]))
        assert "Decisions of the interdisciplinary team" in body
        assert signed.registration_number in body and "Қолдау шараларын бекіту." in body
        assert in_force.measures.first().what in body
        assert HEARD not in body


def test_the_case_page_lists_the_meetings_that_discussed_it(
    client, signed, in_force, centre_head, student, other_student, unassigned_specialist
):
    url = reverse("students:application_detail", args=[in_force.application.public_id])
    link = reverse("routes:meeting", args=[signed.meeting_id])
    assert link in _page(client, centre_head, url)
    assert link in _page(client, student, url)
    assert "Approval of support measures" in _page(client, student, url)
    assert _get(client, other_student, url).status_code == 404


def test_home_shows_the_next_meetings_and_protocols_to_sign(client, held, planned, centre_head, secretary, lecturer):
    upcoming = services.meeting_plan(
        actor=centre_head,
        starts_at=tomorrow_at(9),
        ends_at=tomorrow_at(10),
        place="204",
        online_link="",
        chair=centre_head,
        secretary=secretary,
        members=[],
    )
    body = _page(client, centre_head, reverse("home"))
    assert reverse("routes:meeting", args=[upcoming.pk]) in body
    # The held meeting's protocol waits for the head's signature: it is in the head's work ("what you owe").
    assert reverse("routes:meeting_protocol", args=[held.meeting_id]) in body and reverse("routes:meeting_new") in body
    body = _page(client, secretary, reverse("home"))
    assert "Sign the protocol of the team meeting" in body
    assert reverse("routes:meeting_protocol", args=[held.meeting_id]) in body
    body = _page(client, lecturer, reverse("home"))
    assert reverse("routes:meetings") in body and reverse("routes:meeting", args=[upcoming.pk]) not in body


def test_no_notification_of_a_meeting_carries_health_information(signed):
    from inclusion_centre.accounts.models import Notification

    for notification in Notification.objects.filter(kind__startswith=("meeting", "protocol")):
        for text in (notification.subject, notification.body, notification.calendar):
            assert HEARD not in text and HEALTH not in text and APPLICATION_MARKER not in text


def test_removing_an_agenda_item_from_another_meeting_is_404(client, planned, centre_head, secretary):
    other = services.meeting_plan(
        actor=centre_head,
        starts_at=tomorrow_at(9),
        ends_at=tomorrow_at(10),
        place="204",
        online_link="",
        chair=centre_head,
        secretary=secretary,
    )
    item = planned.items.get()
    client.force_login(centre_head)
    assert client.post(reverse("routes:meeting_item_remove", args=[other.pk, item.pk])).status_code == 404
    assert AgendaItem.objects.filter(pk=item.pk).exists()


@pytest.mark.parametrize("who", EVERYONE)
def test_who_may_open_and_post_the_protocol_being_written(client, request, stranger_lecturer, held, who):
    client.force_login(request.getfixturevalue(who))
    url = reverse("routes:meeting_protocol", args=[held.meeting_id])
    response = client.get(url)
    expected = {"secretary": 200, "centre_head": 302, "specialist": 302}.get(who, 404)
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"] == reverse("routes:protocol", args=[held.pk])
    before = (held.revision, held.records.get().decision)
    data = {"revision": held.revision, **{f"a{row.pk}-presence": "absent" for row in held.attendance.all()}}
    posted = client.post(url, data)
    assert posted.status_code == (422 if who == "secretary" else 404)  # the kind of decision is missing
    sign = client.post(reverse("routes:protocol_sign", args=[held.pk]))
    assert sign.status_code == (302 if who in {"secretary", "centre_head"} else 404)
    held.refresh_from_db()
    assert (held.revision, held.records.get().decision) == before
    assert held.attendance.filter(presence="absent").count() == 0
    signers = {held.chair_signed_by_id, held.secretary_signed_by_id} - {None}
    assert signers == ({request.getfixturevalue(who).pk} if who in {"secretary", "centre_head"} else set())


@pytest.mark.parametrize("who", EVERYONE)
def test_who_may_correct_a_signed_protocol(client, request, stranger_lecturer, signed, who):
    client.force_login(request.getfixturevalue(who))
    url = reverse("routes:meeting_correct", args=[signed.meeting_id])
    allowed = who in {"secretary", "centre_head"}
    assert client.get(url).status_code == (200 if allowed else 404)
    assert client.post(url, {"reason": "Қате"}).status_code == (302 if allowed else 404)
    assert Protocol.objects.filter(meeting_id=signed.meeting_id).count() == (2 if allowed else 1)
    signed.refresh_from_db()
    assert signed.status == "signed"


def test_answering_after_the_meeting_is_held_is_a_conflict(client, held, lecturer):
    client.force_login(lecturer)
    response = client.post(reverse("routes:meeting_rsvp", args=[held.meeting_id]), {"rsvp-answer": "confirmed"})
    assert response.status_code == 409 and "cannot be answered any more" in response.content.decode()
    assert held.meeting.members.get(user=lecturer).invitation == "invited"


def test_editing_a_held_meeting_is_a_conflict(client, held, centre_head, secretary):
    client.force_login(centre_head)
    url = reverse("routes:meeting_edit", args=[held.meeting_id])
    assert client.get(url)["Location"] == reverse("routes:meeting", args=[held.meeting_id])
    response = client.post(url, {**_plan_data(centre_head, secretary), "revision": held.meeting.revision})
    assert response.status_code == 409
    case = held.records.get().item.application
    item_add = client.post(
        reverse("routes:meeting_item_add", args=[held.meeting_id]), {"item-application": case.pk, "item-topic": "other"}
    )
    assert item_add.status_code == 409
    assert held.meeting.items.count() == 1


@pytest.mark.parametrize("who", ["lecturer", "second_lecturer", "student", "representative"])
def test_lists_and_home_carry_no_health_information(client, request, signed, who):
    user = request.getfixturevalue(who)
    for url in (reverse("routes:meetings") + "?tab=past", reverse("home")):
        body = _page(client, user, url)
        assert HEARD not in body and HEALTH not in body and APPLICATION_MARKER not in body
