"""Workflow rules that must hold (issue #26): a meeting is held only once it has started; attendance in one
control with per-member exceptions; the route's approval and the team's decision on its measures."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from routes import services
from routes.models import Attendance, Protocol, TeamMeeting

pytestmark = pytest.mark.django_db

M = TeamMeeting.Status
Presence = Attendance.Presence


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    yield
    translation.deactivate()


def starts_in(meeting, minutes: int):
    start = timezone.now() + datetime.timedelta(minutes=minutes)
    TeamMeeting.objects.filter(pk=meeting.pk).update(starts_at=start, ends_at=start + datetime.timedelta(hours=1))
    meeting.refresh_from_db()
    return meeting


# --- 1. A meeting cannot be held before it starts -----------------------------------------------------------


def test_a_meeting_is_not_held_before_its_start_on_the_same_day(planned, secretary):
    starts_in(planned, 53)  # the 14:37 protocol of a 15:30 meeting
    with pytest.raises(ValidationError) as refused:
        services.meeting_hold(meeting=planned, actor=secretary)
    assert "hold" in refused.value.message_dict
    planned.refresh_from_db()
    assert planned.status == M.PLANNED
    assert not Protocol.objects.filter(meeting=planned).exists()


def test_the_meeting_is_held_once_it_has_started(planned, secretary):
    starts_in(planned, -1)
    protocol = services.meeting_hold(meeting=planned, actor=secretary)
    planned.refresh_from_db()
    assert planned.status == M.HELD and protocol.status == Protocol.Status.DRAFT


def test_a_protocol_is_not_signed_before_the_meeting_starts(held, secretary, centre_head):
    # A meeting moved later after its protocol was opened (or a clock set wrong): no signature before the start.
    starts_in(held.meeting, 30)
    with pytest.raises(ValidationError):
        services.protocol_sign(protocol=held, actor=secretary)
    held.refresh_from_db()
    assert held.secretary_signed_at is None and held.status == Protocol.Status.DRAFT


def test_the_hold_button_answers_422_with_the_message_next_to_it(client, planned, secretary):
    starts_in(planned, 53)
    client.force_login(secretary)
    response = client.post(reverse("routes:meeting_hold", args=[planned.pk]))
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="hold-error-1"' in page
    assert "It can be recorded as held from then on, not before." in page
    planned.refresh_from_db()
    assert planned.status == M.PLANNED


def test_the_refusal_is_translated(client, planned, secretary, settings):
    starts_in(planned, 53)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    client.force_login(secretary)
    response = client.post(reverse("routes:meeting_hold", args=[planned.pk]))
    assert response.status_code == 422
    assert "не раньше" in response.content.decode()


# --- 2. Attendance: everyone present in one control, the exceptions per member ------------------------------


@pytest.fixture
def opened(planned, secretary):
    """Held, the protocol opened and nothing recorded (no one answered the invitation)."""
    starts_in(planned, -60)
    protocol = services.meeting_hold(meeting=planned, actor=secretary)
    Attendance.objects.filter(protocol=protocol).update(presence=Presence.UNKNOWN, reason="")
    return protocol


def _post_data(protocol, *, all_present: bool, exceptions: dict | None = None) -> dict:
    data = {"revision": protocol.revision}
    if all_present:
        data["all_present"] = "on"
    for row in protocol.attendance.all():
        presence, reason = (exceptions or {}).get(row.pk, ("", ""))
        data[f"a{row.pk}-presence"] = presence
        data[f"a{row.pk}-reason"] = reason
    for record in protocol.records.all():
        data[f"r{record.pk}-outcome"] = "other"
        data[f"r{record.pk}-decision"] = "Талқыланды."
        data[f"r{record.pk}-votes_for"] = "1" if all_present else "0"  # only members present vote
        data[f"r{record.pk}-votes_against"] = "0"
        data[f"r{record.pk}-votes_abstained"] = "0"
    return data


def test_everyone_present_is_one_control_and_the_exceptions_stay(client, opened, secretary):
    rows = list(opened.attendance.select_related("member__user"))
    assert len(rows) >= 4
    excused, absent = rows[0], rows[1]
    client.force_login(secretary)
    page = client.get(reverse("routes:meeting_protocol", args=[opened.meeting_id])).content.decode()
    assert page.count('name="all_present"') == 1
    response = client.post(
        reverse("routes:meeting_protocol", args=[opened.meeting_id]),
        _post_data(
            opened,
            all_present=True,
            exceptions={excused.pk: ("absent_reason", "Ауырып қалды"), absent.pk: ("absent", "")},
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = {a.pk: (a.presence, a.reason) for a in Attendance.objects.filter(protocol=opened)}
    assert saved[excused.pk] == (Presence.ABSENT_WITH_REASON, "Ауырып қалды")
    assert saved[absent.pk] == (Presence.ABSENT, "")
    others = [value for pk, value in saved.items() if pk not in {excused.pk, absent.pk}]
    assert others and all(value == (Presence.PRESENT, "") for value in others)


def test_without_the_control_nothing_is_assumed(client, opened, secretary):
    client.force_login(secretary)
    response = client.post(
        reverse("routes:meeting_protocol", args=[opened.meeting_id]), _post_data(opened, all_present=False)
    )
    assert response.status_code == 302
    assert set(Attendance.objects.filter(protocol=opened).values_list("presence", flat=True)) == {Presence.UNKNOWN}


def test_an_excused_absence_still_needs_its_reason(client, opened, secretary):
    row = opened.attendance.first()
    client.force_login(secretary)
    response = client.post(
        reverse("routes:meeting_protocol", args=[opened.meeting_id]),
        _post_data(opened, all_present=True, exceptions={row.pk: ("absent_reason", "")}),
    )
    assert response.status_code == 422
    assert f'id="id_a{row.pk}-reason_error"' in response.content.decode()
    assert set(Attendance.objects.filter(protocol=opened).values_list("presence", flat=True)) == {Presence.UNKNOWN}


def test_the_service_records_everyone_else_present(opened, secretary):
    row = opened.attendance.first()
    services.protocol_save(
        protocol=opened,
        actor=secretary,
        revision=opened.revision,
        attendance={row.pk: {"presence": "absent_reason", "reason": "Іссапарда"}},
        records={},
        all_present=True,
    )
    saved = dict(Attendance.objects.filter(protocol=opened).values_list("pk", "presence"))
    assert saved.pop(row.pk) == Presence.ABSENT_WITH_REASON
    assert set(saved.values()) == {Presence.PRESENT}


# --- 4. The case's stage and the next step follow the route -------------------------------------------------


def _status_tag(page: str) -> str:
    start = page.index('class="tag tag--status')
    return page[start : page.index("</strong>", start)]


def test_the_case_reads_route_in_force_not_conclusion_issued(client, in_force, student, centre_head):
    application = in_force.application
    for user in (student, centre_head):
        client.force_login(user)
        page = client.get(reverse("students:application_detail", args=[application.public_id])).content.decode()
        assert "Route in force" in _status_tag(page)
        assert "Conclusion issued" not in _status_tag(page)
    client.force_login(student)
    listed = client.get(reverse("students:my_applications")).content.decode()
    assert "Route in force" in _status_tag(listed)
    home = client.get(reverse("home")).content.decode()
    assert f"{application.registration_number}: Route in force" in home


def test_the_stage_follows_each_step_of_the_route(in_approval):
    from students.stages import label_stages

    application = in_approval.application
    with translation.override("en"):
        (labelled,) = label_stages([application])
        assert labelled.stage_label == "Route awaiting approval"


def test_the_next_step_takes_a_pending_report_of_changed_needs_into_account(client, in_force, student, centre_head):
    application = in_force.application
    services.changed_needs_report(application=application, actor=student, text="Көруім нашарлады.")
    url = reverse("students:application_detail", args=[application.public_id])
    client.force_login(student)
    page = client.get(url).content.decode()
    assert "You told the centre on" in page and "that your needs have changed" in page
    assert "The centre reviews it on the review date." not in page
    client.force_login(centre_head)
    assert "The student reported changed needs on" in client.get(url).content.decode()


# --- 5. The team's protocol and the route's approval --------------------------------------------------------


def decide(route, *, outcome, centre_head, secretary, specialist):
    """A team meeting discusses `route`'s support measures and signs a protocol deciding `outcome` on them."""
    from .conftest import into_the_past, protocol_data, tomorrow_at

    meeting = services.meeting_plan(
        actor=centre_head,
        starts_at=tomorrow_at(9),
        ends_at=tomorrow_at(10),
        place="Бас ғимарат, 204",
        online_link="",
        chair=centre_head,
        secretary=secretary,
        members=[specialist],
    )
    services.agenda_item_add(
        meeting=meeting,
        actor=centre_head,
        application=None,
        route=route,
        topic="measures",
        note="",
        invite_student=False,
        invite_lecturers=True,
    )
    into_the_past(meeting)
    protocol = services.meeting_hold(meeting=meeting, actor=secretary)
    attendance, records = protocol_data(protocol, outcome=outcome)
    services.protocol_save(
        protocol=protocol, actor=secretary, revision=protocol.revision, attendance=attendance, records=records
    )
    protocol.refresh_from_db()
    services.protocol_sign(protocol=protocol, actor=secretary)
    return services.protocol_sign(protocol=protocol, actor=centre_head)


