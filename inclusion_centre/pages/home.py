"""The home page: for each of the user's roles, what awaits them, read from the apps that hold it."""

import datetime
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.models import AccessLog
from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.roles import Role
from routes.selectors.meeting import HOME_ROLES, meeting_home_items
from routes.selectors.work import WorkItem, has_work_list, work_counts, work_of
from students import selectors as student_selectors
from students.stages import label_stages


@dataclass
class HomeItem:
    text: str
    url: str
    urgent: bool = False


@dataclass
class WorkSummary:
    """What the user owes, by when: the first items of their work list (routes.selectors.work) and its counts."""

    items: list[WorkItem]
    total: int
    overdue: int
    today: datetime.date


# How many items of the work list the home page shows; the rest are one link away.
WORK_ON_HOME = 5


@dataclass
class HomeSection:
    """One block of a user's home page: what awaits them in one of their roles."""

    role: Role
    title: str
    intro: str
    items: list = field(default_factory=list)
    empty_text: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)


_SECTIONS = {
    Role.STUDENT: (
        _("Your applications"),
        _("Here you apply for inclusive-education conditions and follow your case step by step."),
        _("You have no applications yet."),
    ),
    Role.REPRESENTATIVE: (
        _("Students you represent"),
        _("Here you apply and follow the case of each student you represent."),
        _("No applications for the students you represent yet."),
    ),
    Role.SPECIALIST: (
        _("Cases assigned to you"),
        _("Assessments to record and routes to draft for the cases assigned to you."),
        _("No cases are assigned to you at the moment."),
    ),
    Role.CENTRE_HEAD: (
        _("Centre inbox"),
        _("Applications to register, specialists to assign, conclusions to sign and overdue steps."),
        _("Nothing is waiting for you."),
    ),
    Role.LECTURER: (
        _("Routes to agree"),
        _("Sections of individual educational routes for the courses you teach, waiting for your agreement."),
        _("No route sections are waiting for your agreement."),
    ),
    Role.ADMINISTRATION: (
        _("Routes to approve"),
        _("Individual educational routes agreed by every lecturer and waiting for approval."),
        _("No routes are waiting for approval."),
    ),
    Role.AUDITOR: (
        _("Audit"),
        _("The audit trail and the log of access to personal data."),
        _("No audit events to review."),
    ),
    Role.SYSADMIN: (
        _("System administration"),
        _("Users, roles and reference data."),
        "",
    ),
    Role.EXAM_OFFICE: (
        _("Exam office"),
        _("The exams of every course, their timetable, rooms and the day's arranged exams."),
        "",
    ),
}


def home_context(user: User) -> dict:
    """The home page: the summary of the user's work list (None for roles that have none) and a block per role."""
    today = timezone.localdate()
    work = work_of(user, today=today) if has_work_list(user) else None
    summary = None
    if work is not None:
        total, overdue = work_counts(work, today)
        summary = WorkSummary(items=work[:WORK_ON_HOME], total=total, overdue=overdue, today=today)
    return {"sections": home_sections_for(user, work or []), "work": summary}


def home_sections_for(user: User, work: list[WorkItem] | None = None) -> list[HomeSection]:
    """The home page blocks for each of the user's roles, in the order of the Role enumeration. `work` is the
    user's work list, already read: the blocks pick their own kinds of work from it."""
    sections = []
    applications = _Applications(user)
    for role in user.roles:
        title, intro, empty_text = _SECTIONS[role]
        section = HomeSection(role=role, title=title, intro=intro, empty_text=empty_text)
        _FILL[role](user, section, applications, work or [])
        sections.append(section)
    _add_meetings(user, sections)
    return sections


class _Applications:
    """The user's latest applications, read once for the student and the representative blocks alike."""

    def __init__(self, user: User):
        self.user = user
        self._rows = None

    def latest(self) -> list:
        if self._rows is None:
            self._rows = list(student_selectors.applications_of(self.user)[:10])
        return self._rows


def _applicant(user: User, section: HomeSection, applications: _Applications, work: list) -> None:
    section.items = [
        HomeItem(
            # Two cases of one student read apart: the number (or the date), and the stage the case has reached.
            text=f"{application.student.user.full_name}, {application.case_label}: {application.stage_label}",
            url=reverse("students:application_detail", args=[application.public_id]),
        )
        for application in label_stages(applications.latest())
    ]
    if student_selectors.students_for_new_application(user).exists():
        section.links.append((reverse("students:application_start"), _("Start a new application")))
    section.links.append((reverse("students:my_applications"), _("All applications")))
    section.links.append((reverse("audit:my_file"), _("Who has opened my file")))
    section.links.append((reverse("routes:appeals"), _("My appeals")))
    if section.role == Role.STUDENT:
        section.links.append((reverse("routes:service_requests"), _("Ask for an interpreter, materials or equipment")))
        section.links.append((reverse("routes:delivery_surveys"), _("Was the support provided?")))
    section.links.append((reverse("routes:exam_sessions"), _("Exam sessions")))


