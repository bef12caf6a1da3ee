"""Who may see and do what with an interdisciplinary team meeting and its protocol.

Who: the centre head's role-wide `routes.manage_teammeeting`, and otherwise the object grant
`routes.view_teammeeting` the services write when a person is invited and remove when they are taken off. How much
a member sees follows from the capacity (centre staff, lecturer, guest) fixed when they were invited. Everyone else
sees nothing (404).
"""

from django.utils import timezone

from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.roles import Role

from ..models import MeetingMember, Protocol, TeamMeeting

C = MeetingMember.Capacity


class MeetingAccess:
    """How much of a meeting a user sees."""

    MANAGE = "manage"  # the centre head: every meeting, every item, plans and changes them
    CENTRE = "centre"  # a centre specialist who is a member (chair and secretary included): every item, in full
    LECTURER = "lecturer"  # a lecturer member: the items about students they teach, no health information
    GUEST = "guest"  # a student or representative: the decisions about themselves


CENTRE_LEVEL = frozenset({MeetingAccess.MANAGE, MeetingAccess.CENTRE})


def can_manage_meetings(user: User) -> bool:
    return user.has_perm("routes.manage_teammeeting")


def capacity_of(user: User) -> str | None:
    """The capacity a person is invited in, from their roles; None for roles that have no seat at the table."""
    if not user.is_active:
        return None
    if user.has_role(Role.CENTRE_HEAD) or user.has_role(Role.SPECIALIST):
        return C.CENTRE
    if user.has_role(Role.LECTURER):
        return C.LECTURER
    if user.has_role(Role.STUDENT) or user.has_role(Role.REPRESENTATIVE):
        return C.GUEST
    return None


def membership(user: User, meeting: TeamMeeting) -> MeetingMember | None:
    """The user's member row, from the prefetched members when the selector loaded them."""
    return next((m for m in meeting.members.all() if m.user_id == user.pk), None)


def meeting_access(user: User, meeting: TeamMeeting, member: MeetingMember | None = None) -> str | None:
    """The MeetingAccess level of `user` on `meeting`, or None (the page answers 404): the centre head's role-wide
    permission, or a member's object grant (`routes.view_teammeeting`) with the capacity they were invited in."""
    if can_manage_meetings(user):
        return MeetingAccess.MANAGE
    if not user.has_perm("routes.view_teammeeting", meeting):
        return None
    member = member or membership(user, meeting)
    return member.capacity if member is not None else None


def sees_health_information(access: str | None) -> bool:
    """What was heard and the notes on the agenda discuss needs and health: centre staff only."""
    return access in CENTRE_LEVEL


def can_edit_plan(user: User, meeting: TeamMeeting) -> bool:
    return meeting.status == TeamMeeting.Status.PLANNED and can_manage_meetings(user)


def can_cancel(user: User, meeting: TeamMeeting) -> bool:
    return meeting.status == TeamMeeting.Status.PLANNED and can_manage_meetings(user)


def can_answer(member: MeetingMember | None, meeting: TeamMeeting) -> bool:
    return member is not None and meeting.status == TeamMeeting.Status.PLANNED


def can_start_protocol(user: User, meeting: TeamMeeting) -> bool:
    """The secretary (or the centre head) records that the meeting is held, from its day on."""
    return (
        meeting.status == TeamMeeting.Status.PLANNED
        and (user.pk == meeting.secretary_id or can_manage_meetings(user))
        and timezone.localdate() >= timezone.localdate(meeting.starts_at)
    )


def can_write_protocol(user: User, meeting: TeamMeeting, protocol: Protocol | None) -> bool:
    return protocol is not None and protocol.is_draft and user.pk == meeting.secretary_id


def signing_role(user: User, meeting: TeamMeeting) -> str | None:
    """'chair' or 'secretary' for the two people who sign the protocol, None for everyone else."""
    if user.pk == meeting.chair_id:
        return "chair"
    if user.pk == meeting.secretary_id:
        return "secretary"
    return None


def can_sign(user: User, meeting: TeamMeeting, protocol: Protocol | None) -> bool:
    role = signing_role(user, meeting)
    if protocol is None or not protocol.is_draft or role is None:
        return False
    return getattr(protocol, f"{role}_signed_at") is None


def can_correct(user: User, meeting: TeamMeeting, *, has_draft: bool) -> bool:
    return (
        meeting.status == TeamMeeting.Status.SIGNED
        and not has_draft
        and (signing_role(user, meeting) is not None or can_manage_meetings(user))
    )
