"""One importer per kind of file. Each one loads what its checks need once (a fixed number of queries, whatever the
number of rows), checks a row completely before anything is written, and writes a batch of checked rows in bulk
(bulk.py), so every created or changed record gets its history row naming the acting user."""

import datetime
import re
import secrets
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.roles import Role

from ..models import (
    AcademicTerm,
    Course,
    Enrolment,
    Faculty,
    Programme,
    Student,
    StudyGroup,
    TeachingAssignment,
)
from . import bulk
from .checks import RowCheck

CREATE, UPDATE = "create", "update"
LANGUAGES = tuple(User.Language.values)


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    meaning: Any  # lazily translated


@dataclass
class Plan:
    """A checked row: what writing it will do."""

    line: int
    key: str  # how the row is named in the report
    action: str  # CREATE or UPDATE
    values: dict  # CREATE: every value; UPDATE: only the values that change
    obj: Any = None  # UPDATE: the record as it is now
    extra: dict = field(default_factory=dict)

    @property
    def changed_columns(self) -> list[str]:
        return [*self.values, *self.extra.get("columns", [])]


EXTERNAL_ID = Column("external_id", True, _("Identifier in the student information system; the key of the row."))
NAME_COLUMNS = (
    Column("name_kk", True, _("Name in Kazakh.")),
    Column("name_ru", False, _("Name in Russian.")),
    Column("name_en", False, _("Name in English.")),
    Column("name_ky", False, _("Name in Kyrgyz.")),
)
PREFERRED_LANGUAGE = Column(
    "preferred_language",
    False,
    _(
        "kk, ru, en or ky: the language of pages and e-mails of a new account (kk when empty); an existing account "
        "keeps the language its owner chose."
    ),
)


class Importer:
    kind: ClassVar[str]
    label: ClassVar[Any]
    columns: ClassVar[tuple[Column, ...]]
    # How a key that an earlier row of the file already has is reported; composite keys say it in words.
    duplicate_msgid: ClassVar[str] = gettext_noop("“%(value)s” is already on line %(line)s: each row needs its own.")

    def __init__(self, *, actor: User | None):
        self.actor = actor
        self.seen: dict = {}  # key → line of its first row
        self.present: set = set()  # keys in the file, rejected rows included: those are not "missing"
        # Accounts this import created (committed batches only): they are sent an invitation afterwards.
        self.new_user_ids: list[int] = []

    def prepare(self) -> None:
        """Load what the checks need."""

    def check(self, c: RowCheck) -> Plan | None:
        """The plan for a row, or None when it changes nothing. Problems are recorded on `c`."""
        raise NotImplementedError

    def write(self, plans: list[Plan]) -> None:
        raise NotImplementedError

    def missing(self) -> list[str]:
        """Records of this kind that exist here but are not in the file (for a full export)."""
        return []

    def first_seen(self, c: RowCheck, column: str, key, shown: str) -> bool:
        self.present.add(key)
        line = self.seen.setdefault(key, c.line)
        if line != c.line:
            c.problem(column, self.duplicate_msgid, value=shown, line=line)
            return False
        return True


def _names(c: RowCheck) -> dict:
    values = {"name_kk": c.text("name_kk", max_length=300, required=True)}
    for column in NAME_COLUMNS[1:]:
        if c.present(column.name):
            values[column.name] = c.text(column.name, max_length=300)
    return values


def _changes(obj, values: dict) -> dict:
    return {name: value for name, value in values.items() if getattr(obj, name) != value}


