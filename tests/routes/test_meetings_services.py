"""Team meeting services: planning and invitations (.ics), answers, a new time, the protocol, signing, correction."""

import datetime
import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from django.utils.translation import trans_real

from audit.models import StatusChange
from audit.workflow import IllegalMove
from inclusion_centre.accounts.models import Notification
from routes import services
from routes.ics import meeting_ics
from routes.models import AgendaItem, MeetingMember, Protocol, TeamMeeting
from students import services as application_services
from tests.factories import ApplicationFactory, UserFactory

from .conftest import HEARD, into_the_past, protocol_data, tomorrow_at

pytestmark = pytest.mark.django_db

M = TeamMeeting.Status
P = Protocol.Status
Inv = MeetingMember.Invitation


def _plan(head, secretary_, **overrides):
    fields = {
        "actor": head,
        "starts_at": tomorrow_at(14),
        "ends_at": tomorrow_at(15),
        "place": "Бас ғимарат, 204",
        "online_link": "",
        "chair": head,
        "secretary": secretary_,
        "members": [],
    }
    fields.update(overrides)
    return services.meeting_plan(**fields)


def _ics_lines(text: str) -> list[str]:
    """Unfold (RFC 5545 §3.1) and split into content lines."""
    return text.replace("\r\n ", "").split("\r\n")


def _value(text: str, name: str) -> str:
    return next(line.split(":", 1)[1] for line in _ics_lines(text) if line.split(":", 1)[0].split(";")[0] == name)


@pytest.fixture
def russian_catalogue():
    """Translations of the meeting's invitation texts into Russian, as the central catalogue will hold them."""
    catalog = trans_real.translation("ru")._catalog
    added = {
        "Invitation to an interdisciplinary team meeting": "Приглашение на заседание междисциплинарной команды",
        "Interdisciplinary team meeting": "Заседание междисциплинарной команды",
    }
    before = {msgid: catalog.get(msgid) for msgid in added}
    for msgid, text in added.items():
        catalog[msgid] = text
    yield added
    for msgid, text in before.items():
        if text is None:
            catalog._catalogs[0].pop(msgid, None)  # TranslationCatalog has no __delitem__
        else:
            catalog[msgid] = text


# --- Planning and invitations -------------------------------------------------------------------------------


def test_planning_invites_every_member_in_their_language_with_a_calendar_file(
    centre_head, secretary, specialist, lecturer, django_capture_on_commit_callbacks, russian_catalogue
):
    lecturer.preferred_language = "ru"
    lecturer.save()
    with django_capture_on_commit_callbacks(execute=True):
        meeting = _plan(centre_head, secretary, members=[specialist, lecturer])
    assert meeting.status == M.PLANNED and meeting.sequence == 0
    members = {m.user_id: m for m in meeting.members.all()}
    assert set(members) == {centre_head.pk, secretary.pk, specialist.pk, lecturer.pk}
    assert members[lecturer.pk].capacity == "lecturer" and members[specialist.pk].capacity == "centre"
    assert all(m.invitation == Inv.INVITED for m in members.values())

    invitations = Notification.objects.filter(kind="meeting_invitation")
    assert invitations.count() == 4
    russian = invitations.get(recipient=lecturer)
    assert russian.subject == russian_catalogue["Invitation to an interdisciplinary team meeting"]
    assert _value(russian.calendar, "SUMMARY") == russian_catalogue["Interdisciplinary team meeting"]
    kazakh = invitations.get(recipient=specialist)
    assert kazakh.subject != russian.subject

    assert len(mail.outbox) == 4
    message = next(m for m in mail.outbox if m.to == [lecturer.email])
    part = next(p for p in message.message().walk() if p.get_content_type() == "text/calendar")
    assert part.get_param("method") == "REQUEST"
    assert part.get_filename() == "invitation.ics"
    assert part.get_payload(decode=True).decode() == russian.calendar


