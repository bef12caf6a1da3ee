"""Reads for the team meeting pages, already filtered to what the user may see.

Nobody outside a meeting learns anything about it: every reader goes through `meeting_for` / `protocol_for`,
which answer Http404. Inside, a lecturer sees only the questions about students they teach and a guest only the
decisions about themselves; what was heard and the notes of the agenda (health information) only centre staff.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.middleware import AccessRefused
from audit.models import StatusChange
from inclusion_centre.accounts.grants import granted, remember_grant
from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.roles import Role
from students.models import Application, Student
from students.permissions import taught_by

from ..models import (
    AgendaItem,
    Attendance,
    MeetingMember,
    Protocol,
    ProtocolItem,
    Route,
    RouteSection,
    SupportMeasure,
    TeamMeeting,
    TeamMeetingUserObjectPermission,
)
from ..permissions import meeting as permissions
from ..permissions.meeting import CENTRE_LEVEL, MeetingAccess

M = TeamMeeting.Status
P = Protocol.Status


@dataclass
class MeetingView:
    """A meeting as one user may see it."""

    meeting: TeamMeeting
    access: str
    member: MeetingMember | None
    items: list[AgendaItem] = field(default_factory=list)

    @property
    def sees_health(self) -> bool:
        return permissions.sees_health_information(self.access)

    @property
    def centre(self) -> bool:
        return self.access in CENTRE_LEVEL

    def members(self) -> list[MeetingMember]:
        """Guests are students: other members see only staff, and a guest sees themselves too."""
        rows = list(self.meeting.members.all())
        if self.centre:
            return rows
        return [m for m in rows if m.capacity != MeetingMember.Capacity.GUEST or m.user_id == self.member.user_id]


def _meeting_queryset() -> QuerySet:
    return TeamMeeting.objects.select_related("chair", "secretary", "planned_by").prefetch_related(
        Prefetch("members", queryset=MeetingMember.objects.select_related("user")),
        Prefetch(
            "items",
            queryset=AgendaItem.objects.select_related("application__student__user", "route"),
        ),
        Prefetch("protocols", queryset=Protocol.objects.order_by("-version")),
    )


def taught_students(user: User, student_ids: set[int]) -> set[int]:
    """Of these students, those the lecturer teaches: a course in the same term, or a route section they hold."""
    if not student_ids:
        return set()
    taught = set(taught_by(user).filter(pk__in=student_ids).values_list("pk", flat=True))
    taught |= set(
        RouteSection.objects.filter(
            lecturer=user, removed_at__isnull=True, route__application__student_id__in=student_ids
        )
        .exclude(route__status=Route.Status.CANCELLED)
        .values_list("route__application__student_id", flat=True)
    )
    return taught


def own_students(user: User, student_ids: set[int]) -> set[int]:
    """Of these students, the user themselves or those they represent."""
    if not student_ids:
        return set()
    return set(
        Student.objects.filter(pk__in=student_ids)
        .filter(Q(user=user) | Q(pk__in=granted(user, "students.act_for_student", Student.objects.all()).values("pk")))
        .values_list("pk", flat=True)
    )


def _visible_items(user: User, items: list[AgendaItem], access: str) -> list[AgendaItem]:
    if access in CENTRE_LEVEL:
        return items
    student_ids = {item.application.student_id for item in items}
    allowed = (
        taught_students(user, student_ids) if access == MeetingAccess.LECTURER else own_students(user, student_ids)
    )
    return [item for item in items if item.application.student_id in allowed]


def meeting_for(user: User, pk: int) -> MeetingView:
    """The meeting and how much of it `user` sees; Http404 for anyone who is not a member (or the centre head),
    logged as a refused attempt."""
    # Whether the user is granted the meeting (a member), read with it.
    granted_to_user = TeamMeetingUserObjectPermission.objects.filter(
        content_object=OuterRef("pk"), user=user.pk, permission__codename="view_teammeeting"
    )
    meeting = _meeting_queryset().annotate(viewer_granted=Exists(granted_to_user)).filter(pk=pk).first()
    if meeting is None:
        raise Http404
    remember_grant(user, meeting, "view_teammeeting", meeting.viewer_granted)
    member = permissions.membership(user, meeting)
    access = permissions.meeting_access(user, meeting, member)
    if access is None:
        raise AccessRefused(meeting)  # a 404 like any other, and the attempt is logged
    return MeetingView(meeting, access, member, _visible_items(user, list(meeting.items.all()), access))


def draft_protocol(meeting: TeamMeeting) -> Protocol | None:
    return next((p for p in meeting.protocols.all() if p.status == P.DRAFT), None)


def protocols_seen(view: MeetingView) -> list[Protocol]:
    """The versions the user may open: all for centre staff; the registered ones (in force or superseded) else."""
    protocols = list(view.meeting.protocols.all())
    if view.centre:
        return protocols
    return [p for p in protocols if p.status != P.DRAFT]


def protocol_for(user: User, pk: int) -> tuple[Protocol, MeetingView]:
    """A protocol version and the meeting as the user sees it; Http404 when they may not read it (a draft is
    read by centre staff only)."""
    meeting_id = Protocol.objects.filter(pk=pk).values_list("meeting_id", flat=True).first()
    if meeting_id is None:
        raise Http404
    view = meeting_for(user, meeting_id)
    protocol = next((p for p in protocols_seen(view) if p.pk == pk), None)
    if protocol is None:
        raise AccessRefused(Protocol.objects.get(pk=pk))
    return protocol, view


def protocol_records(protocol: Protocol, view: MeetingView) -> list[ProtocolItem]:
    """The protocol's records of the questions the user may see, with the route's measures to choose from."""
    visible = {item.pk for item in view.items}
    records = (
        ProtocolItem.objects.filter(protocol=protocol, item_id__in=visible)
        .select_related("item__application__student__user", "item__route")
        .prefetch_related("measures")
    )
    return list(records)


def protocol_attendance(protocol: Protocol, view: MeetingView) -> list[Attendance]:
    """Who was there: everyone for centre staff; staff only for a lecturer; nothing for a guest."""
    if view.access == MeetingAccess.GUEST:
        return []
    rows = Attendance.objects.filter(protocol=protocol).select_related("member__user")
    if not view.centre:
        rows = rows.exclude(member__capacity=MeetingMember.Capacity.GUEST)
    return list(rows)


def route_measures(route_ids: set[int]) -> dict[int, list[SupportMeasure]]:
    """The support measures of these routes, for the protocol form's choices (one query)."""
    by_route: dict[int, list[SupportMeasure]] = {}
    for measure in SupportMeasure.objects.filter(route_id__in=route_ids):
        by_route.setdefault(measure.route_id, []).append(measure)
    return by_route