def test_the_approval_page_says_the_team_has_not_decided_yet(client, in_approval, administration):
    client.force_login(administration)
    page = client.get(reverse("routes:route", args=[in_approval.pk])).content.decode()
    assert 'id="team-decision"' in page
    assert "The interdisciplinary team has not decided on this route's support measures yet." in page


def test_the_approval_page_shows_the_meeting_the_decision_and_the_vote(
    client, in_approval, administration, centre_head, secretary, specialist
):
    protocol = decide(
        in_approval, outcome="approve_measures", centre_head=centre_head, secretary=secretary, specialist=specialist
    )
    client.force_login(administration)
    page = client.get(reverse("routes:route", args=[in_approval.pk])).content.decode()
    card = page[page.index('id="team-decision"') :]
    card = card[: card.index("</section>")]
    assert protocol.registration_number in card
    assert "Approves the support measures" in card
    assert "for: 3, against: 0, abstained: 0" in card
    assert timezone.localtime(protocol.meeting.starts_at).strftime("%d.%m.%Y") in card


def test_with_the_setting_off_approval_does_not_wait(in_approval, administration, settings):
    settings.ROUTE_APPROVAL_NEEDS_PROTOCOL = False
    assert services.route_approve(route=in_approval, actor=administration).status == "in_force"