class ByExternalId(Importer):
    """Records keyed by their external identifier: created when new, updated when a value differs.

    Optional columns the file does not have leave those values as they are."""

    model: ClassVar[type]

    def prepare(self) -> None:
        self.existing = {obj.external_id: obj for obj in self.model.objects.all()}

    def values(self, c: RowCheck) -> dict:
        raise NotImplementedError

    def more_checks(self, c: RowCheck, key: str, values: dict) -> None:
        """Checks across columns, or against other records."""

    def check(self, c: RowCheck) -> Plan | None:
        key = c.text("external_id", max_length=64, required=True)
        values = self.values(c)
        if key:
            self.first_seen(c, "external_id", key, key)
        self.more_checks(c, key, values)
        if c.problems:
            return None
        obj = self.existing.get(key)
        if obj is None:
            return Plan(c.line, key, CREATE, values)
        changes = _changes(obj, values)
        return Plan(c.line, key, UPDATE, changes, obj) if changes else None

    def write(self, plans: list[Plan]) -> None:
        new = [{"external_id": plan.key, **plan.values} for plan in plans if plan.action == CREATE]
        bulk.create(self.model, new, actor=self.actor)
        changed, fields = [], set()
        for plan in plans:
            if plan.action == UPDATE:
                for name, value in plan.values.items():
                    setattr(plan.obj, name, value)
                fields.update(plan.values)
                changed.append(plan.obj)
        bulk.update(self.model, changed, fields, actor=self.actor)

    def missing(self) -> list[str]:
        return sorted(set(self.existing) - self.present)


class Faculties(ByExternalId):
    kind = "faculties"
    label = _("Faculties")
    model = Faculty
    columns = (EXTERNAL_ID, *NAME_COLUMNS)

    def values(self, c):
        return _names(c)


class Programmes(ByExternalId):
    kind = "programmes"
    label = _("Educational programmes")
    model = Programme
    columns = (
        EXTERNAL_ID,
        Column("faculty_id", True, _("The faculty's identifier (external_id in the faculties file).")),
        Column("code", True, _("The programme's code, for example 6B01101.")),
        Column("level", False, _("bachelor, master or doctoral; bachelor when empty.")),
        *NAME_COLUMNS,
    )

    def prepare(self):
        super().prepare()
        self.faculties = dict(Faculty.objects.values_list("external_id", "pk"))

    def values(self, c):
        values = {
            "faculty_id": c.reference("faculty_id", self.faculties),
            "code": c.text("code", max_length=32, required=True),
        }
        if c.present("level"):
            values["level"] = c.choice("level", Programme.Level.values, default=Programme.Level.BACHELOR)
        return values | _names(c)


class StudyGroups(ByExternalId):
    kind = "groups"
    label = _("Study groups")
    model = StudyGroup
    columns = (
        EXTERNAL_ID,
        Column("programme_id", True, _("The programme's identifier (external_id in the programmes file).")),
        Column("name", True, _("The group's name, for example ПП-25.")),
        Column("admission_year", True, _("Year of admission, for example 2025.")),
    )

    def prepare(self):
        super().prepare()
        self.programmes = dict(Programme.objects.values_list("external_id", "pk"))

    def values(self, c):
        return {
            "programme_id": c.reference("programme_id", self.programmes),
            "name": c.text("name", max_length=64, required=True),
            "admission_year": c.integer("admission_year", low=1900, high=2100, required=True),
        }


class AcademicTerms(ByExternalId):
    kind = "terms"
    label = _("Academic terms")
    model = AcademicTerm
    columns = (
        EXTERNAL_ID,
        Column("academic_year", True, _("Academic year, for example 2026-2027.")),
        Column("number", True, _("1 for the autumn term, 2 for spring, 3 for summer.")),
        Column("starts_on", True, _("First day, as YYYY-MM-DD or DD.MM.YYYY.")),
        Column("ends_on", True, _("Last day, after the first one.")),
    )

    def prepare(self):
        super().prepare()
        self.by_year_number = {(t.academic_year, t.number): t.external_id for t in self.existing.values()}
        self.seen_year_number: dict = {}

    def values(self, c):
        return {
            "academic_year": c.text("academic_year", max_length=9, required=True),
            "number": c.integer("number", low=1, high=3, required=True),
            "starts_on": c.date("starts_on", required=True),
            "ends_on": c.date("ends_on", required=True),
        }

    def more_checks(self, c, key, values):
        year = values["academic_year"]
        if year and not (re.fullmatch(r"\d{4}-\d{4}", year) and int(year[5:]) == int(year[:4]) + 1):
            c.problem("academic_year", gettext_noop("Write the academic year as two years, for example 2026-2027."))
            year = ""
        if values["starts_on"] and values["ends_on"] and values["ends_on"] <= values["starts_on"]:
            c.problem("ends_on", gettext_noop("The term must end after it starts."))
        if year and values["number"]:
            pair = (year, values["number"])
            holder = self.by_year_number.get(pair)
            if holder is not None and holder != key:
                c.problem(
                    "number",
                    gettext_noop("The term “%(other)s” already has this academic year and number."),
                    other=holder,
                )
            line = self.seen_year_number.setdefault(pair, c.line)
            if line != c.line:
                c.problem("number", gettext_noop("Line %(line)s already has this academic year and number."), line=line)