def test_the_ics_follows_rfc_5545_and_names_no_student(planned, student):
    recipient = planned.members.get(user=student).user
    text = meeting_ics(planned, recipient=recipient)
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")  # every line ends in CRLF
    for line in text.split("\r\n"):
        assert len(line.encode()) <= 75
    assert _value(text, "METHOD") == "REQUEST"
    assert _value(text, "VERSION") == "2.0"
    assert _value(text, "UID") == f"{planned.uid}@127.0.0.1"
    assert _value(text, "SEQUENCE") == "0"
    assert re.fullmatch(r"\d{8}T\d{6}Z", _value(text, "DTSTAMP"))
    assert _value(text, "DTSTART") == planned.starts_at.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    assert _value(text, "DTEND") == planned.ends_at.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    assert _value(text, "LOCATION") == "Бас ғимарат\\, 204"
    assert _value(text, "ATTENDEE") == f"mailto:{student.email}"
    assert _value(text, "STATUS") == "CONFIRMED"
    assert student.full_name not in text and HEARD not in text
    cancel = meeting_ics(planned, recipient=recipient, method="CANCEL")
    assert _value(cancel, "METHOD") == "CANCEL" and _value(cancel, "STATUS") == "CANCELLED"


def test_the_agenda_invites_the_student_their_representative_and_the_lecturers(
    planned, student, representative, lecturer, second_lecturer
):
    capacities = dict(planned.members.values_list("user_id", "capacity"))
    assert capacities[student.pk] == "guest" and capacities[representative.pk] == "guest"
    assert capacities[lecturer.pk] == "lecturer" and capacities[second_lecturer.pk] == "lecturer"
    item = planned.items.get()
    assert item.route.status == "in_force" and item.application_id == item.route.application_id
    assert Notification.objects.filter(kind="meeting_invitation", recipient=student).exists()


def test_a_new_time_is_a_new_invitation_with_the_next_sequence(
    planned, centre_head, secretary, specialist, django_capture_on_commit_callbacks
):
    services.meeting_rsvp(meeting=planned, actor=specialist, answer="confirmed")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        moved = services.meeting_update(
            meeting=planned,
            actor=centre_head,
            revision=planned.revision,
            starts_at=tomorrow_at(15),
            ends_at=tomorrow_at(16),
            place=planned.place,
            online_link="https://meet.example.edu.kz/team",
            chair=centre_head,
            secretary=secretary,
        )
    assert moved.sequence == 1 and moved.revision == planned.revision + 1
    assert planned.members.get(user=specialist).invitation == Inv.INVITED  # the answer was for the old time
    changed = Notification.objects.filter(kind="meeting_changed")
    assert changed.count() == planned.members.count()
    for notification in changed:
        assert _value(notification.calendar, "SEQUENCE") == "1"
        assert _value(notification.calendar, "UID") == f"{planned.uid}@127.0.0.1"
        assert "15:00" in notification.body
    assert len(mail.outbox) == planned.members.count()

    # A stale form (opened before the change) is refused and changes nothing.
    with pytest.raises(IllegalMove):
        services.meeting_update(
            meeting=planned,
            actor=centre_head,
            revision=planned.revision,
            starts_at=tomorrow_at(9),
            ends_at=tomorrow_at(10),
            place="",
            online_link="https://meet.example.edu.kz/team",
            chair=centre_head,
            secretary=secretary,
        )
    moved.refresh_from_db()
    assert moved.sequence == 1 and timezone.localtime(moved.starts_at).hour == 15

    # A new secretary only: no new time, so no new sequence; the new secretary is invited.
    other = UserFactory(roles=["specialist"])
    again = services.meeting_update(
        meeting=moved,
        actor=centre_head,
        revision=moved.revision,
        starts_at=moved.starts_at,
        ends_at=moved.ends_at,
        place=moved.place,
        online_link=moved.online_link,
        chair=centre_head,
        secretary=other,
    )
    assert again.sequence == 1 and again.secretary == other
    assert Notification.objects.filter(kind="meeting_invitation", recipient=other).exists()


def test_bad_plans_are_refused_by_field_and_nothing_is_made(centre_head, secretary, lecturer, specialist):
    cases = [
        ({"starts_at": timezone.now() - datetime.timedelta(hours=1)}, "date"),
        ({"ends_at": tomorrow_at(13)}, "ends"),
        ({"place": "", "online_link": ""}, "place"),
        ({"secretary": centre_head}, "secretary"),
        ({"chair": lecturer}, "chair"),
        ({"members": [UserFactory(roles=["administration"])]}, "members"),
    ]
    for overrides, field in cases:
        with pytest.raises(ValidationError) as refused:
            _plan(centre_head, secretary, **overrides)
        assert field in refused.value.message_dict
    for actor in (specialist, secretary, lecturer):
        with pytest.raises(PermissionDenied):
            _plan(centre_head, secretary, actor=actor)
    assert not TeamMeeting.objects.exists() and not Notification.objects.filter(kind__startswith="meeting").exists()