def _centre_head(user: User, section: HomeSection, applications: _Applications, work: list) -> None:
    counts = student_selectors.inbox_counts(user)
    inbox = reverse("students:inbox")
    if counts["submitted"]:
        section.items.append(
            HomeItem(
                text=_("Applications waiting for registration: %(count)s") % {"count": counts["submitted"]},
                url=f"{inbox}?status=submitted",
            )
        )
    if counts["overdue"]:
        section.items.append(
            HomeItem(
                text=_("Overdue: %(count)s") % {"count": counts["overdue"]},
                url=f"{inbox}?overdue=on",
                urgent=True,
            )
        )
    for item in work:
        if item.kind == "sign_conclusion":  # every one: the head signs each, and they are few
            section.items.append(
                HomeItem(
                    text=_("Conclusion for %(name)s awaits your signature: sign by %(date)s")
                    % {"name": item.subject, "date": item.due.strftime("%d.%m.%Y")},
                    url=item.url,
                    urgent=item.is_overdue(timezone.localdate()),
                )
            )
    section.links.append((inbox, _("Open the inbox")))
    section.links.append((reverse("routes:dashboard"), _("Open the dashboard")))
    section.links.append((reverse("routes:reports"), _("Reports")))
    _service_links(section)
    section.links.append((reverse("routes:delivery_surveys"), _("End-of-term delivery surveys")))
    _appeal_links(section)


def _appeal_links(section: HomeSection) -> None:
    section.links.append((reverse("routes:appeal_queue"), _("Appeals to review")))
    section.links.append((reverse("audit:disclosures"), _("Register of disclosures")))


def _service_links(section: HomeSection) -> None:
    section.links.append((reverse("routes:service_request_queue"), _("Service requests")))
    section.links.append((reverse("routes:equipment"), _("Assistive equipment")))
    section.links.append((reverse("routes:exam_sessions"), _("Exam sessions")))


def _specialist(user: User, section: HomeSection, applications: _Applications, work: list) -> None:
    # What the specialist owes is in the work list above the blocks, uncapped one link away; this block leads to
    # the cases themselves.
    section.empty_text = ""
    section.links.append((reverse("students:my_applications"), _("All cases assigned to you")))
    _service_links(section)


def _lecturer(user: User, section: HomeSection, applications: _Applications, work: list) -> None:
    section.empty_text = ""  # the sections waiting for an answer are in the work list
    section.links.append((reverse("routes:agreements"), _("All routes to agree")))
    section.links.append((reverse("students:application_start"), _("Refer a student to the centre")))
    section.links.append((reverse("routes:delivery_surveys"), _("Was the support provided?")))
    section.links.append((reverse("routes:exam_sessions"), _("Exam sessions")))


def _administration(user: User, section: HomeSection, applications: _Applications, work: list) -> None:
    section.empty_text = ""  # the routes waiting for approval are in the work list
    section.links.append((reverse("routes:approvals"), _("All routes to approve")))
    section.links.append((reverse("routes:reports"), _("Reports")))
    _appeal_links(section)


def _auditor(user: User, section: HomeSection, applications: _Applications, work: list) -> None:
    today = timezone.localdate()
    start = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    section.items.append(
        HomeItem(
            text=_("Reads of personal data today: %(count)s")
            % {"count": AccessLog.objects.filter(created_at__gte=start).count()},
            url=f"{reverse('audit:access_log')}?date_from={today:%Y-%m-%d}",
        )
    )
    section.links.append((reverse("audit:access_log"), _("Open the access log")))
    section.links.append((reverse("audit:index"), _("Open the history of a record")))
    section.links.append((reverse("audit:disclosures"), _("Register of disclosures")))


def _sysadmin(user: User, section: HomeSection, applications: _Applications, work: list) -> None:
    section.links.append(("/admin/", _("Open the administration site")))
    section.links.append((reverse("students:reference_import"), _("Import reference data")))


def _exam_office(user: User, section: HomeSection, applications: _Applications, work: list) -> None:
    section.links.append((reverse("routes:exam_sessions"), _("Exam sessions")))
    section.links.append((reverse("routes:exam_sessions_import"), _("Import a timetable")))
    section.links.append((reverse("routes:exam_day"), _("Exams of the day by room")))
    section.links.append(("/admin/routes/room/", _("Exam rooms")))


_FILL = {
    Role.STUDENT: _applicant,
    Role.REPRESENTATIVE: _applicant,
    Role.CENTRE_HEAD: _centre_head,
    Role.SPECIALIST: _specialist,
    Role.LECTURER: _lecturer,
    Role.ADMINISTRATION: _administration,
    Role.AUDITOR: _auditor,
    Role.SYSADMIN: _sysadmin,
    Role.EXAM_OFFICE: _exam_office,
}


def _add_meetings(user: User, sections: list[HomeSection]) -> None:
    """The next team meetings and the protocols waiting for the user's signature, in one section only (the
    first of centre head, specialist, lecturer, student, representative that the user holds)."""
    target = next((s for role in HOME_ROLES for s in sections if s.role == role), None)
    if target is None:
        return
    items, links = meeting_home_items(user)
    target.items.extend(HomeItem(text=text, url=url) for text, url in items)
    target.links.extend(links)