class Courses(ByExternalId):
    kind = "courses"
    label = _("Courses")
    model = Course
    columns = (
        EXTERNAL_ID,
        Column("code", True, _("The course's code in the curriculum.")),
        Column("credits", False, _("ECTS credits; 5 when empty.")),
        *NAME_COLUMNS,
    )

    def values(self, c):
        values = {"code": c.text("code", max_length=32, required=True)}
        if c.present("credits"):
            values["credits"] = c.integer("credits", low=1, high=60) or 5
        return values | _names(c)


# --- People ---------------------------------------------------------------------------------------------------


def _new_user(*, email: str, full_name: str, preferred_language: str) -> dict:
    # No password until the person sets one through "Forgot your password?" (or signs in through an external
    # login). This is what User.set_unusable_password() stores (the prefix marks it unusable, the random rest keeps
    # hashes apart), made with one call to the system's random source instead of forty: nothing to hash.
    password = UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)
    return {"email": email, "full_name": full_name, "preferred_language": preferred_language, "password": password}


class People(Importer):
    """Kinds that create accounts: they know every account by its e-mail address and who holds the role."""

    role: ClassVar[Role]

    def prepare(self) -> None:
        self.users: dict[str, User] = {}
        self.users_by_pk: dict[int, User] = {}
        for user in User.objects.all().iterator(chunk_size=5000):
            self.users[user.email.lower()] = user
            self.users_by_pk[user.pk] = user
        self.group = Group.objects.get(name=self.role.value)
        self.memberships = User.groups.through
        self.role_holders = set(self.memberships.objects.filter(group=self.group).values_list("user_id", flat=True))

    def grant_role(self, new_ids: list[int], existing_ids: list[int]) -> None:
        rows = [self.memberships(user_id=user_id, group_id=self.group.pk) for user_id in [*new_ids, *existing_ids]]
        self.memberships.objects.bulk_create(rows, batch_size=bulk.DB_BATCH, ignore_conflicts=True)
        # Roles are kept in the users' history: a new account is created with its role, an existing one gains it.
        bulk.m2m_history(User, created=new_ids, changed=existing_ids, actor=self.actor)

    def language(self, c: RowCheck) -> str:
        return c.choice("preferred_language", LANGUAGES, default=User.Language.KAZAKH)


class Lecturers(People):
    """Lecturers have no external identifier here: a row is keyed by the e-mail address."""

    kind = "lecturers"
    label = _("Lecturers")
    role = Role.LECTURER
    columns = (
        Column("email", True, _("E-mail address: the lecturer's sign-in and the key of the row.")),
        Column("full_name", True, _("Full name.")),
        PREFERRED_LANGUAGE,
    )

    def check(self, c):
        email = c.email("email")
        full_name = c.text("full_name", max_length=200, required=True)
        language = self.language(c)
        if email:
            self.first_seen(c, "email", email, email)
        if c.problems:
            return None
        user = self.users.get(email)
        if user is None:
            return Plan(c.line, email, CREATE, {"email": email, "full_name": full_name, "preferred_language": language})
        changes = _changes(user, {"full_name": full_name})
        add_role = user.pk not in self.role_holders
        if not changes and not add_role:
            return None
        return Plan(c.line, email, UPDATE, changes, user, extra={"add_role": add_role})

    def write(self, plans):
        new = [_new_user(**plan.values) for plan in plans if plan.action == CREATE]
        new_ids = bulk.create(User, new, actor=self.actor)
        self.new_user_ids.extend(new_ids)
        changed = [plan for plan in plans if plan.action == UPDATE]
        for plan in changed:
            for name, value in plan.values.items():
                setattr(plan.obj, name, value)
        bulk.update(User, [plan.obj for plan in changed if plan.values], ["full_name"], actor=self.actor)
        self.grant_role(new_ids, [plan.obj.pk for plan in changed if plan.extra["add_role"]])

    def missing(self):
        return sorted(
            self.users_by_pk[pk].email.lower()
            for pk in self.role_holders
            if pk in self.users_by_pk and self.users_by_pk[pk].email.lower() not in self.present
        )