def test_with_the_setting_on_approval_waits_for_the_team(client, in_approval, administration, settings):
    settings.ROUTE_APPROVAL_NEEDS_PROTOCOL = True
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.route_approve(route=in_approval, actor=administration)
    assert "has not yet approved this route" in refused.value.messages[0]
    client.force_login(administration)
    response = client.post(reverse("routes:route_approve", args=[in_approval.pk]))
    assert response.status_code == 409
    assert "has not yet approved this route" in response.content.decode()
    in_approval.refresh_from_db()
    assert in_approval.status == "in_approval" and not in_approval.registration_number


def test_with_the_setting_on_the_teams_approval_lets_the_route_be_approved(
    in_approval, administration, centre_head, secretary, specialist, settings
):
    settings.ROUTE_APPROVAL_NEEDS_PROTOCOL = True
    decide(in_approval, outcome="approve_measures", centre_head=centre_head, secretary=secretary, specialist=specialist)
    assert services.route_approve(route=in_approval, actor=administration).status == "in_force"


def test_with_the_setting_on_a_decision_to_change_the_measures_holds_approval(
    in_approval, administration, centre_head, secretary, specialist, settings
):
    settings.ROUTE_APPROVAL_NEEDS_PROTOCOL = True
    decide(in_approval, outcome="change_measures", centre_head=centre_head, secretary=secretary, specialist=specialist)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.route_approve(route=in_approval, actor=administration)
    assert "decided to change this route" in refused.value.messages[0]
    in_approval.refresh_from_db()
    assert in_approval.status == "in_approval"
