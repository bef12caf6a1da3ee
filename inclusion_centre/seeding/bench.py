"""Seed the scale benchmark's data set (`make bench`, bench/run.py) into an empty, migrated database.

The rows are written in bulk, with their history: `bulk_create_with_history` for the domain objects, and, for the
two tables that make the data set large (enrolments and the access log), COPY followed by one INSERT ... SELECT
that writes their history rows. Every history row names the seeding user. Nothing is sent or queued; the
single PDF the benchmark downloads is rendered here, by the same code the documents worker runs.

Refuses to run unless the database's name ends in "bench": it creates thousands of users with one published
password.
"""

import datetime
import time
from contextlib import contextmanager

from django.apps import apps
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.utils import bulk_create_with_history

from audit.models import AccessLog, StatusChange
from documents.models import RegisteredDocument, RegistrationCounter
from inclusion_centre.accounts.models import StaffProfile, User
from inclusion_centre.accounts.roles import Role
from routes.grant_facts import grant_from_facts
from routes.models import (
    AgendaItem,
    Agreement,
    Assessment,
    Assignment,
    Attendance,
    Conclusion,
    MeetingMember,
    Protocol,
    ProtocolItem,
    Route,
    RouteSection,
    TeamMeeting,
)
from routes.services.route import content_digest, section_fingerprint
from students.models import (
    AcademicTerm,
    Application,
    Consent,
    ConsentText,
    Course,
    Enrolment,
    Faculty,
    NeedCategory,
    Programme,
    Student,
    StudyGroup,
    TeachingAssignment,
)

BENCH_PASSWORD = "bench-centre-2026"  # noqa: S105 -- published; the command runs only on a *bench database

SCALE = {
    "students": 20_000,
    "lecturers": 500,
    "courses": 1_500,
    "applications": 3_000,
    "routes": 2_000,
    "sections_per_route": 6,
    "protocols": 300,
    "courses_per_term": 6,
    "access_log": 420_000,
}

# How the 3,000 applications spread over the states; the concluded and closed ones carry the routes.
APPLICATION_STATES = [
    (Application.Status.DRAFT, 120),
    (Application.Status.SUBMITTED, 180),
    (Application.Status.REGISTERED, 150),
    (Application.Status.UNDER_ASSESSMENT, 200),
    (Application.Status.CONCLUDED, 2_100),
    (Application.Status.CLOSED, 100),
    (Application.Status.REJECTED, 100),
    (Application.Status.WITHDRAWN, 50),
]
_PATH = {
    Application.Status.DRAFT: ["draft"],
    Application.Status.SUBMITTED: ["draft", "submitted"],
    Application.Status.REGISTERED: ["draft", "submitted", "registered"],
    Application.Status.UNDER_ASSESSMENT: ["draft", "submitted", "registered", "under_assessment"],
    Application.Status.CONCLUDED: ["draft", "submitted", "registered", "under_assessment", "concluded"],
    Application.Status.CLOSED: ["draft", "submitted", "registered", "under_assessment", "concluded", "closed"],
    Application.Status.REJECTED: ["draft", "submitted", "rejected"],
    Application.Status.WITHDRAWN: ["draft", "submitted", "withdrawn"],
}
ROUTE_STATES = [
    (Route.Status.DRAFT, 200),
    (Route.Status.IN_AGREEMENT, 500),
    (Route.Status.IN_APPROVAL, 300),
    (Route.Status.IN_FORCE, 900),
    (Route.Status.COMPLETED, 100),
]
_ROUTE_PATH = {
    Route.Status.DRAFT: ["draft"],
    Route.Status.IN_AGREEMENT: ["draft", "in_agreement"],
    Route.Status.IN_APPROVAL: ["draft", "in_agreement", "in_approval"],
    Route.Status.IN_FORCE: ["draft", "in_agreement", "in_approval", "in_force"],
    Route.Status.COMPLETED: ["draft", "in_agreement", "in_approval", "in_force", "completed"],
}
FIRST_NAMES = ["Айгерім", "Нұрлан", "Мадина", "Ерболат", "Аружан", "Данияр", "Жансая", "Ілияс", "Томирис", "Арман"]
LAST_NAMES = ["Нұрланова", "Серікұлы", "Омарова", "Бекзатұлы", "Ахметова", "Ким", "Петров", "Жұмабаев", "Рахимова"]