class Students(People):
    """A student is an account (found by e-mail) with a Student record (keyed by external_id)."""

    kind = "students"
    label = _("Students")
    role = Role.STUDENT
    columns = (
        EXTERNAL_ID,
        Column("email", True, _("E-mail address: the student's sign-in.")),
        Column("full_name", True, _("Full name.")),
        Column("programme_id", True, _("The programme's identifier (external_id in the programmes file).")),
        Column("group_id", False, _("The study group's identifier; the group must belong to the programme.")),
        Column("year_of_study", True, _("Year of study, from 1 to 7.")),
        Column("date_of_birth", False, _("Date of birth, as YYYY-MM-DD or DD.MM.YYYY.")),
        PREFERRED_LANGUAGE,
    )

    def prepare(self):
        super().prepare()
        self.students = {s.external_id: s for s in Student.objects.all().iterator(chunk_size=5000)}
        self.student_of_user = {s.user_id: s.external_id for s in self.students.values()}
        self.programmes = dict(Programme.objects.values_list("external_id", "pk"))
        self.programme_ids = {pk: external_id for external_id, pk in self.programmes.items()}
        self.groups = {
            external_id: (pk, programme_id)
            for external_id, pk, programme_id in StudyGroup.objects.values_list("external_id", "pk", "programme_id")
        }
        self.seen_emails: dict[str, int] = {}

    def check(self, c):
        key = c.text("external_id", max_length=64, required=True)
        email = c.email("email")
        full_name = c.text("full_name", max_length=200, required=True)
        programme_id = c.reference("programme_id", self.programmes)
        group = c.reference("group_id", self.groups, required=False)
        year_of_study = c.integer("year_of_study", low=1, high=7, required=True)
        date_of_birth = c.date("date_of_birth")
        if date_of_birth and not datetime.date(1900, 1, 1) < date_of_birth < datetime.date.today():
            c.problem("date_of_birth", gettext_noop("The date of birth must be in the past."))
        language = self.language(c)
        if key:
            self.first_seen(c, "external_id", key, key)
        student, user = self._check_links(c, key, email, programme_id, group)
        if c.problems:
            return None

        values = {"programme_id": programme_id, "year_of_study": year_of_study}
        if c.present("group_id"):
            values["group_id"] = group[0] if group else None
        if c.present("date_of_birth"):
            values["date_of_birth"] = date_of_birth
        return self._plan(c, key, values, student, user, email=email, full_name=full_name, language=language)

    def _check_links(self, c: RowCheck, key: str, email: str, programme_id, group) -> tuple:
        """The row's ties to other rows and to the accounts: an e-mail address given once in the file, the group
        of the row's programme, the address not another account's or another student's. Returns the student
        record (by key) and the account (the student's, or the one with the address), either None when new."""
        if email:
            line = self.seen_emails.setdefault(email, c.line)
            if line != c.line:
                c.problem("email", self.duplicate_msgid, value=email, line=line)
        if group and programme_id and group[1] != programme_id:
            c.problem(
                "group_id",
                gettext_noop("This group belongs to the programme “%(programme)s”, not to this row's programme."),
                programme=self.programme_ids.get(group[1], ""),
            )
        student = self.students.get(key)
        user = self.users_by_pk[student.user_id] if student else self.users.get(email)
        holder = self.users.get(email)
        if student and email and holder is not None and holder.pk != student.user_id:
            c.problem("email", gettext_noop("Another account already has this e-mail address."))
        if not student and user is not None and user.pk in self.student_of_user:
            c.problem(
                "email",
                gettext_noop("This e-mail address belongs to the student “%(other)s”."),
                other=self.student_of_user[user.pk],
            )
        return student, user

    def _plan(self, c: RowCheck, key: str, values: dict, student, user, *, email, full_name, language):
        """What the row changes: a new student with a new account, an existing account made a student, or the
        changed fields of a known student and their account (None when nothing changes)."""
        if user is None:
            account = {"email": email, "full_name": full_name, "preferred_language": language}
            return Plan(c.line, key, CREATE, values, extra={"new_user": account})
        account_changes = _changes(user, {"full_name": full_name})
        if user.email.lower() != email:
            account_changes["email"] = email
        add_role = user.pk not in self.role_holders
        if student is None:
            # An existing account (a member of staff who also studies) becomes a student.
            return Plan(
                c.line, key, CREATE, values, extra={"user": user, "account": account_changes, "add_role": add_role}
            )
        changes = _changes(student, values)
        if not changes and not account_changes and not add_role:
            return None
        return Plan(
            c.line,
            key,
            UPDATE,
            changes,
            student,
            extra={"user": user, "account": account_changes, "add_role": add_role, "columns": list(account_changes)},
        )

    def write(self, plans):
        newcomers = [plan for plan in plans if "new_user" in plan.extra]
        new_ids = bulk.create(User, [_new_user(**plan.extra["new_user"]) for plan in newcomers], actor=self.actor)
        self.new_user_ids.extend(new_ids)
        user_ids = {plan.line: user_id for plan, user_id in zip(newcomers, new_ids, strict=True)}

        renamed, fields = [], set()
        for plan in plans:
            account = plan.extra.get("account")
            if account:
                for name, value in account.items():
                    setattr(plan.extra["user"], name, value)
                fields.update(account)
                renamed.append(plan.extra["user"])
        bulk.update(User, renamed, fields, actor=self.actor)
        self.grant_role(new_ids, [plan.extra["user"].pk for plan in plans if plan.extra.get("add_role")])

        new_students, changed, fields = [], [], set()
        for plan in plans:
            if plan.action == CREATE:
                user_id = user_ids[plan.line] if plan.line in user_ids else plan.extra["user"].pk
                new_students.append({"external_id": plan.key, "user_id": user_id, **plan.values})
            elif plan.values:
                for name, value in plan.values.items():
                    setattr(plan.obj, name, value)
                fields.update(plan.values)
                changed.append(plan.obj)
        bulk.create(Student, new_students, actor=self.actor)
        bulk.update(Student, changed, fields, actor=self.actor)

    def missing(self):
        return sorted(set(self.students) - self.present)