def meeting_timeline(meeting: TeamMeeting, protocols: list[Protocol]) -> list[StatusChange]:
    """The moves of the meeting and of the protocol versions the user may open, in order."""
    return list(
        StatusChange.objects.filter(
            Q(content_type__model="teammeeting", object_id=meeting.pk)
            | Q(content_type__model="protocol", object_id__in=[p.pk for p in protocols]),
            content_type__app_label="routes",
        )
        .select_related("actor", "content_type")
        .order_by("created_at", "pk")
    )


# --- Lists --------------------------------------------------------------------------------------------------


class Tab:
    UPCOMING = "upcoming"
    PAST = "past"
    AWAITING = "awaiting"


TABS = (Tab.UPCOMING, Tab.PAST, Tab.AWAITING)


def meetings_for(user: User, tab: str, *, now: datetime.datetime | None = None) -> QuerySet:
    """The meetings the user may open, for one tab of the list, with what the rows show annotated.

    upcoming: planned and not yet over, soonest first; past: held, signed, cancelled or over, newest first;
    awaiting: protocols waiting for signatures (the user's own first for the chair and the secretary).
    """
    now = now or timezone.now()
    meetings = TeamMeeting.objects.select_related("chair", "secretary")
    if not permissions.can_manage_meetings(user):
        meetings = granted(user, "routes.view_teammeeting", meetings)
    drafts = Protocol.objects.filter(meeting=OuterRef("pk"), status=P.DRAFT)
    meetings = meetings.annotate(
        my_answer=Subquery(MeetingMember.objects.filter(meeting=OuterRef("pk"), user=user).values("invitation")[:1]),
        protocol_number=Subquery(
            Protocol.objects.filter(meeting=OuterRef("pk"), status=P.SIGNED).values("registration_number")[:1]
        ),
        awaiting_signature=Exists(drafts),
        item_count=Count("items", distinct=True),
    )
    if tab == Tab.UPCOMING:
        return meetings.filter(status=M.PLANNED, ends_at__gte=now).order_by("starts_at", "pk")
    if tab == Tab.AWAITING:
        mine = Exists(
            drafts.filter(
                Q(meeting__chair=user, chair_signed_at__isnull=True)
                | Q(meeting__secretary=user, secretary_signed_at__isnull=True)
            )
        )
        return meetings.filter(awaiting_signature=True).annotate(mine=mine).order_by("-mine", "starts_at", "pk")
    return meetings.filter(Q(status__in=[M.HELD, M.SIGNED, M.CANCELLED]) | Q(ends_at__lt=now)).order_by(
        "-starts_at", "-pk"
    )


def meetings_on_case(user: User, application: Application) -> list[dict]:
    """The meetings that discussed this case and that the user may open, newest first, for the case page."""
    items = AgendaItem.objects.filter(application=application).select_related("meeting")
    manager = permissions.can_manage_meetings(user)
    if not manager:
        items = items.filter(meeting__in=granted(user, "routes.view_teammeeting", TeamMeeting.objects.all())).annotate(
            capacity=Subquery(
                MeetingMember.objects.filter(meeting=OuterRef("meeting"), user=user).values("capacity")[:1]
            )
        )
    items = items.annotate(
        protocol_number=Subquery(
            Protocol.objects.filter(meeting=OuterRef("meeting"), status=P.SIGNED).values("registration_number")[:1]
        )
    ).order_by("-meeting__starts_at", "order")
    rows: dict[int, dict] = {}
    allowed: dict[str, bool] = {}  # capacity -> may this user see items about this student
    for item in items:
        capacity = MeetingAccess.MANAGE if manager else item.capacity
        if capacity not in allowed:
            if capacity == MeetingAccess.LECTURER:
                allowed[capacity] = application.student_id in taught_students(user, {application.student_id})
            elif capacity == MeetingAccess.GUEST:
                allowed[capacity] = bool(own_students(user, {application.student_id}))
            else:
                allowed[capacity] = True
        if not allowed[capacity]:
            continue
        row = rows.setdefault(item.meeting_id, {"meeting": item.meeting, "number": item.protocol_number, "topics": []})
        row["topics"].append(item.get_topic_display())
    return list(rows.values())