def _spread(weights: list[tuple[str, int]], total: int) -> list[str]:
    """`total` states in the proportions of `weights`, each state at least once (the benchmark's weights sum to
    its totals, so there the counts are exactly the weights)."""
    whole = sum(count for _, count in weights)
    counts = [max(1, round(count * total / whole)) for _, count in weights]
    counts[-1] = max(1, counts[-1] + total - sum(counts))
    return [status for (status, _), count in zip(weights, counts, strict=True) for _ in range(count)]


@contextmanager
def _dated(model, field_name: str):
    """Let bulk_create keep the `auto_now_add` field's given value: a seeded past is spread over past dates."""
    field = model._meta.get_field(field_name)
    field.auto_now_add = False
    try:
        yield
    finally:
        field.auto_now_add = True


def _name(i: int) -> str:
    return f"{LAST_NAMES[i % len(LAST_NAMES)]} {FIRST_NAMES[(i // 7) % len(FIRST_NAMES)]} {i}"


def _history_columns(model) -> tuple[list[str], list[str]]:
    """Columns of `model`'s history table, and the SELECT expressions that fill them from `model`'s table."""
    source = {f.column for f in model._meta.concrete_fields}
    targets, values = [], []
    for field in model.history.model._meta.concrete_fields:
        if field.column == "history_id":
            continue
        targets.append(f'"{field.column}"')
        if field.column == "history_date":
            values.append("%(now)s")
        elif field.column == "history_change_reason":
            values.append("NULL")
        elif field.column == "history_type":
            values.append("'+'")
        elif field.column == "history_user_id":
            values.append("%(user)s")
        elif field.column in source:
            values.append(f'"{field.column}"')
        else:
            raise CommandError(f"Cannot fill {model.history.model.__name__}.{field.column} from {model.__name__}")
    return targets, values


def copy_with_history(model, columns: list[str], rows, *, user: User) -> int:
    """COPY `rows` into `model`'s table, then write a creation history row for each (one INSERT ... SELECT).

    On SQLite (the tests' default database) the rows go through bulk_create_with_history instead."""
    table = model._meta.db_table
    if connection.vendor != "postgresql":
        objects = [model(**dict(zip(columns, row, strict=True))) for row in rows]
        bulk_create_with_history(objects, model, batch_size=2000, default_user=user)
        return len(objects)
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT coalesce(max("id"), 0) FROM "{table}"')  # noqa: S608 -- table names from models
        start = cursor.fetchone()[0]
        with cursor.cursor.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
            count = 0
            for row in rows:
                copy.write_row(row)
                count += 1
        targets, values = _history_columns(model)
        cursor.execute(
            f'INSERT INTO "{model.history.model._meta.db_table}" ({", ".join(targets)}) '  # noqa: S608
            f'SELECT {", ".join(values)} FROM "{table}" WHERE "id" > %(start)s',
            {"now": timezone.now(), "user": user.pk, "start": start},
        )
    return count