# --- Who teaches and who takes a course in a term ---------------------------------------------------------------


class TermLinks(Importer):
    """Rows that link a person to a course in a term. There is nothing to update: a row exists or not.

    A full export of these covers the terms it mentions: only links in those terms are looked for as missing."""

    model: ClassVar[type]
    person_field: ClassVar[str]
    person_column: ClassVar[str]

    def prepare(self):
        self.courses = dict(Course.objects.values_list("external_id", "pk"))
        self.terms = dict(AcademicTerm.objects.values_list("external_id", "pk"))
        self.course_ids = {pk: external_id for external_id, pk in self.courses.items()}
        self.term_ids = {pk: external_id for external_id, pk in self.terms.items()}
        self.existing: dict[int, set[tuple[int, int]]] = {}

    def in_term(self, term_id: int) -> set[tuple[int, int]]:
        # One query per term the file mentions (usually one or two), never one per row.
        if term_id not in self.existing:
            self.existing[term_id] = set(
                self.model.objects.filter(term_id=term_id).values_list(self.person_field, "course_id")
            )
        return self.existing[term_id]

    def person(self, c: RowCheck) -> tuple[int | None, str]:
        """The person's id and how the report names them."""
        raise NotImplementedError

    def person_name(self, person_id: int) -> str:
        raise NotImplementedError

    def check(self, c):
        person_id, shown = self.person(c)
        course_id = c.reference("course_id", self.courses)
        term_id = c.reference("term_id", self.terms)
        if term_id:
            self.in_term(term_id)
        if person_id and course_id and term_id:
            self.first_seen(c, self.person_column, (person_id, course_id, term_id), self.person_column)
        if c.problems:
            return None
        if (person_id, course_id) in self.in_term(term_id):
            return None
        key = " / ".join((shown, self.course_ids[course_id], self.term_ids[term_id]))
        values = {self.person_field: person_id, "course_id": course_id, "term_id": term_id}
        return Plan(c.line, key, CREATE, values)

    def write(self, plans):
        bulk.create(self.model, [plan.values for plan in plans], actor=self.actor)

    def missing(self):
        return sorted(
            " / ".join((self.person_name(person_id), self.course_ids[course_id], self.term_ids[term_id]))
            for term_id, pairs in self.existing.items()
            for person_id, course_id in pairs
            if (person_id, course_id, term_id) not in self.present
        )