def route_decisions(route: Route) -> list[ProtocolItem]:
    """Decisions of registered protocols (the versions in force) about this route version, oldest first.

    Only what was decided, the kind of decision, the vote and the support measures: never what was heard.
    """
    return list(
        ProtocolItem.objects.filter(item__route=route, protocol__status=P.SIGNED)
        .select_related("protocol__meeting", "item")
        .order_by("protocol__registered_at", "item__order")
    )


@dataclass
class TeamDecision:
    """What the interdisciplinary team decided on a route version's support measures (regulation §10 d)."""

    decisions: list  # the signed protocols' records approving or changing its measures, oldest first
    planned: list  # agenda items about this route on meetings not yet signed (the decision is still to come)

    @property
    def latest(self):
        return self.decisions[-1] if self.decisions else None

    @property
    def approves(self) -> bool:
        """The latest decision on the measures approves them (a later "change the measures" takes it back)."""
        return self.latest is not None and self.latest.outcome == ProtocolItem.Outcome.APPROVE_MEASURES


def team_decision_on(route: Route) -> TeamDecision:
    """The team's decisions on `route`'s support measures (which meeting, the decision, the vote), and the
    meetings still to decide on them. Two queries; never what was heard."""
    decisions = list(
        ProtocolItem.objects.filter(
            item__route=route, protocol__status=P.SIGNED, outcome__in=ProtocolItem.MEASURE_OUTCOMES
        )
        .select_related("protocol__meeting", "item")
        .prefetch_related("measures")
        .order_by("protocol__registered_at", "item__order")
    )
    planned = list(
        AgendaItem.objects.filter(route=route, meeting__status__in=[M.PLANNED, M.HELD])
        .select_related("meeting")
        .order_by("meeting__starts_at")
    )
    return TeamDecision(decisions=decisions, planned=planned)


# --- Home page ----------------------------------------------------------------------------------------------

# Whose home section gets the meeting lines, when a person holds several roles.
HOME_ROLES = (Role.CENTRE_HEAD, Role.SPECIALIST, Role.LECTURER, Role.STUDENT, Role.REPRESENTATIVE)


def meeting_home_items(user: User) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(items, links) for the home page: the next meetings, and for the centre head the protocols waiting for
    other people's signatures. A protocol waiting for the user's own signature is in their work list
    (routes.selectors.work), shown above the blocks: it is not repeated here."""
    manager = permissions.can_manage_meetings(user)
    items: list[tuple[str, str]] = []
    upcoming = meetings_for(user, Tab.UPCOMING)[:5]
    for meeting in upcoming:
        start = timezone.localtime(meeting.starts_at)
        answer = MeetingMember.Invitation(meeting.my_answer).label if meeting.my_answer else ""
        text = _("Team meeting on %(date)s at %(time)s") % {
            "date": start.strftime("%d.%m.%Y"),
            "time": start.strftime("%H:%M"),
        }
        items.append((f"{text}: {answer}" if answer else text, reverse("routes:meeting", args=[meeting.pk])))
    if manager:
        items.extend(_protocols_of_others(user))
    links = []
    if manager:
        links.append((reverse("routes:meeting_new"), _("Plan a team meeting")))
    if manager or items or TeamMeetingUserObjectPermission.objects.filter(user=user).exists():
        links.append((reverse("routes:meetings"), _("All team meetings")))
    return items, links


def _protocols_of_others(user: User) -> list[tuple[str, str]]:
    """Draft protocols the centre head does not sign themselves (or has signed), each named by its meeting's date
    and time: two meetings of one day must not read as the same line."""
    own = Q(meeting__chair=user, chair_signed_at__isnull=True) | Q(
        meeting__secretary=user, secretary_signed_at__isnull=True
    )
    drafts = Protocol.objects.filter(status=P.DRAFT).exclude(own).select_related("meeting")
    items = []
    for protocol in drafts.order_by("meeting__starts_at", "pk")[:5]:
        start = timezone.localtime(protocol.meeting.starts_at)
        text = _("The protocol of the team meeting of %(date)s at %(time)s is waiting for signatures") % {
            "date": start.strftime("%d.%m.%Y"),
            "time": start.strftime("%H:%M"),
        }
        items.append((text, reverse("routes:meeting_protocol", args=[protocol.meeting_id])))
    return items