def test_the_agenda_takes_only_cases_of_the_centre(planned, centre_head, in_force):
    draft = ApplicationFactory()  # another student's draft: not a case of the centre yet
    with pytest.raises(ValidationError) as refused:
        services.agenda_item_add(meeting=planned, actor=centre_head, application=draft, route=None, topic="other")
    assert "application" in refused.value.message_dict
    other_case = draft
    with pytest.raises(ValidationError):
        services.agenda_item_add(
            meeting=planned, actor=centre_head, application=other_case, route=in_force, topic="route_review"
        )
    with pytest.raises(ValidationError) as refused:
        services.agenda_item_add(
            meeting=planned, actor=centre_head, application=in_force.application, route=None, topic="measures"
        )
    assert "route" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.agenda_item_add(meeting=planned, actor=centre_head, application=None, route=None, topic="other")
    assert "application" in refused.value.message_dict
    assert planned.items.count() == 1


def test_answers_and_a_refusal_tells_the_secretary(planned, specialist, student, secretary, outsider):
    services.meeting_rsvp(meeting=planned, actor=specialist, answer="confirmed")
    member = services.meeting_rsvp(meeting=planned, actor=student, answer="declined", comment="Ауруханадамын")
    assert member.invitation == Inv.DECLINED and member.answered_at and member.answer_comment == "Ауруханадамын"
    told = Notification.objects.get(kind="meeting_declined", recipient=secretary)
    assert student.full_name in told.body and student.full_name not in told.subject
    with pytest.raises(ValidationError):
        services.meeting_rsvp(meeting=planned, actor=specialist, answer="maybe")
    with pytest.raises(PermissionDenied):
        services.meeting_rsvp(meeting=planned, actor=outsider, answer="confirmed")


def test_members_come_and_go_while_the_meeting_is_planned(planned, centre_head, secretary, auditor):
    newcomer = UserFactory(roles=["lecturer"])
    member = services.meeting_member_add(meeting=planned, actor=centre_head, user=newcomer)
    assert member.capacity == "lecturer"
    with pytest.raises(ValidationError):
        services.meeting_member_add(meeting=planned, actor=centre_head, user=newcomer)
    with pytest.raises(ValidationError):
        services.meeting_member_add(meeting=planned, actor=centre_head, user=auditor)
    services.meeting_member_remove(member=member, actor=centre_head)
    goodbye = Notification.objects.get(kind="meeting_uninvited", recipient=newcomer)
    assert _value(goodbye.calendar, "METHOD") == "CANCEL"
    with pytest.raises(ValidationError):
        services.meeting_member_remove(member=planned.members.get(user=secretary), actor=centre_head)


def test_cancelling_tells_everyone_and_ends_the_meeting(planned, centre_head, secretary):
    with pytest.raises(ValidationError):
        services.meeting_cancel(meeting=planned, actor=centre_head, reason=" ")
    cancelled = services.meeting_cancel(meeting=planned, actor=centre_head, reason="Басшы іссапарда")
    assert cancelled.status == M.CANCELLED and cancelled.cancel_reason == "Басшы іссапарда"
    notices = Notification.objects.filter(kind="meeting_cancelled")
    assert notices.count() == planned.members.count()
    assert all(_value(n.calendar, "METHOD") == "CANCEL" for n in notices)
    into_the_past(cancelled)
    with pytest.raises(IllegalMove):
        services.meeting_hold(meeting=cancelled, actor=secretary)


# --- The protocol -------------------------------------------------------------------------------------------