class TeachingAssignments(TermLinks):
    kind = "teaching_assignments"
    label = _("Teaching assignments")
    model = TeachingAssignment
    person_field = "lecturer_id"
    person_column = "lecturer_email"
    duplicate_msgid = gettext_noop("Line %(line)s already has the same lecturer, course and term.")
    columns = (
        Column("lecturer_email", True, _("The lecturer's e-mail address (from the lecturers file).")),
        Column("course_id", True, _("The course's identifier (external_id in the courses file).")),
        Column("term_id", True, _("The term's identifier (external_id in the terms file).")),
    )

    def prepare(self):
        super().prepare()
        self.users = {email.lower(): pk for email, pk in User.objects.values_list("email", "pk")}
        self.emails = {pk: email for email, pk in self.users.items()}
        self.lecturers = set(
            User.groups.through.objects.filter(group__name=Role.LECTURER.value).values_list("user_id", flat=True)
        )

    def person(self, c):
        email = c.email("lecturer_email")
        if not email:
            return None, ""
        user_id = self.users.get(email)
        if user_id is None:
            c.problem(
                "lecturer_email",
                gettext_noop("No account has the e-mail address “%(value)s”. Import the lecturers file first."),
                value=email,
            )
        elif user_id not in self.lecturers:
            c.problem(
                "lecturer_email",
                gettext_noop("“%(value)s” is not a lecturer here. Import them in the lecturers file first."),
                value=email,
            )
        return user_id, email

    def person_name(self, person_id):
        return self.emails.get(person_id, str(person_id))


class Enrolments(TermLinks):
    kind = "enrolments"
    label = _("Enrolments")
    model = Enrolment
    person_field = "student_id"
    person_column = "student_id"
    duplicate_msgid = gettext_noop("Line %(line)s already has the same student, course and term.")
    columns = (
        Column("student_id", True, _("The student's identifier (external_id in the students file).")),
        Column("course_id", True, _("The course's identifier (external_id in the courses file).")),
        Column("term_id", True, _("The term's identifier (external_id in the terms file).")),
    )

    def prepare(self):
        super().prepare()
        self.students = dict(Student.objects.values_list("external_id", "pk"))
        self.student_ids = {pk: external_id for external_id, pk in self.students.items()}

    def person(self, c):
        student_id = c.reference("student_id", self.students)
        return student_id, self.student_ids.get(student_id, "")

    def person_name(self, person_id):
        return self.student_ids.get(person_id, str(person_id))


# In the order a university imports them: each kind refers only to kinds above it.
KINDS: dict[str, type[Importer]] = {
    importer.kind: importer
    for importer in (
        Faculties,
        Programmes,
        StudyGroups,
        AcademicTerms,
        Courses,
        Lecturers,
        TeachingAssignments,
        Students,
        Enrolments,
    )
}
