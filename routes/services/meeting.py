"""Writes of the interdisciplinary team meeting: planning and invitations, answers, the protocol and its signing.

Every service locks the meeting row first (`_lock_meeting`) and only then a protocol row, so two people acting on
one meeting at once are serialised in the same order everywhere: the second re-reads what the first left and is
refused with IllegalMove when its action no longer applies. Forms carry the meeting's or the protocol's
`revision`; a save based on an older one is refused instead of overwriting.

Notifications carry neutral subjects and no health information; invitations carry an .ics attachment whose UID
stays the same for the meeting and whose SEQUENCE grows with each change of time or place.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from audit.services import record_status_change
from audit.workflow import IllegalMove, move
from documents.models import DocumentType
from documents.services import next_registration_number, register_document
from inclusion_centre.accounts.grants import grant, revoke
from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.notifications import notify
from inclusion_centre.history import acting_as
from students.models import Application

from .. import ics
from ..models import (
    AgendaItem,
    Attendance,
    MeetingMember,
    Protocol,
    ProtocolItem,
    Route,
    SupportMeasure,
    TeamMeeting,
)
from ..permissions import meeting as permissions
from ..workflow import MEETING_ALLOWED, PROTOCOL_ALLOWED
from .common import copy_rows, required_reason

M = TeamMeeting.Status
P = Protocol.Status
C = MeetingMember.Capacity
Inv = MeetingMember.Invitation
Presence = Attendance.Presence

# Cases the team may discuss: registered by the centre and not closed, rejected or withdrawn.
CASE_STATUSES = frozenset(
    {Application.Status.REGISTERED, Application.Status.UNDER_ASSESSMENT, Application.Status.CONCLUDED}
)


# --- Helpers ------------------------------------------------------------------------------------------------


def _meeting_url(meeting: TeamMeeting) -> str:
    return reverse("routes:meeting", args=[meeting.pk])


def _lock_meeting(meeting: TeamMeeting) -> TeamMeeting:
    return TeamMeeting.objects.select_for_update().select_related("chair", "secretary").get(pk=meeting.pk)


def _lock_protocol(protocol: Protocol) -> Protocol:
    return Protocol.objects.select_for_update().get(pk=protocol.pk)


def _require_manager(actor: User) -> None:
    if not permissions.can_manage_meetings(actor):
        raise PermissionDenied


def _lock_plan(meeting: TeamMeeting, actor: User) -> TeamMeeting:
    """The meeting locked for a change of its plan: by a manager, while it is planned."""
    _require_manager(actor)
    locked = _lock_meeting(meeting)
    _require_planned(locked)
    return locked


def _require_planned(locked: TeamMeeting) -> None:
    if locked.status != M.PLANNED:
        raise IllegalMove(
            _("Only a planned meeting can be changed; this one is “%(state)s”.")
            % {"state": locked.get_status_display()},
            code="illegal_move",
        )


def _stale(current: int, revision: int | None, message: str) -> None:
    if revision is not None and revision != current:
        raise IllegalMove(message, code="stale")


def _when(meeting: TeamMeeting) -> dict:
    start = timezone.localtime(meeting.starts_at)
    end = timezone.localtime(meeting.ends_at)
    return {
        "date": start.strftime("%d.%m.%Y"),
        "start": start.strftime("%H:%M"),
        "end": end.strftime("%H:%M"),
        "where": ", ".join(part for part in (meeting.place, meeting.online_link) if part),
    }


def _tell(
    member_or_user, *, meeting: TeamMeeting, kind: str, subject: str, body: str, key: str, context=None, ics_method=None
):
    user = member_or_user.user if isinstance(member_or_user, MeetingMember) else member_or_user
    notify(
        recipient=user,
        kind=kind,
        subject=subject,
        body=body,
        url=_meeting_url(meeting),
        dedup_key=f"{kind}:{key}:{user.pk}",
        context={**_when(meeting), **(context or {})},
        calendar=ics.meeting_ics(meeting, recipient=user, method=ics_method) if ics_method else "",
    )


def _invite(member: MeetingMember, meeting: TeamMeeting) -> None:
    _tell(
        member,
        meeting=meeting,
        kind="meeting_invitation",
        subject=gettext_noop("Invitation to an interdisciplinary team meeting"),
        body=gettext_noop(
            "You are invited to the interdisciplinary team meeting on %(date)s, %(start)s–%(end)s, %(where)s. "
            "Please confirm or decline in the system."
        ),
        key=f"{member.pk}:{meeting.sequence}",
        ics_method=ics.REQUEST,
    )


def _check_plan(
    *,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    place: str,
    online_link: str,
    chair: User,
    secretary: User,
) -> None:
    problems = {}
    if starts_at <= timezone.now():
        problems["date"] = _("Choose a time in the future.")
    if ends_at <= starts_at:
        problems["ends"] = _("The meeting ends after it starts.")
    if not place.strip() and not online_link.strip():
        problems["place"] = _("Give the place or the online link (or both).")
    if permissions.capacity_of(chair) != C.CENTRE:
        problems["chair"] = _("The chair is the centre head or a centre specialist.")
    if permissions.capacity_of(secretary) != C.CENTRE:
        problems["secretary"] = _("The secretary is the centre head or a centre specialist.")
    elif chair.pk == secretary.pk:
        problems["secretary"] = _("The secretary is someone other than the chair: both sign the protocol.")
    if problems:
        raise ValidationError(problems)


def _add_member(meeting: TeamMeeting, user: User, capacity: str, actor: User) -> MeetingMember | None:
    """Add and invite one member; None when they already are one."""
    if meeting.members.filter(user=user).exists():
        return None
    with acting_as(actor):
        member = MeetingMember.objects.create(meeting=meeting, user=user, capacity=capacity)
    grant(user, "routes.view_teammeeting", meeting)
    _invite(member, meeting)
    return member


def _refuse_without_consent(application: Application) -> None:
    consent = getattr(application, "consent", None)
    if consent is None or not consent.is_active:
        raise ValidationError(
            {
                "application": _(
                    "Consent to the processing of personal data was withdrawn: the case cannot be put on the agenda."
                )
            },
            code="no_consent",
        )


# --- Planning -----------------------------------------------------------------------------------------------


@transaction.atomic
def meeting_plan(
    *,
    actor: User,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    place: str,
    online_link: str,
    chair: User,
    secretary: User,
    members: list[User] = (),
) -> TeamMeeting:
    """Plan a meeting and invite the chair, the secretary and the members (centre staff and lecturers).

    Students and representatives are invited with the agenda item about their case (`agenda_item_add`).
    Raises PermissionDenied for anyone but the centre head, ValidationError (by field) for a bad plan.
    """
    _require_manager(actor)
    _check_plan(
        starts_at=starts_at, ends_at=ends_at, place=place, online_link=online_link, chair=chair, secretary=secretary
    )
    for user in members:
        if permissions.capacity_of(user) not in {C.CENTRE, C.LECTURER}:
            raise ValidationError(
                {"members": _("%(name)s cannot be a member: invite centre staff and lecturers.") % {"name": user}}
            )
    with acting_as(actor):
        meeting = TeamMeeting.objects.create(
            starts_at=starts_at,
            ends_at=ends_at,
            place=place.strip(),
            online_link=online_link.strip(),
            chair=chair,
            secretary=secretary,
            planned_by=actor,
        )
    record_status_change(obj=meeting, from_status="", to_status=M.PLANNED, actor=actor)
    for user in [chair, secretary, *members]:
        _add_member(meeting, user, permissions.capacity_of(user), actor)
    return meeting


@transaction.atomic
def meeting_update(
    *,
    meeting: TeamMeeting,
    actor: User,
    revision: int,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    place: str,
    online_link: str,
    chair: User,
    secretary: User,
) -> TeamMeeting:
    """Change the time, place, chair or secretary of a planned meeting.

    A new time or place is a new invitation: SEQUENCE grows, every answer goes back to "invited" and every
    member is told, with an .ics that replaces the one in their calendar. A new chair or secretary joins the
    members and is invited.
    """
    locked = _lock_plan(meeting, actor)
    _stale(
        locked.revision,
        revision,
        _("Someone else changed this meeting after you opened it. Reload the page and make your change again."),
    )
    _check_plan(
        starts_at=starts_at, ends_at=ends_at, place=place, online_link=online_link, chair=chair, secretary=secretary
    )
    place, online_link = place.strip(), online_link.strip()
    moved = (locked.starts_at, locked.ends_at, locked.place, locked.online_link) != (
        starts_at,
        ends_at,
        place,
        online_link,
    )
    locked.starts_at, locked.ends_at, locked.place, locked.online_link = starts_at, ends_at, place, online_link
    locked.chair, locked.secretary = chair, secretary
    locked.revision += 1
    if moved:
        locked.sequence += 1
    with acting_as(actor):
        locked.save()
    if moved:
        _invite_again(locked, actor)
    for user in (chair, secretary):
        _add_member(locked, user, C.CENTRE, actor)
    return locked


def _invite_again(locked: TeamMeeting, actor: User) -> None:
    """A new time or place: every answer goes back to "invited" and every member is told, with a new .ics."""
    with acting_as(actor):
        for member in locked.members.exclude(invitation=Inv.INVITED):
            member.invitation, member.answered_at, member.answer_comment = Inv.INVITED, None, ""
            member.save()
    for member in locked.members.select_related("user"):
        _tell(
            member,
            meeting=locked,
            kind="meeting_changed",
            subject=gettext_noop("A team meeting has a new time or place"),
            body=gettext_noop(
                "The interdisciplinary team meeting is now on %(date)s, %(start)s–%(end)s, %(where)s. "
                "Please answer the invitation again in the system."
            ),
            key=f"{locked.pk}:{locked.sequence}",
            ics_method=ics.REQUEST,
        )


@transaction.atomic
def meeting_member_add(*, meeting: TeamMeeting, actor: User, user: User) -> MeetingMember:
    """Invite a member of staff (centre staff or a lecturer) to a planned meeting."""
    locked = _lock_plan(meeting, actor)
    capacity = permissions.capacity_of(user)
    if capacity == C.GUEST:
        raise ValidationError(
            {"user": _("Students and representatives are invited with the agenda question about their case.")}
        )
    if capacity is None:
        raise ValidationError({"user": _("Invite centre staff or lecturers.")})
    member = _add_member(locked, user, capacity, actor)
    if member is None:
        raise ValidationError({"user": _("%(name)s is already a member.") % {"name": user}}, code="exists")
    _touch(locked, actor)
    return member


@transaction.atomic
def meeting_member_remove(*, member: MeetingMember, actor: User) -> None:
    """Take a member off a planned meeting; their calendar is told to drop the event."""
    locked = _lock_plan(member.meeting, actor)
    member = MeetingMember.objects.select_related("user").get(pk=member.pk, meeting=locked)
    if member.user_id in {locked.chair_id, locked.secretary_id}:
        raise ValidationError(_("The chair and the secretary stay members; choose someone else for the role first."))
    _tell(
        member,
        meeting=locked,
        kind="meeting_uninvited",
        subject=gettext_noop("You are no longer invited to a team meeting"),
        body=gettext_noop("You are no longer invited to the interdisciplinary team meeting of %(date)s."),
        key=f"{member.pk}",
        ics_method=ics.CANCEL,
    )
    with acting_as(actor):
        member.delete()
    revoke(member.user, "routes.view_teammeeting", locked)
    _touch(locked, actor)


def _touch(locked: TeamMeeting, actor: User) -> None:
    locked.revision += 1
    with acting_as(actor):
        locked.save(update_fields=["revision", "updated_at"])


def _case_to_discuss(application: Application | None, route: Route | None, topic: str) -> Application:
    """The case of an agenda question, read with its student and representatives; ValidationError (by field) for
    a case the team may not discuss, a route of another case, or a missing question."""
    if application is None and route is not None:
        application = route.application
    if application is None:
        raise ValidationError({"application": _("Choose a case or a route.")}, code="no_case")
    application = (
        Application.objects.select_related("student__user", "consent")
        .prefetch_related("student__representations__representative")
        .get(pk=application.pk)
    )
    if application.status not in CASE_STATUSES:
        raise ValidationError(
            {"application": _("Only a registered case that is not closed can be discussed.")}, code="not_a_case"
        )
    _refuse_without_consent(application)
    if route is not None and route.application_id != application.pk:
        raise ValidationError({"route": _("This route belongs to another case.")}, code="other_case")
    if route is not None and route.status == Route.Status.CANCELLED:
        raise ValidationError({"route": _("A cancelled route cannot be discussed; choose another version.")})
    if topic not in AgendaItem.Topic.values:
        raise ValidationError({"topic": _("Choose the question.")}, code="no_topic")
    if topic == AgendaItem.Topic.MEASURES and route is None:
        raise ValidationError({"route": _("Choose the route whose support measures are to be approved.")})
    return application


@transaction.atomic
def agenda_item_add(
    *,
    meeting: TeamMeeting,
    actor: User,
    application: Application | None,
    route: Route | None,
    topic: str,
    note: str = "",
    invite_student: bool = False,
    invite_lecturers: bool = False,
) -> AgendaItem:
    """Put a case (or one version of its route) on the agenda of a planned meeting.

    `invite_student` invites the student and their legal representatives as guests; `invite_lecturers` the
    lecturers of the route's course sections. Raises ValidationError (by field) for a case the team may not
    discuss, a route of another case, or a missing question.
    """
    locked = _lock_plan(meeting, actor)
    application = _case_to_discuss(application, route, topic)
    order = (locked.items.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    with acting_as(actor):
        item = AgendaItem.objects.create(
            meeting=locked, application=application, route=route, topic=topic, note=note.strip(), order=order
        )
    if invite_student:
        student = application.student
        for user in [student.user, *(r.representative for r in student.representations.all())]:
            if user.is_active:
                _add_member(locked, user, C.GUEST, actor)
    if invite_lecturers and route is not None:
        for section in route.sections.filter(removed_at__isnull=True).select_related("lecturer"):
            capacity = permissions.capacity_of(section.lecturer)
            if capacity in {C.CENTRE, C.LECTURER}:
                _add_member(locked, section.lecturer, capacity, actor)
    _touch(locked, actor)
    return item


@transaction.atomic
def agenda_item_remove(*, item: AgendaItem, actor: User) -> None:
    locked = _lock_plan(item.meeting, actor)
    with acting_as(actor):
        AgendaItem.objects.get(pk=item.pk, meeting=locked).delete()
    _touch(locked, actor)


# --- Answers and cancelling ---------------------------------------------------------------------------------


@transaction.atomic
def meeting_rsvp(*, meeting: TeamMeeting, actor: User, answer: str, comment: str = "") -> MeetingMember:
    """A member confirms or declines; the secretary is told of a refusal."""
    locked = _lock_meeting(meeting)
    member = MeetingMember.objects.select_for_update().filter(meeting=locked, user=actor).first()
    if member is None:
        raise PermissionDenied
    if answer not in {Inv.CONFIRMED, Inv.DECLINED}:
        raise ValidationError({"answer": _("Choose whether you will attend.")}, code="no_answer")
    if locked.status != M.PLANNED:
        raise IllegalMove(
            _("The invitation cannot be answered any more: the meeting is “%(state)s”.")
            % {"state": locked.get_status_display()},
            code="illegal_move",
        )
    member.invitation = answer
    member.answer_comment = comment.strip()[:500]
    member.answered_at = timezone.now()
    with acting_as(actor):
        member.save()
    if answer == Inv.DECLINED and actor.pk != locked.secretary_id:
        _tell(
            locked.secretary,
            meeting=locked,
            kind="meeting_declined",
            subject=gettext_noop("A member declined a team meeting"),
            body=gettext_noop("%(name)s will not attend the team meeting of %(date)s. %(comment)s"),
            key=f"{member.pk}:{locked.sequence}",
            context={"name": actor.full_name, "comment": member.answer_comment},
        )
    return member


@transaction.atomic
def meeting_cancel(*, meeting: TeamMeeting, actor: User, reason: str) -> TeamMeeting:
    _require_manager(actor)
    required_reason(reason, _("Give the reason for cancelling."))
    locked = _lock_meeting(meeting)
    moved = move(
        instance=locked,
        to_status=M.CANCELLED,
        allowed=MEETING_ALLOWED,
        actor=actor,
        comment=reason.strip(),
        before_save=lambda obj: setattr(obj, "cancel_reason", reason.strip()),
    )
    for member in moved.members.select_related("user"):
        _tell(
            member,
            meeting=moved,
            kind="meeting_cancelled",
            subject=gettext_noop("A team meeting is cancelled"),
            body=gettext_noop("The interdisciplinary team meeting of %(date)s is cancelled. The reason: %(reason)s"),
            key=f"{moved.pk}",
            context={"reason": reason.strip()},
            ics_method=ics.CANCEL,
        )
    return moved


# --- The protocol -------------------------------------------------------------------------------------------


@transaction.atomic
def meeting_hold(*, meeting: TeamMeeting, actor: User) -> Protocol:
    """Record that the meeting took place and open its protocol (version 1) for the secretary.

    Attendance starts from the answers (confirmed: present; declined: absent with their reason); every agenda
    item gets an empty record. Refused (ValidationError on "hold") before the meeting's scheduled start, and for
    a meeting without an agenda.
    """
    locked = _lock_meeting(meeting)
    if actor.pk != locked.secretary_id and not permissions.can_manage_meetings(actor):
        raise PermissionDenied
    if locked.status == M.PLANNED:
        _refuse_before_start(locked)
    if locked.status == M.PLANNED and not locked.items.exists():
        raise ValidationError(_("The agenda is empty: a meeting without questions has nothing to record."))
    moved = move(instance=locked, to_status=M.HELD, allowed=MEETING_ALLOWED, actor=actor)
    with acting_as(actor):
        protocol = Protocol.objects.create(meeting=moved, created_by=actor)
        for member in moved.members.all():
            presence, reason = Presence.UNKNOWN, ""
            if member.invitation == Inv.CONFIRMED:
                presence = Presence.PRESENT
            elif member.invitation == Inv.DECLINED:
                presence, reason = Presence.ABSENT_WITH_REASON, member.answer_comment
            Attendance.objects.create(protocol=protocol, member=member, presence=presence, reason=reason)
        for item in moved.items.all():
            ProtocolItem.objects.create(protocol=protocol, item=item)
    record_status_change(obj=protocol, from_status="", to_status=P.DRAFT, actor=actor)
    return protocol


def _refuse_before_start(meeting: TeamMeeting, *, signing: bool = False) -> None:
    """A meeting cannot be held, nor its protocol signed, before it starts (a protocol was once marked held and
    signed at 14:37 for a meeting scheduled at 15:30)."""
    if timezone.now() >= meeting.starts_at:
        return
    if signing:
        message = _("The meeting starts on %(date)s at %(start)s. Its protocol can be signed after it, not before.")
    else:
        message = _("The meeting starts on %(date)s at %(start)s. It can be recorded as held from then on, not before.")
    raise ValidationError({"hold": message % _when(meeting)}, code="too_early")


def _lock_draft(protocol: Protocol, actor: User) -> tuple[TeamMeeting, Protocol]:
    locked_meeting = _lock_meeting(protocol.meeting)
    locked = _lock_protocol(protocol)
    if locked.status != P.DRAFT:
        raise IllegalMove(
            _("This protocol is “%(state)s”: a signed protocol is frozen. A correction is a new version.")
            % {"state": locked.get_status_display()},
            code="illegal_move",
        )
    return locked_meeting, locked


@transaction.atomic
def protocol_save(
    *,
    protocol: Protocol,
    actor: User,
    revision: int,
    attendance: dict[int, dict],
    records: dict[int, dict],
    all_present: bool = False,
) -> Protocol:
    """The secretary saves the draft: attendance by Attendance id, and per ProtocolItem id what was heard and
    decided, the kind of decision, the support measures it is about, the vote and any dissenting opinion.

    With `all_present` every member whose attendance is not given (or not recorded yet) is recorded as present:
    one control for the usual case, the rows given record the exceptions (absent, with or without a reason).

    A change after one of the two signatures takes that signature back: the signer must read the text again.
    Raises IllegalMove for a signed protocol or a stale form, ValidationError for inconsistent records.
    """
    locked_meeting, locked = _lock_draft(protocol, actor)
    if actor.pk != locked_meeting.secretary_id:
        raise PermissionDenied
    _stale(
        locked.revision,
        revision,
        _("Someone else changed this protocol after you opened it. Reload the page and make your change again."),
    )
    rows = {a.pk: a for a in locked.attendance.select_related("member__user")}
    items = {r.pk: r for r in locked.records.select_related("item__route", "item__application__student__user")}
    if set(attendance) - set(rows) or set(records) - set(items):
        raise ValidationError(_("The form does not match this protocol. Reload the page."), code="mismatch")
    with acting_as(actor):
        if all_present:
            attendance = _everyone_else_present(rows, attendance)
        problems = _save_attendance(rows, attendance)
        voters = sum(1 for a in rows.values() if a.presence == Presence.PRESENT and a.member.votes)
        problems += _save_records(items, records, voters)
    if problems:
        raise ValidationError(problems)
    locked.revision += 1
    taken_back = [role for role in ("chair", "secretary") if getattr(locked, f"{role}_signed_at")]
    for role in taken_back:
        setattr(locked, f"{role}_signed_at", None)
        setattr(locked, f"{role}_signed_by", None)
    with acting_as(actor):
        locked.save()
    if locked_meeting.chair_id and "chair" in taken_back:
        _ask_to_sign(locked_meeting.chair, locked_meeting, locked)
    return locked


def _everyone_else_present(rows: dict[int, Attendance], attendance: dict[int, dict]) -> dict[int, dict]:
    """The attendance to save when "everyone was present" is ticked: each row given without a presence, and each
    row not given that is not recorded yet, becomes present; the exceptions given stay as they are."""
    result = dict(attendance)
    for pk, row in rows.items():
        data = attendance.get(pk)
        if data is None and row.presence != Presence.UNKNOWN:
            continue
        data = data or {}
        if (data.get("presence") or Presence.UNKNOWN) == Presence.UNKNOWN:
            result[pk] = {**data, "presence": Presence.PRESENT, "reason": ""}
    return result


def _save_attendance(rows: dict[int, Attendance], attendance: dict[int, dict]) -> list[str]:
    """Save each attendance row that is consistent; the problems of the others."""
    problems = []
    for pk, data in attendance.items():
        row = rows[pk]
        presence = data.get("presence") or Presence.UNKNOWN
        if presence not in Presence.values:
            problems.append(_("Choose the attendance of %(name)s.") % {"name": row.member.user.full_name})
            continue
        if presence == Presence.ABSENT_WITH_REASON and not data.get("reason", "").strip():
            problems.append(_("Give the reason for the absence of %(name)s.") % {"name": row.member.user.full_name})
            continue
        row.presence = presence
        row.reason = data.get("reason", "").strip() if presence != Presence.PRESENT else ""
        row.save()
    return problems


def _save_records(items: dict[int, ProtocolItem], records: dict[int, dict], voters: int) -> list[str]:
    """Save each record of a question that is consistent; the problems of the others."""
    problems = []
    for pk, data in records.items():
        record = items[pk]
        outcome = data.get("outcome") or ProtocolItem.Outcome.OTHER
        measures = list(data.get("measures") or [])
        votes = [data.get(k) or 0 for k in ("votes_for", "votes_against", "votes_abstained")]
        problem = _record_problem(record, outcome, measures, votes, voters)
        if problem:
            problems.append(problem)
            continue
        record.heard = data.get("heard", "").strip()
        record.decision = data.get("decision", "").strip()
        record.outcome = outcome
        record.votes_for, record.votes_against, record.votes_abstained = votes
        record.dissent = data.get("dissent", "").strip()
        record.save()
        record.measures.set(measures if outcome in ProtocolItem.MEASURE_OUTCOMES else [])
    return problems


def _record_problem(record: ProtocolItem, outcome: str, measures: list, votes: list[int], voters: int) -> str | None:
    """What is wrong with the record of one question, or None."""
    label = _question_label(record)
    route_id = record.item.route_id
    if outcome in ProtocolItem.MEASURE_OUTCOMES and route_id is None:
        return _("%(item)s: only a question about a route decides on support measures.") % {"item": label}
    if any(not isinstance(m, SupportMeasure) or m.route_id != route_id for m in measures):
        return _("%(item)s: choose support measures of the route discussed.") % {"item": label}
    if any(v < 0 for v in votes):
        return _("%(item)s: votes cannot be negative.") % {"item": label}
    if sum(votes) > voters:
        return _("%(item)s: %(votes)s votes, but only %(voters)s voting members are recorded as present.") % {
            "item": label,
            "votes": sum(votes),
            "voters": voters,
        }
    return None


def _question_label(record: ProtocolItem) -> str:
    return _("Question %(number)s (%(student)s)") % {
        "number": record.item.order,
        "student": record.item.application.student.user.full_name,
    }


def _ask_to_sign(user: User, meeting: TeamMeeting, protocol: Protocol) -> None:
    _tell(
        user,
        meeting=meeting,
        kind="protocol_to_sign",
        subject=gettext_noop("A protocol is waiting for your signature"),
        body=gettext_noop("The protocol of the team meeting of %(date)s is waiting for your signature."),
        key=f"{protocol.pk}:{protocol.revision}",
    )


def _incomplete(protocol: Protocol) -> list[ValidationError]:
    problems = []
    unknown = [a for a in protocol.attendance.select_related("member__user") if a.presence == Presence.UNKNOWN]
    for row in unknown:
        problems.append(
            ValidationError(
                _("Record whether %(name)s was present.") % {"name": row.member.user.full_name}, code="attendance"
            )
        )
    records = list(protocol.records.select_related("item__application__student__user").prefetch_related("measures"))
    if not records:
        problems.append(ValidationError(_("The protocol has no questions."), code="no_items"))
    for record in records:
        label = _question_label(record)
        if not record.decision.strip():
            problems.append(ValidationError(_("%(item)s: write what was decided.") % {"item": label}, code="decision"))
        if record.outcome in ProtocolItem.MEASURE_OUTCOMES and not list(record.measures.all()):
            problems.append(
                ValidationError(
                    _("%(item)s: choose the support measures the decision is about.") % {"item": label},
                    code="measures",
                )
            )
    if protocol.version > 1 and not protocol.correction_reason.strip():
        problems.append(ValidationError(_("Say why the protocol is corrected."), code="no_reason"))
    return problems


@transaction.atomic
def protocol_sign(*, protocol: Protocol, actor: User) -> Protocol:
    """The chair or the secretary signs; the second signature registers the protocol and freezes it.

    On registration the protocol gets its number (ХТ-YYYY/NNNN) and date, the wording of the support measures it
    decides on is kept with it, the meeting moves to "protocol signed", the version it corrects (if any) is
    superseded, and every member is told. Raises PermissionDenied for anyone but the two signers,
    IllegalMove for a protocol already signed (by this person, or registered), ValidationError when incomplete.
    """
    locked_meeting, locked = _lock_draft(protocol, actor)
    role = permissions.signing_role(actor, locked_meeting)
    if role is None:
        raise PermissionDenied
    if getattr(locked, f"{role}_signed_at") is not None:
        raise IllegalMove(_("You have already signed this protocol."), code="already_signed")
    _refuse_before_start(locked_meeting, signing=True)
    problems = _incomplete(locked)
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    setattr(locked, f"{role}_signed_by", actor)
    setattr(locked, f"{role}_signed_at", now)
    with acting_as(actor):
        locked.save()
    other = "secretary" if role == "chair" else "chair"
    if getattr(locked, f"{other}_signed_at") is None:
        _ask_to_sign(getattr(locked_meeting, other), locked_meeting, locked)
        return locked
    return _register(locked_meeting, locked, actor)


def _register(meeting: TeamMeeting, protocol: Protocol, actor: User) -> Protocol:
    def register(obj):
        _number, obj.registration_number = next_registration_number(document_type=DocumentType.PROTOCOL)
        obj.registered_at = timezone.now()

    _freeze_measures(protocol, actor)
    registered = move(
        instance=protocol, to_status=P.SIGNED, allowed=PROTOCOL_ALLOWED, actor=actor, before_save=register
    )
    register_document(
        source=registered,
        document_type=DocumentType.PROTOCOL,
        student=None,  # a protocol discusses several students: it belongs to no one personal file
        number=registered.registration_number,
        registered_on=timezone.localdate(registered.registered_at),
        actor=actor,
    )
    _register_extracts(registered, actor)
    if meeting.status == M.HELD:
        move(instance=meeting, to_status=M.SIGNED, allowed=MEETING_ALLOWED, actor=actor)
    context = {"number": registered.registration_number, "previous": ""}
    if registered.previous_id:
        previous = move(
            instance=registered.previous,
            to_status=P.SUPERSEDED,
            allowed=PROTOCOL_ALLOWED,
            actor=actor,
            comment=_("Corrected by version %(version)s, %(number)s")
            % {"version": registered.version, "number": registered.registration_number},
        )
        context["previous"] = previous.registration_number
    _tell_registered(meeting, registered, context)
    return registered


def _register_extracts(protocol: Protocol, actor: User) -> None:
    """Each student discussed gets an extract of the protocol in their personal file (§10.2): registered under the
    protocol's number with the student's place in it ("ХТ-2026/0003/2"), from the first question about them."""
    first_records: dict[int, ProtocolItem] = {}
    for record in protocol.records.select_related("item__application__student").order_by("item__order", "pk"):
        first_records.setdefault(record.item.application.student_id, record)
    for index, record in enumerate(first_records.values(), start=1):
        register_document(
            source=record,
            document_type=DocumentType.PROTOCOL_EXTRACT,
            student=record.item.application.student,
            number=f"{protocol.registration_number}/{index}",
            registered_on=timezone.localdate(protocol.registered_at),
            actor=actor,
            version=protocol.version,
        )


def _tell_registered(meeting: TeamMeeting, registered: Protocol, context: dict) -> None:
    """Every member learns that the protocol (or its correction) is signed and registered."""
    if registered.previous_id:
        subject = gettext_noop("A team meeting protocol is corrected")
        body = gettext_noop(
            "The corrected protocol %(number)s of the team meeting of %(date)s replaces %(previous)s. "
            "You can read it in the system."
        )
    else:
        subject = gettext_noop("A team meeting protocol is signed")
        body = gettext_noop(
            "The protocol %(number)s of the interdisciplinary team meeting of %(date)s is signed and "
            "registered. You can read it in the system."
        )
    for member in meeting.members.select_related("user"):
        _tell(
            member,
            meeting=meeting,
            kind="protocol_signed",
            subject=subject,
            body=body,
            key=f"{registered.pk}",
            context=context,
        )


def _freeze_measures(protocol: Protocol, actor: User) -> None:
    """Each record keeps the support measures it decided on as they read when signed (the route may change)."""
    with acting_as(actor):
        for record in protocol.records.prefetch_related("measures"):
            record.measures_snapshot = [
                {
                    "who": m.who,
                    "what": m.what,
                    "frequency": m.frequency,
                    "until": m.until.strftime("%d.%m.%Y") if m.until else "",
                }
                for m in record.measures.all()
            ]
            record.save(update_fields=["measures_snapshot"])


# What a correction copies of the signed protocol's attendance and records.
ATTENDANCE_FIELDS = ("member_id", "presence", "reason")
RECORD_FIELDS = ("item_id", "heard", "decision", "outcome", "votes_for", "votes_against", "votes_abstained", "dissent")


@transaction.atomic
def protocol_correct(*, meeting: TeamMeeting, actor: User, reason: str) -> Protocol:
    """Start a correction of the signed protocol: a new draft version, copied from it, that must be signed again.

    The signed version stays in force (and readable) until the correction is registered.
    """
    required_reason(reason, _("Say why the protocol is corrected."))
    locked = _lock_meeting(meeting)
    if permissions.signing_role(actor, locked) is None and not permissions.can_manage_meetings(actor):
        raise PermissionDenied
    if locked.status != M.SIGNED:
        raise IllegalMove(_("Only a signed protocol can be corrected."), code="illegal_move")
    if locked.protocols.filter(status=P.DRAFT).exists():
        raise IllegalMove(_("A correction of this protocol is already being written."), code="open_version")
    current = locked.protocols.select_for_update().get(status=P.SIGNED)
    try:
        with transaction.atomic(), acting_as(actor):
            draft = Protocol.objects.create(
                meeting=locked,
                version=current.version + 1,
                previous=current,
                correction_reason=reason.strip(),
                created_by=actor,
            )
    except IntegrityError as exc:
        raise IllegalMove(_("A correction of this protocol is already being written."), code="open_version") from exc
    with acting_as(actor):
        copy_rows(current.attendance.all(), ATTENDANCE_FIELDS, protocol=draft)
        for record, copy in copy_rows(current.records.prefetch_related("measures"), RECORD_FIELDS, protocol=draft):
            copy.measures.set(record.measures.all())
    record_status_change(obj=draft, from_status="", to_status=P.DRAFT, actor=actor, comment=reason.strip())
    for user in (locked.chair, locked.secretary):
        if user.pk != actor.pk:
            _tell(
                user,
                meeting=locked,
                kind="protocol_correction",
                subject=gettext_noop("A team meeting protocol is being corrected"),
                body=gettext_noop(
                    "A correction of the protocol %(number)s was started. The reason: %(reason)s. "
                    "The new version needs your signature."
                ),
                key=f"{draft.pk}",
                context={"number": current.registration_number, "reason": reason.strip()},
            )
    return draft