class Seeder:
    """Writes the data set; `scale` gives the numbers (SCALE for the benchmark, smaller ones in the tests)."""

    def __init__(self, scale: dict | None = None, *, log=None):
        self.scale = {**SCALE, **(scale or {})}
        self.now = timezone.now()
        self.today = timezone.localdate()
        self._log = log
        self._t0 = time.monotonic()

    def seed(self) -> None:
        with transaction.atomic():
            self.seed_people()
            self.log("people")
            self.seed_structure()
            self.log("academic structure")
            self.seed_applications()
            self.log("applications")
            self.seed_routes()
            self.log("routes")
            self.seed_meetings()
            self.log("meetings")
            grant_from_facts(apps.get_model)  # the object grants services would have written
            self.log("object grants")
            self.seed_documents()
            self.log("documents")
            self.seed_access_log()
            self.log("access log")

    def log(self, what: str) -> None:
        if self._log:
            self._log(f"  seeded {what} ({time.monotonic() - self._t0:.1f} s)")
        self._t0 = time.monotonic()

    def _bulk(self, objects: list, model, *, batch_size: int = 2000) -> list:
        """Write `objects` of `model` with their creation history rows, naming the seeding user."""
        return bulk_create_with_history(objects, model, batch_size=batch_size, default_user=self.seeder)

    def _status_changes(self, changes: list[StatusChange]) -> None:
        """Write status changes dated in the seeded past (their `created_at` as given)."""
        with _dated(StatusChange, "created_at"):
            self._bulk(changes, StatusChange)

    # --- People ---------------------------------------------------------------------------------------------

    def _users(self, rows: list[tuple[str, str]], role: Role) -> list[User]:
        users = self._bulk(
            [
                User(email=email, full_name=full_name, password=self.password, date_joined=self.now)
                for email, full_name in rows
            ],
            User,
        )
        group = self.groups[role.value]
        User.groups.through.objects.bulk_create(
            [User.groups.through(user_id=user.pk, group_id=group.pk) for user in users], batch_size=5000
        )
        return users

    def _numbered_users(self, kind: str, count: int, role: Role) -> list[User]:
        return self._users([(f"{kind}{i}@bench.invalid", _name(i)) for i in range(count)], role)

    def seed_people(self):
        self.password = make_password(BENCH_PASSWORD)
        self.seeder = User(email="seed@bench.invalid", full_name="Benchmark seeding")
        self.seeder.set_unusable_password()
        self.seeder.save()
        self.groups = {group.name: group for group in Group.objects.all()}
        self.head = self._users([("head@bench.invalid", "Бекмұханов Ерлан")], Role.CENTRE_HEAD)[0]
        self.specialists = self._numbered_users("specialist", 12, Role.SPECIALIST)
        self.administration = self._numbered_users("administration", 3, Role.ADMINISTRATION)
        self.auditor = self._users([("auditor@bench.invalid", "Қасымова Әсел")], Role.AUDITOR)[0]
        self.lecturers = self._numbered_users("lecturer", self.scale["lecturers"], Role.LECTURER)
        staff = [self.head, *self.specialists, *self.administration, self.auditor, *self.lecturers]
        self._bulk(
            [StaffProfile(user=user, position="Оқытушы" if user in self.lecturers else "Маман") for user in staff],
            StaffProfile,
        )
        self.student_users = self._numbered_users("student", self.scale["students"], Role.STUDENT)

    # --- Academic structure ---------------------------------------------------------------------------------

    def seed_structure(self):
        programmes, groups = self._seed_programmes_and_groups()
        self._seed_terms()
        self._seed_courses()
        self._seed_students(programmes, groups)
        self.log("students")
        self._seed_enrolments()

    def _seed_programmes_and_groups(self) -> tuple[list[Programme], list[StudyGroup]]:
        faculties = self._bulk(
            [Faculty(external_id=f"F{i}", name_kk=f"Факультет {i}", name_ru=f"Факультет {i}") for i in range(5)],
            Faculty,
        )
        programmes = self._bulk(
            [
                Programme(
                    external_id=f"P{i}",
                    faculty=faculties[i % 5],
                    code=f"6B{i:05d}",
                    name_kk=f"Бағдарлама {i}",
                    name_ru=f"Программа {i}",
                )
                for i in range(40)
            ],
            Programme,
        )
        groups = self._bulk(
            [
                StudyGroup(
                    external_id=f"G{i}", programme=programmes[i % 40], name=f"Г-{i}", admission_year=2023 + i % 4
                )
                for i in range(400)
            ],
            StudyGroup,
        )
        return programmes, groups

    def _seed_terms(self) -> None:
        year = self.today.year if self.today.month >= 9 else self.today.year - 1
        self.terms = self._bulk(
            [
                AcademicTerm(
                    external_id=f"T{y}-{n}",
                    academic_year=f"{y}-{y + 1}",
                    number=n,
                    starts_on=datetime.date(y, 9, 1) if n == 1 else datetime.date(y + 1, 1, 15),
                    ends_on=datetime.date(y, 12, 31) if n == 1 else datetime.date(y + 1, 5, 31),
                )
                for y in (year - 1, year)
                for n in (1, 2)
            ],
            AcademicTerm,
        )
        # The term under way (between terms: the one that started last); routes are drafted for it.
        self.current_term = max((t for t in self.terms if t.starts_on <= self.today), key=lambda t: t.starts_on)

    def _seed_courses(self) -> None:
        self.courses = self._bulk(
            [
                Course(external_id=f"C{i}", code=f"CRS{i:04d}", name_kk=f"Пән {i}", name_ru=f"Дисциплина {i}")
                for i in range(self.scale["courses"])
            ],
            Course,
        )
        # Course i is taught by lecturer i mod 500 in every term.
        self._bulk(
            [
                TeachingAssignment(lecturer=self.lecturers[i % self.scale["lecturers"]], course=course, term=term)
                for i, course in enumerate(self.courses)
                for term in self.terms
            ],
            TeachingAssignment,
        )

    def _seed_students(self, programmes: list[Programme], groups: list[StudyGroup]) -> None:
        self.students = self._bulk(
            [
                Student(
                    user=user,
                    external_id=f"S{i}",
                    programme=programmes[i % 40],
                    group=groups[i % 400],
                    year_of_study=1 + i % 4,
                    date_of_birth=datetime.date(2000 + i % 8, 1 + i % 12, 1 + i % 28),
                )
                for i, user in enumerate(self.student_users)
            ],
            Student,
        )

    def _seed_enrolments(self) -> None:
        """Six courses a term for every student, in every term: the largest table of the data set."""
        per_term = self.scale["courses_per_term"]
        course_ids = [c.pk for c in self.courses]

        def enrolments():
            for i, student in enumerate(self.students):
                for t, term in enumerate(self.terms):
                    for k in range(per_term):
                        yield (student.pk, course_ids[(i * 7 + t * 13 + k * 251) % len(course_ids)], term.pk)

        copy_with_history(Enrolment, ["student_id", "course_id", "term_id"], enrolments(), user=self.seeder)

    def courses_of(self, i: int, term: AcademicTerm) -> list[Course]:
        t = self.terms.index(term)
        return [
            self.courses[(i * 7 + t * 13 + k * 251) % len(self.courses)] for k in range(self.scale["courses_per_term"])
        ]

    # --- Applications, assessments, conclusions -------------------------------------------------------------

    def seed_applications(self):
        self._seed_application_rows()
        self._seed_categories_and_consents()
        self._seed_application_changes()
        self._seed_assessments()
        self._seed_conclusions()

    def _application(self, n: int, status: str) -> Application:
        i = self.case_student_index[n]
        days_ago = 5 + (n * 37) % 400
        submitted = self.now - datetime.timedelta(days=days_ago) if status != Application.Status.DRAFT else None
        registered = (
            submitted + datetime.timedelta(days=2)
            if submitted and status not in {Application.Status.SUBMITTED, Application.Status.REJECTED}
            else None
        )
        return Application(
            student=self.students[i],
            filed_by=self.student_users[i],
            filed_as=Application.FiledAs.STUDENT,
            status=status,
            description="Дәрістерді жазып алуға көмек керек.",
            contact_channel=Application.ContactChannel.EMAIL,
            submitted_at=submitted,
            registered_at=registered,
            registration_number=f"ӨТ-{self.today.year}/{n + 1:04d}" if registered else None,
            rejection_reason="Құжаттар толық емес." if status == Application.Status.REJECTED else "",
        )

    def _seed_application_rows(self) -> None:
        states = _spread(APPLICATION_STATES, self.scale["applications"])
        # Students spread over the whole list, so the cases' students are not all in one group.
        step = max(1, self.scale["students"] // len(states))
        self.case_student_index = {n: (n * step) % self.scale["students"] for n in range(len(states))}
        applications = [self._application(n, status) for n, status in enumerate(states)]
        self.applications = self._bulk(applications, Application, batch_size=1000)

    def _seed_categories_and_consents(self) -> None:
        consent_text = ConsentText.objects.order_by("-effective_from").first()
        categories = list(NeedCategory.objects.all())
        through = Application.categories.through
        through.objects.bulk_create(
            [
                through(application_id=a.pk, needcategory_id=categories[n % len(categories)].pk)
                for n, a in enumerate(self.applications)
            ]
        )
        self._bulk(
            [
                Consent(
                    application=a,
                    text=consent_text,
                    language="kk",
                    channel=Consent.Channel.ONLINE,
                    given_by=a.filed_by,
                    given_at=a.submitted_at,
                )
                for a in self.applications
                if a.submitted_at
            ],
            Consent,
            batch_size=1000,
        )

    def _seed_application_changes(self) -> None:
        application_type = ContentType.objects.get_for_model(Application)
        changes = []
        for a in self.applications:
            path = _PATH[a.status]
            start = (a.submitted_at or self.now) - datetime.timedelta(days=1)
            for k, status in enumerate(path):
                changes.append(
                    StatusChange(
                        content_type=application_type,
                        object_id=a.pk,
                        from_status=path[k - 1] if k else "",
                        to_status=status,
                        actor=a.filed_by if k < 2 else self.head,
                        created_at=min(self.now, start + datetime.timedelta(days=[0, 1, 3, 5, 15, 40][k])),
                    )
                )
        self._status_changes(changes)

    def _seed_assessments(self) -> None:
        assessed = [a for a in self.applications if a.status in _ASSESSED]
        assignments = self._bulk(
            [
                Assignment(
                    application=a,
                    specialist=self.specialists[n % len(self.specialists)],
                    area="cognitive",
                    assigned_by=self.head,
                )
                for n, a in enumerate(assessed)
            ],
            Assignment,
            batch_size=1000,
        )
        assessments = []
        for assignment in assignments:
            ongoing = assignment.application.status == Application.Status.UNDER_ASSESSMENT
            assessments.append(
                Assessment(
                    assignment=assignment,
                    status=Assessment.Status.DRAFT if ongoing else Assessment.Status.FINISHED,
                    findings="Ақпаратты қабылдау жылдамдығы төмен.",
                    finished_at=None if ongoing else self.now - datetime.timedelta(days=30),
                )
            )
        self._bulk(assessments, Assessment, batch_size=1000)

    def _seed_conclusions(self) -> None:
        concluded = [a for a in self.applications if a.status in _CONCLUDED]
        self.conclusions = self._bulk(
            [
                Conclusion(
                    application=a,
                    status=Conclusion.Status.SIGNED,
                    analysis="Оқу материалдарын бейімдеу қажет.",
                    support_level=Conclusion.SupportLevel.TARGETED,
                    drafted_by=self.specialists[n % len(self.specialists)],
                    registration_number=f"ҚОР-{self.today.year}/{n + 1:04d}",
                    signed_by=self.head,
                    signed_at=a.registered_at + datetime.timedelta(days=10),
                )
                for n, a in enumerate(concluded)
            ],
            Conclusion,
            batch_size=1000,
        )

    # --- Routes, sections, agreements -----------------------------------------------------------------------

    def seed_routes(self):
        states = _spread(ROUTE_STATES, min(self.scale["routes"], len(self.conclusions)))
        routes = [
            self._route(n, conclusion, status)
            for n, (conclusion, status) in enumerate(zip(self.conclusions, states, strict=False))
        ]
        self.routes = self._bulk(routes, Route, batch_size=1000)
        sections = self._seed_sections()
        self._seed_agreements(sections)
        self._seed_route_changes()

    def _route(self, n: int, conclusion: Conclusion, status: str) -> Route:
        sent = self.now - datetime.timedelta(days=1 + n % 20)
        approved = status in Route.APPROVED
        return Route(
            application=conclusion.application,
            conclusion=conclusion,
            status=status,
            academic_year=self.current_term.academic_year,
            term=self.current_term,
            goals="Оқу бағдарламасын толық меңгеру.",
            support_level=Conclusion.SupportLevel.TARGETED,
            tutor=self.specialists[n % len(self.specialists)],
            drafted_by=self.specialists[n % len(self.specialists)],
            agreement_round=0 if status == Route.Status.DRAFT else 1,
            sent_for_agreement_at=None if status == Route.Status.DRAFT else sent - datetime.timedelta(days=5),
            sent_for_approval_at=sent if status not in _BEFORE_APPROVAL else None,
            registration_number=f"ЖББМ-{self.today.year}/{n + 1:04d}" if approved else None,
            approved_by=self.administration[0] if approved else None,
            approved_at=sent + datetime.timedelta(days=2) if approved else None,
            first_review_on=self.today + datetime.timedelta(days=n % 90 - 20),
        )

    def _seed_sections(self) -> list[RouteSection]:
        index_of = {a.pk: n for n, a in enumerate(self.applications)}
        course_index = {course.pk: n for n, course in enumerate(self.courses)}
        sections = []
        for route in self.routes:
            i = self.case_student_index[index_of[route.application_id]]
            for order, course in enumerate(self.courses_of(i, self.current_term)):
                sections.append(
                    RouteSection(
                        route=route,
                        course=course,
                        term=self.current_term,
                        lecturer=self.lecturers[course_index[course.pk] % self.scale["lecturers"]],
                        content_adaptation="Материалдар электронды түрде алдын ала беріледі.",
                        methods="Қосымша консультациялар.",
                        assessment_forms="Жазбаша емтихан уақыты 1,5 есе ұзартылады.",
                        order=order,
                    )
                )
        return self._bulk(sections, RouteSection)

    def _seed_agreements(self, sections: list[RouteSection]) -> None:
        by_route = {route.pk: route for route in self.routes}
        agreements = []
        for section in sections:
            route = by_route[section.route_id]
            if route.status == Route.Status.DRAFT:
                continue
            general = content_digest(
                [route.goals, route.support_level, route.tutor_id, route.timetable, route.methods, []]
            )
            pending = route.status == Route.Status.IN_AGREEMENT and section.order % 2 == 0
            agreements.append(
                Agreement(
                    section=section,
                    route=route,
                    lecturer_id=section.lecturer_id,
                    round=1,
                    fingerprint=section_fingerprint(section, general[:32]),
                    status=Agreement.Status.PENDING if pending else Agreement.Status.AGREED,
                    requested_at=route.sent_for_agreement_at,
                    due_on=timezone.localdate(route.sent_for_agreement_at) + datetime.timedelta(days=7),
                    decided_at=None if pending else route.sent_for_agreement_at + datetime.timedelta(days=2),
                )
            )
        self._bulk(agreements, Agreement)

    def _seed_route_changes(self) -> None:
        route_type = ContentType.objects.get_for_model(Route)
        changes = [
            StatusChange(
                content_type=route_type,
                object_id=route.pk,
                from_status=path[k - 1] if k else "",
                to_status=status,
                actor=self.administration[0] if status in Route.APPROVED else route.drafted_by,
                created_at=[
                    (route.sent_for_agreement_at or self.now) - datetime.timedelta(days=3),
                    route.sent_for_agreement_at,
                    route.sent_for_approval_at,
                    route.approved_at,
                    self.now,
                ][k],
            )
            for route in self.routes
            for path in [_ROUTE_PATH[route.status]]
            for k, status in enumerate(path)
        ]
        self._status_changes(changes)

    # --- Team meetings and protocols ------------------------------------------------------------------------

    def seed_meetings(self):
        meetings = self._bulk(
            [
                TeamMeeting(
                    starts_at=self.now - datetime.timedelta(days=3 + n, hours=2),
                    ends_at=self.now - datetime.timedelta(days=3 + n, hours=1),
                    place="Орталық, 101",
                    chair=self.head,
                    secretary=self.specialists[n % len(self.specialists)],
                    status=TeamMeeting.Status.SIGNED if n >= 20 else TeamMeeting.Status.HELD,
                    planned_by=self.head,
                )
                for n in range(self.scale["protocols"])
            ],
            TeamMeeting,
            batch_size=1000,
        )
        members, items = self._seed_members_and_agenda(meetings)
        self.protocols = self._bulk([self._protocol(n, m) for n, m in enumerate(meetings)], Protocol, batch_size=1000)
        self._seed_protocol_rows(members, items)

    def _seed_members_and_agenda(self, meetings: list[TeamMeeting]) -> tuple[list, list]:
        members, items = [], []
        for n, meeting in enumerate(meetings):
            people = [
                (self.head, MeetingMember.Capacity.CENTRE),
                (self.specialists[n % len(self.specialists)], MeetingMember.Capacity.CENTRE),
                (self.lecturers[n % self.scale["lecturers"]], MeetingMember.Capacity.LECTURER),
            ]
            for user, capacity in people:
                members.append(
                    MeetingMember(
                        meeting=meeting, user=user, capacity=capacity, invitation=MeetingMember.Invitation.CONFIRMED
                    )
                )
            for k in range(3):
                route = self.routes[(n * 3 + k) % len(self.routes)]
                items.append(
                    AgendaItem(
                        meeting=meeting,
                        application_id=route.application_id,
                        route=route,
                        topic=AgendaItem.Topic.MEASURES,
                        order=k,
                    )
                )
        return self._bulk(members, MeetingMember), self._bulk(items, AgendaItem)

    def _protocol(self, n: int, meeting: TeamMeeting) -> Protocol:
        signed = meeting.status == TeamMeeting.Status.SIGNED
        return Protocol(
            meeting=meeting,
            status=Protocol.Status.SIGNED if signed else Protocol.Status.DRAFT,
            registration_number=f"ХТ-{self.today.year}/{n + 1:04d}" if signed else None,
            registered_at=meeting.ends_at if signed else None,
            chair_signed_by=self.head if signed else None,
            chair_signed_at=meeting.ends_at if signed else None,
            secretary_signed_by=meeting.secretary if signed else None,
            secretary_signed_at=meeting.ends_at if signed else None,
            created_by=meeting.secretary,
        )

    def _seed_protocol_rows(self, members: list[MeetingMember], items: list[AgendaItem]) -> None:
        by_meeting = {protocol.meeting_id: protocol for protocol in self.protocols}
        self._bulk(
            [
                Attendance(protocol=by_meeting[m.meeting_id], member=m, presence=Attendance.Presence.PRESENT)
                for m in members
            ],
            Attendance,
        )
        self._bulk(
            [
                ProtocolItem(
                    protocol=by_meeting[item.meeting_id],
                    item=item,
                    heard="Маманның баяндамасы.",
                    decision="Қолдау шараларын бекіту.",
                    outcome=ProtocolItem.Outcome.OTHER,
                    votes_for=3,
                )
                for item in items
            ],
            ProtocolItem,
        )

    # --- Registered documents -------------------------------------------------------------------------------

    def seed_documents(self):
        documents = []
        numbers: dict[str, int] = {}

        def add(source, document_type, number, student_id, registered_on):
            numbers[document_type] = numbers.get(document_type, 0) + 1
            documents.append(
                RegisteredDocument(
                    document_type=document_type,
                    content_type=ContentType.objects.get_for_model(source),
                    object_id=source.pk,
                    student_id=student_id,
                    number=number,
                    registered_on=registered_on,
                    registered_by=self.head,
                )
            )

        for a in self.applications:
            if a.registration_number:
                add(a, "application", a.registration_number, a.student_id, timezone.localdate(a.registered_at))
        for c in self.conclusions:
            add(c, "conclusion", c.registration_number, c.application.student_id, timezone.localdate(c.signed_at))
        for r in self.routes:
            if r.registration_number:
                add(r, "route", r.registration_number, r.application.student_id, timezone.localdate(r.approved_at))
        for p in self.protocols:
            if p.registration_number:
                add(p, "protocol", p.registration_number, None, timezone.localdate(p.registered_at))
        documents = self._bulk(documents, RegisteredDocument)
        self._bulk(
            [
                RegistrationCounter(document_type=kind, year=self.today.year, last_number=last)
                for kind, last in numbers.items()
            ],
            RegistrationCounter,
        )
        # The benchmark downloads the PDF of the route of the case it opens.
        self.case_route = next(r for r in self.routes if r.status == Route.Status.IN_FORCE)
        route_type = ContentType.objects.get_for_model(Route)
        self.pdf_document = next(
            d for d in documents if d.content_type_id == route_type.pk and d.object_id == self.case_route.pk
        )

    # --- The access log: every opened case is logged ---------------------------------------------------------

    def seed_access_log(self):
        application_type = ContentType.objects.get_for_model(Application)
        readers = [self.head, *self.specialists]
        cases = self.applications
        roles = {self.head.pk: Role.CENTRE_HEAD.value}

        def rows():
            for n in range(self.scale["access_log"]):
                reader = readers[n % len(readers)]
                case = cases[(n * 7919) % len(cases)]
                yield (
                    reader.pk,
                    roles.get(reader.pk, Role.SPECIALIST.value),
                    AccessLog.Action.VIEW_CASE.value,
                    application_type.pk,
                    case.pk,
                    case.student_id,
                    f"/applications/{case.public_id}/",
                    "10.0.0.1",
                    self.now - datetime.timedelta(minutes=n),
                    "",
                )

        copy_with_history(
            AccessLog,
            [
                "user_id",
                "roles",
                "action",
                "content_type_id",
                "object_id",
                "student_id",
                "path",
                "ip_address",
                "created_at",
                "reason",
            ],
            rows(),
            user=self.seeder,
        )

    # --- Summary and the benchmark's targets ----------------------------------------------------------------

    def count_history(self) -> int:
        from django.apps import apps

        total = 0
        with connection.cursor() as cursor:
            for model in apps.get_models():
                if model.__name__.startswith("Historical") and hasattr(model, "instance_type"):
                    cursor.execute(f'SELECT count(*) FROM "{model._meta.db_table}"')  # noqa: S608
                    total += cursor.fetchone()[0]
        return total

    def counts(self) -> dict[str, int]:
        return {
            "students": Student.objects.count(),
            "lecturers": User.objects.filter(groups__name=Role.LECTURER.value).count(),
            "courses": Course.objects.count(),
            "enrolments": Enrolment.objects.count(),
            "applications": Application.objects.count(),
            "routes": Route.objects.count(),
            "route_sections": RouteSection.objects.count(),
            "agreements": Agreement.objects.count(),
            "protocols": Protocol.objects.count(),
            "registered_documents": RegisteredDocument.objects.count(),
            "access_log": AccessLog.objects.count(),
        }

    def bench_targets(self) -> dict:
        """Signed-in sessions, made in the project's session store as a sign-in would (no password round trip, no
        lockouts), each past the second step of sign-in: the user has a confirmed authenticator device and the
        session carries django-otp's marker of it, as after a code was entered.
        """
        session_store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")

        def session_for(user: User) -> str:
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
                user=user, name="bench", confirmed=True
            )
            store = session_store()
            store[SESSION_KEY] = str(user.pk)
            store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            store[HASH_SESSION_KEY] = user.get_session_auth_hash()
            store[DEVICE_ID_SESSION_KEY] = device.persistent_id
            store.set_expiry(settings.SESSION_COOKIE_AGE)
            store.create()
            return store.session_key

        lecturer = (
            User.objects.filter(pk__in=Agreement.objects.filter(status=Agreement.Status.PENDING).values("lecturer_id"))
            .order_by("pk")
            .first()
        )
        case = self.case_route.application
        head, administration = session_for(self.head), session_for(self.administration[0])
        return {
            "session_cookie": settings.SESSION_COOKIE_NAME,
            "pages": {
                "floor": {"session": head, "url": "/bench/floor/"},
                "centre_inbox": {"session": head, "url": reverse("students:inbox")},
                "centre_dashboard": {"session": head, "url": reverse("routes:dashboard")},
                "case_page": {"session": head, "url": reverse("students:application_detail", args=[case.public_id])},
                "route_page": {"session": head, "url": reverse("routes:route", args=[self.case_route.pk])},
                "lecturer_agreements": {"session": session_for(lecturer), "url": reverse("routes:agreements")},
                "approval_queue": {"session": administration, "url": reverse("routes:approvals")},
                "report": {"session": head, "url": reverse("routes:reports")},
                "pdf_download": {
                    "session": head,
                    "url": reverse("documents:download", args=[self.pdf_document.public_id, "kk"]),
                },
            },
        }


_ASSESSED = {
    Application.Status.UNDER_ASSESSMENT,
    Application.Status.CONCLUDED,
    Application.Status.CLOSED,
}
_CONCLUDED = {Application.Status.CONCLUDED, Application.Status.CLOSED}
_BEFORE_APPROVAL = {Route.Status.DRAFT, Route.Status.IN_AGREEMENT}