def test_the_protocol_starts_on_the_day_of_the_meeting_from_the_answers(planned, secretary, specialist, student):
    with pytest.raises(ValidationError) as too_early:  # a planned meeting is held only once it has started
        services.meeting_hold(meeting=planned, actor=secretary)
    assert "hold" in too_early.value.message_dict
    services.meeting_rsvp(meeting=planned, actor=specialist, answer="confirmed")
    services.meeting_rsvp(meeting=planned, actor=student, answer="declined", comment="Емтихан")
    into_the_past(planned)
    with pytest.raises(PermissionDenied):
        services.meeting_hold(meeting=planned, actor=specialist)
    protocol = services.meeting_hold(meeting=planned, actor=secretary)
    planned.refresh_from_db()
    assert planned.status == M.HELD and protocol.status == P.DRAFT and protocol.version == 1
    presence = {a.member.user_id: (a.presence, a.reason) for a in protocol.attendance.select_related("member")}
    assert presence[specialist.pk] == ("present", "")
    assert presence[student.pk] == ("absent_reason", "Емтихан")
    assert presence[secretary.pk] == ("unknown", "")
    assert protocol.records.count() == 1
    with pytest.raises(IllegalMove):
        services.meeting_hold(meeting=planned, actor=secretary)


def test_an_empty_agenda_is_not_held(centre_head, secretary):
    meeting = _plan(centre_head, secretary)
    into_the_past(meeting)
    with pytest.raises(ValidationError):
        services.meeting_hold(meeting=meeting, actor=secretary)
    meeting.refresh_from_db()
    assert meeting.status == M.PLANNED


def test_only_the_secretary_writes_and_votes_cannot_exceed_those_present(planned, secretary, centre_head):
    into_the_past(planned)
    protocol = services.meeting_hold(meeting=planned, actor=secretary)
    attendance, records = protocol_data(protocol, votes=(3, 0, 0))
    with pytest.raises(PermissionDenied):
        services.protocol_save(
            protocol=protocol, actor=centre_head, revision=protocol.revision, attendance=attendance, records=records
        )
    for row in attendance.values():
        row["presence"] = "absent"
    # The messages are built when the error is raised, in the active language.
    with pytest.raises(ValidationError) as refused, translation.override("en"):
        services.protocol_save(
            protocol=protocol, actor=secretary, revision=protocol.revision, attendance=attendance, records=records
        )
    assert "voting members" in " ".join(refused.value.messages)
    protocol.refresh_from_db()
    assert protocol.revision == 1 and not protocol.records.get().decision  # nothing of the refused save stayed


def test_an_incomplete_protocol_cannot_be_signed(planned, secretary):
    into_the_past(planned)
    protocol = services.meeting_hold(meeting=planned, actor=secretary)
    with pytest.raises(ValidationError) as refused, translation.override("en"):
        services.protocol_sign(protocol=protocol, actor=secretary)
    text = " ".join(refused.value.messages)
    assert "write what was decided" in text and "was present" in text
    protocol.refresh_from_db()
    assert protocol.secretary_signed_at is None


def test_both_sign_and_the_protocol_is_registered_and_frozen(
    held, centre_head, secretary, outsider, specialist, in_force
):
    with pytest.raises(PermissionDenied):
        services.protocol_sign(protocol=held, actor=specialist)
    first = services.protocol_sign(protocol=held, actor=secretary)
    assert first.status == P.DRAFT and first.secretary_signed_by == secretary and first.registration_number is None
    assert Notification.objects.filter(kind="protocol_to_sign", recipient=centre_head).exists()
    with pytest.raises(IllegalMove):
        services.protocol_sign(protocol=held, actor=secretary)

    registered = services.protocol_sign(protocol=held, actor=centre_head)
    year = timezone.localdate().year
    assert registered.status == P.SIGNED and registered.registration_number == f"ХТ-{year}/0001"
    assert registered.registered_at and registered.chair_signed_by == centre_head
    meeting = registered.meeting
    meeting.refresh_from_db()
    assert meeting.status == M.SIGNED
    record = registered.records.get()
    assert {m["what"] for m in record.measures_snapshot} == set(in_force.measures.values_list("what", flat=True))
    assert list(record.measures.all()) == list(in_force.measures.all())
    signed_notes = Notification.objects.filter(kind="protocol_signed")
    assert signed_notes.count() == meeting.members.count()
    assert all(HEARD not in n.body and "ХТ-" not in n.subject for n in signed_notes)

    with pytest.raises(IllegalMove):
        services.protocol_sign(protocol=held, actor=centre_head)
    attendance, records = protocol_data(registered, decision="Басқа шешім")
    with pytest.raises(IllegalMove):
        services.protocol_save(
            protocol=registered, actor=secretary, revision=registered.revision, attendance=attendance, records=records
        )
    assert registered.records.get().decision == "Қолдау шараларын бекіту."
    moves = StatusChange.objects.filter(content_type__model="teammeeting", object_id=meeting.pk)
    assert list(moves.values_list("to_status", flat=True)) == ["planned", "held", "signed"]
    assert moves.get(to_status="signed").actor == centre_head


def test_a_change_after_one_signature_takes_it_back(held, secretary, centre_head):
    services.protocol_sign(protocol=held, actor=centre_head)
    held.refresh_from_db()
    attendance, records = protocol_data(held, decision="Түзетілген шешім")
    saved = services.protocol_save(
        protocol=held, actor=secretary, revision=held.revision, attendance=attendance, records=records
    )
    assert saved.chair_signed_at is None and saved.chair_signed_by is None
    assert Notification.objects.filter(kind="protocol_to_sign", recipient=centre_head).count() == 1


def test_a_correction_is_a_new_version_signed_again_and_the_old_one_superseded(
    signed, centre_head, secretary, specialist
):
    meeting = signed.meeting
    with pytest.raises(ValidationError):
        services.protocol_correct(meeting=meeting, actor=secretary, reason="")
    with pytest.raises(PermissionDenied):
        services.protocol_correct(meeting=meeting, actor=specialist, reason="Қате")
    draft = services.protocol_correct(meeting=meeting, actor=secretary, reason="Дауыс саны қате жазылған")
    assert draft.version == 2 and draft.previous == signed and draft.status == P.DRAFT
    assert draft.records.get().decision == signed.records.get().decision
    assert draft.attendance.count() == signed.attendance.count()
    with pytest.raises(IllegalMove):
        services.protocol_correct(meeting=meeting, actor=centre_head, reason="Тағы")
    signed.refresh_from_db()
    assert signed.status == P.SIGNED  # stays in force while the correction is written

    attendance, records = protocol_data(draft, votes=(2, 0, 1))
    services.protocol_save(
        protocol=draft, actor=secretary, revision=draft.revision, attendance=attendance, records=records
    )
    services.protocol_sign(protocol=draft, actor=secretary)
    corrected = services.protocol_sign(protocol=draft, actor=centre_head)
    signed.refresh_from_db()
    meeting.refresh_from_db()
    assert corrected.status == P.SIGNED and corrected.registration_number.endswith("/0002")
    assert signed.status == P.SUPERSEDED and signed.records.get().votes_for == 3
    assert corrected.records.get().votes_abstained == 1
    assert meeting.status == M.SIGNED
    told = Notification.objects.filter(kind="protocol_signed", body__contains=corrected.registration_number)
    assert told.count() == meeting.members.count()


def test_history_names_who_did_each_change(signed, centre_head, secretary):
    meeting = signed.meeting
    assert meeting.history.earliest().history_user == centre_head
    assert signed.history.filter(history_user=secretary).exists()
    item = AgendaItem.objects.get(meeting=meeting)
    assert item.history.get().history_user == centre_head
    assert signed.records.get().history.filter(history_user=secretary).exists()


def test_consent_withdrawn_keeps_a_case_off_the_agenda(planned, centre_head, in_force, student):
    application_services.consent_withdraw(application=in_force.application, actor=student)
    with pytest.raises(ValidationError) as refused:
        services.agenda_item_add(
            meeting=planned, actor=centre_head, application=in_force.application, route=None, topic="other"
        )
    assert "application" in refused.value.message_dict


def test_a_protocol_waiting_for_a_signature_is_a_step_with_a_deadline(held, centre_head, secretary):
    from routes.deadlines import open_steps

    services.protocol_sign(protocol=held, actor=secretary)
    steps = [step for step in open_steps() if step.kind == "sign_protocol"]
    assert len(steps) == 1
    assert steps[0].owners == [centre_head]  # the secretary has signed; the chair still owes it
    assert steps[0].url.endswith(f"/protocols/{held.pk}/")
    assert (
        HEARD not in steps[0].subject
        and held.records.get().item.application.student.user.full_name not in steps[0].subject
    )
