"""Importing reference data from the student information system: every kind, every kind of bad row, idempotency,
the dry run, the command and the sysadmin's page."""

import datetime
import io
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from inclusion_centre.accounts.models import User
from students import importing
from students.importing import KINDS, bulk, import_reference
from students.importing.kinds import Students
from students.models import (
    AcademicTerm,
    Course,
    Enrolment,
    Faculty,
    Programme,
    Student,
    StudyGroup,
    TeachingAssignment,
)
from tests.factories import (
    AcademicTermFactory,
    CourseFactory,
    EnrolmentFactory,
    FacultyFactory,
    ProgrammeFactory,
    StudentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[2] / "students" / "import_samples"
TRACKED = [Faculty, Programme, StudyGroup, AcademicTerm, Course, TeachingAssignment, Student, Enrolment, User]


def run(kind, content, *, actor=None, dry_run=False, full=False):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return import_reference(kind=kind, file=io.BytesIO(data), actor=actor, dry_run=dry_run, full=full)


def sample(kind: str) -> bytes:
    return (SAMPLES / f"{kind}.csv").read_bytes()


def history_rows() -> int:
    return sum(model.history.count() for model in TRACKED)


def problems(report) -> list[tuple]:
    with translation.override("en"):
        return [(p.line, p.column, p.message) for p in report.problems]


def import_samples(actor, until=None):
    for kind in KINDS:
        report = run(kind, sample(kind), actor=actor)
        assert report.readable and not report.problems, (kind, problems(report), report.file_problems)
        if kind == until:
            return report
    return None


@pytest.fixture
def structure(sysadmin):
    import_samples(sysadmin, until="courses")


# --- Every kind ---------------------------------------------------------------------------------------------------


def _faculties():
    faculty = Faculty.objects.get(external_id="F-PHIL")
    assert (faculty.name_kk, faculty.name_ru, faculty.name_en, faculty.name_ky) == (
        "Филология факультеті",
        "Филологический факультет",
        "Faculty of Philology",
        "Филология факультети",
    )


def _programmes():
    programme = Programme.objects.select_related("faculty").get(external_id="P-7M01101")
    assert (programme.faculty.external_id, programme.code, programme.level) == ("F-PED", "7M01101", "master")


def _groups():
    group = StudyGroup.objects.select_related("programme").get(external_id="G-AZh-24")
    assert (group.programme.external_id, group.name, group.admission_year) == ("P-6B06101", "АЖ-24", 2024)


def _terms():
    term = AcademicTerm.objects.get(external_id="T-2026-2")
    assert (term.academic_year, term.number, term.starts_on, term.ends_on) == (
        "2026-2027",
        2,
        datetime.date(2027, 1, 18),
        datetime.date(2027, 5, 29),
    )


def _courses():
    course = Course.objects.get(external_id="C-INC-201")
    assert (course.code, course.credits, course.name_ky) == ("INC2201", 6, "Инклюзивдүү билим берүү")


def _lecturers():
    kim = User.objects.get(email="r.kim@example.edu.kz")
    assert (kim.full_name, kim.preferred_language) == ("Роза Ильинична Ким", "ru")
    assert kim.has_role("lecturer")
    assert not kim.has_usable_password()
    assert User.objects.filter(groups__name="lecturer", email__endswith="@example.edu.kz").count() == 4


def _teaching_assignments():
    assert TeachingAssignment.objects.count() == 7
    assert TeachingAssignment.objects.filter(
        lecturer__email="s.akhmetova@example.edu.kz", course__external_id="C-INC-201", term__external_id="T-2026-2"
    ).exists()


def _students():
    student = Student.objects.select_related("user", "programme", "group").get(external_id="S-20250008")
    assert (student.user.email, student.user.full_name, student.user.preferred_language) == (
        "ch.asanova@example.edu.kz",
        "Чолпон Асановна Асанова",
        "ky",
    )
    assert (student.programme.external_id, student.group, student.year_of_study) == ("P-6B01901", None, 2)
    assert student.date_of_birth == datetime.date(2006, 2, 26)
    assert student.user.has_role("student")
    assert not student.user.has_usable_password()
    assert Student.objects.count() == 8


def _enrolments():
    assert Enrolment.objects.count() == 17
    assert Enrolment.objects.filter(student__external_id="S-20250008", term__external_id="T-2026-2").count() == 1


CHECKS = {
    "faculties": _faculties,
    "programmes": _programmes,
    "groups": _groups,
    "terms": _terms,
    "courses": _courses,
    "lecturers": _lecturers,
    "teaching_assignments": _teaching_assignments,
    "students": _students,
    "enrolments": _enrolments,
}


def test_every_kind_has_a_check_and_a_sample():
    assert list(CHECKS) == list(KINDS)
    assert all((SAMPLES / f"{kind}.csv").is_file() for kind in KINDS)


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_kind_imports_its_sample(sysadmin, kind):
    report = import_samples(sysadmin, until=kind)
    rows = len(sample(kind).decode().strip().splitlines()) - 1
    assert (report.rows, report.created, report.updated, report.rejected) == (rows, rows, 0, 0)
    CHECKS[kind]()
    model = KINDS[kind].model if hasattr(KINDS[kind], "model") else User
    record = model.objects.order_by("-pk").first()
    (history,) = record.history.all()
    assert (history.history_type, history.history_user, history.history_change_reason) == (
        "+",
        sysadmin,
        "reference import",
    )
    for field in model.history.model.tracked_fields:
        assert getattr(history, field.attname) == getattr(record, field.attname), field.attname


def test_without_postgresql_the_orm_writes_the_same(sysadmin, monkeypatch):
    # SQLite (`make run`) has no COPY: simple-history's bulk helpers write the rows and their history instead.
    monkeypatch.setattr(bulk, "use_copy", lambda: False)
    import_samples(sysadmin)
    for check in CHECKS.values():
        check()
    assert Enrolment.history.filter(history_user=sysadmin, history_type="+").count() == 17
    assert User.history.filter(email="r.kim@example.edu.kz", history_user=sysadmin).count() == 1
    before = history_rows()
    for kind in KINDS:
        report = run(kind, sample(kind), actor=sysadmin)
        assert (report.created, report.updated, report.rejected) == (0, 0, 0), kind
    assert history_rows() == before


def test_importing_every_sample_again_changes_nothing(sysadmin):
    import_samples(sysadmin)
    before = history_rows()
    for kind in KINDS:
        report = run(kind, sample(kind), actor=sysadmin)
        assert (report.created, report.updated, report.rejected) == (0, 0, 0), kind
        assert report.unchanged == report.rows > 0
    assert history_rows() == before


def test_the_xlsx_sample_imports_like_the_csv(sysadmin, structure):
    report = run("students", (SAMPLES / "students.xlsx").read_bytes(), actor=sysadmin)
    assert (report.created, report.rejected) == (8, 0), problems(report)
    again = run("students", sample("students"), actor=sysadmin)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 8)


# --- File formats -------------------------------------------------------------------------------------------------


def test_csv_with_bom_semicolons_and_windows_line_ends(sysadmin):
    content = (
        "\ufeffexternal_id;name_kk;name_ru\r\nF-1;Тарих факультеті;Исторический факультет\r\n\r\nF-2;Заң, құқық;\r\n"
    )
    report = run("faculties", content, actor=sysadmin)
    assert (report.rows, report.created, report.rejected) == (2, 2, 0)
    assert Faculty.objects.get(external_id="F-1").name_ru == "Исторический факультет"
    assert Faculty.objects.get(external_id="F-2").name_kk == "Заң, құқық"


def test_quoted_values_and_line_numbers_of_multiline_rows(sysadmin):
    content = 'external_id,name_kk\nF-1,"Бірінші\nжол"\nF-2,""\n'
    report = run("faculties", content, actor=sysadmin)
    assert problems(report) == [(4, "name_kk", "This column must not be empty.")]
    assert Faculty.objects.get(external_id="F-1").name_kk == "Бірінші\nжол"


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_with_typed_cells_and_a_blank_row(sysadmin, structure):
    content = _xlsx(
        [
            ["External_ID", "email", "full_name", "programme_id", "group_id", "year_of_study", "date_of_birth"],
            [20269001, "Nurai@Example.edu.kz", "Нұрай Болатқызы", "P-6B01101", "G-PP-26", 1, datetime.date(2007, 4, 2)],
            [],
            [20269002, "not-an-address", "Бауыржан Ерланұлы", "P-6B01101", None, 1.0, None],
        ]
    )
    report = run("students", content, actor=sysadmin)
    assert problems(report) == [(4, "email", "“not-an-address” is not a valid e-mail address.")]
    student = Student.objects.select_related("user").get(external_id="20269001")
    assert student.user.email == "nurai@example.edu.kz"
    assert student.date_of_birth == datetime.date(2007, 4, 2)
    assert not User.objects.filter(full_name="Бауыржан Ерланұлы").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        ("external_id,name_kk\n".encode("cp1251") + "F-1,Тарих\n".encode("cp1251"), "The file is not UTF-8 text."),
        (b"PK\x03\x04 not really a workbook", "The Excel file could not be read."),
        (b"code,name_kk\nX,Y\n", "The file lacks these required columns: external_id."),
        (b"external_id,name_kk,name_kk\nX,Y,Z\n", "These columns appear more than once: name_kk."),
    ],
)
def test_a_file_that_cannot_be_read_imports_nothing(sysadmin, content, message):
    report = run("faculties", content, actor=sysadmin)
    assert not report.readable
    with translation.override("en"):
        assert report.file_problems[0].message.startswith(message)
    assert report.created == 0
    assert not Faculty.objects.exists()


def test_unknown_columns_are_named_and_left_out(sysadmin):
    report = run("faculties", "external_id,name_kk,dean\nF-1,Тарих,Ахметов\n", actor=sysadmin)
    assert report.created == 1
    with translation.override("en"):
        assert [note.message for note in report.notes] == ["These columns are not used and were left out: dean."]


# --- Bad rows: reported with line, column and reason; the good rows import -------------------------------------------


def test_unknown_reference(sysadmin, structure):
    content = "external_id,programme_id,name,admission_year\nG-1,P-6B01101,ПП-27,2027\nG-2,P-NOWHERE,ХХ-27,2027\n"
    report = run("groups", content, actor=sysadmin)
    assert problems(report) == [
        (3, "programme_id", "Nothing with the identifier “P-NOWHERE” has been imported. Import that file first.")
    ]
    assert (report.created, report.rejected) == (1, 1)
    assert StudyGroup.objects.filter(external_id="G-1").exists()
    assert not StudyGroup.objects.filter(external_id="G-2").exists()


def test_unknown_lecturer_and_account_without_the_lecturer_role(sysadmin, structure):
    UserFactory(email="student.only@example.edu.kz", roles=["student"])
    content = (
        "lecturer_email,course_id,term_id\n"
        "nobody@example.edu.kz,C-PED-101,T-2026-1\n"
        "student.only@example.edu.kz,C-PED-101,T-2026-1\n"
    )
    report = run("teaching_assignments", content, actor=sysadmin)
    assert problems(report) == [
        (
            2,
            "lecturer_email",
            "No account has the e-mail address “nobody@example.edu.kz”. Import the lecturers file first.",
        ),
        (
            3,
            "lecturer_email",
            "“student.only@example.edu.kz” is not a lecturer here. Import them in the lecturers file first.",
        ),
    ]
    assert not TeachingAssignment.objects.exists()


def test_malformed_email(sysadmin):
    content = "email,full_name\nbad@@example,Қате Адрес\ngood@example.edu.kz,Дұрыс Адрес\n"
    report = run("lecturers", content, actor=sysadmin)
    assert problems(report) == [(2, "email", "“bad@@example” is not a valid e-mail address.")]
    assert list(User.objects.filter(full_name__endswith="Адрес").values_list("email", flat=True)) == [
        "good@example.edu.kz"
    ]


def test_duplicate_keys_within_the_file(sysadmin, structure):
    faculties = "external_id,name_kk\nF-9,Бірінші\nF-9,Екінші\n"
    report = run("faculties", faculties, actor=sysadmin)
    assert problems(report) == [(3, "external_id", "“F-9” is already on line 2: each row needs its own.")]
    assert Faculty.objects.get(external_id="F-9").name_kk == "Бірінші"

    students = (
        "external_id,email,full_name,programme_id,year_of_study\n"
        "S-1,same@example.edu.kz,Бір,P-6B01101,1\n"
        "S-2,SAME@example.edu.kz,Екі,P-6B01101,1\n"
    )
    report = run("students", students, actor=sysadmin)
    assert problems(report) == [(3, "email", "“same@example.edu.kz” is already on line 2: each row needs its own.")]
    assert list(Student.objects.filter(external_id__in=["S-1", "S-2"]).values_list("external_id", flat=True)) == ["S-1"]

    import_samples(sysadmin)
    enrolments = "student_id,course_id,term_id\nS-1,C-PED-101,T-2026-1\nS-1,C-PED-101,T-2026-1\n"
    report = run("enrolments", enrolments, actor=sysadmin)
    assert problems(report) == [(3, "student_id", "Line 2 already has the same student, course and term.")]
    assert Enrolment.objects.filter(student__external_id="S-1").count() == 1


def test_missing_required_values(sysadmin, structure):
    content = (
        "external_id,email,full_name,programme_id,group_id,year_of_study\n"
        ",nobody@example.edu.kz,,P-6B01101,,\n"
        "S-3,three@example.edu.kz,Үшінші,P-6B01101,,3\n"
    )
    report = run("students", content, actor=sysadmin)
    assert problems(report) == [
        (2, "external_id", "This column must not be empty."),
        (2, "full_name", "This column must not be empty."),
        (2, "year_of_study", "This column must not be empty."),
    ]
    assert report.rejected == 1
    assert not User.objects.filter(email="nobody@example.edu.kz").exists()
    assert Student.objects.get(external_id="S-3").group is None


def test_values_of_the_wrong_shape(sysadmin, structure):
    terms = (
        "external_id,academic_year,number,starts_on,ends_on\n"
        "T-A,2027/2028,1,2027-09-01,2027-12-31\n"
        "T-B,2027-2028,4,01.09.2027,31.12.2027\n"
        "T-C,2027-2028,2,2028-05-31,2028-01-20\n"
        "T-D,2027-2028,3,1 September,2028-07-31\n"
        "T-E,2026-2027,1,2026-09-01,2026-12-31\n"
        "T-F,2027-2028,1,01.09.2027,31.12.2027\n"
    )
    report = run("terms", terms, actor=sysadmin)
    assert problems(report) == [
        (2, "academic_year", "Write the academic year as two years, for example 2026-2027."),
        (3, "number", "Enter a whole number from 1 to 3."),
        (4, "ends_on", "The term must end after it starts."),
        (5, "starts_on", "Enter a date as YYYY-MM-DD or DD.MM.YYYY, for example 2026-09-01."),
        (6, "number", "The term “T-2026-1” already has this academic year and number."),
    ]
    assert AcademicTerm.objects.get(external_id="T-F").starts_on == datetime.date(2027, 9, 1)

    students = (
        "external_id,email,full_name,programme_id,group_id,year_of_study,date_of_birth,preferred_language\n"
        "S-1,one@example.edu.kz,Бір,P-6B01101,G-KTA-25,9,2030-01-01,de\n"
        f"S-2,two@example.edu.kz,{'А' * 201},P-6B01101,,1,,\n"
        "S-3,three@example.edu.kz,Үш,P-6B01101,,1,,,extra\n"
    )
    report = run("students", students, actor=sysadmin)
    assert problems(report) == [
        (2, "year_of_study", "Enter a whole number from 1 to 7."),
        (2, "date_of_birth", "The date of birth must be in the past."),
        (2, "preferred_language", "Use one of: kk, ru, en, ky."),
        (2, "group_id", "This group belongs to the programme “P-6B01701”, not to this row's programme."),
        (3, "full_name", "The value is too long: 201 characters, at most 200 are allowed."),
        (
            4,
            "",
            "The row has more cells than the header has columns: a value with a comma or semicolon may lack its "
            "quotation marks.",
        ),
    ]
    assert report.created == 0


def test_no_row_is_half_imported_when_the_database_refuses_a_batch(sysadmin, structure, monkeypatch):
    # Someone else creates one of the file's accounts after the importer has looked: the batch fails, each row is
    # then tried on its own, the clashing one is refused whole (no student without an account, nor the reverse).
    prepare = Students.prepare

    def prepare_then_clash(self):
        prepare(self)
        UserFactory(email="clash@example.edu.kz")

    monkeypatch.setattr(Students, "prepare", prepare_then_clash)
    content = (
        "external_id,email,full_name,programme_id,year_of_study\n"
        "S-1,fine@example.edu.kz,Жақсы,P-6B01101,1\n"
        "S-2,clash@example.edu.kz,Қайшылық,P-6B01101,1\n"
    )
    report = run("students", content, actor=sysadmin)
    assert (report.created, report.rejected) == (1, 1)
    assert problems(report) == [
        (3, "", "The row clashes with a change made while the file was being imported. Import the file again.")
    ]
    assert Student.objects.filter(external_id="S-1", user__email="fine@example.edu.kz").exists()
    assert not Student.objects.filter(external_id="S-2").exists()
    assert User.objects.filter(email="clash@example.edu.kz").count() == 1


def test_problems_read_in_the_language_of_whoever_opens_the_report(sysadmin):
    report = run("faculties", "external_id,name_kk\nF-1,\n", actor=sysadmin)
    restored = importing.Report.from_dict(report.to_dict())
    assert restored.problems == report.problems
    problem = restored.problems[0]
    assert problem.msgid == "This column must not be empty."
    with translation.override("en"):
        assert problem.message == "This column must not be empty."


# --- Changes, history, dry run, full export ---------------------------------------------------------------------------


def test_a_changed_row_updates_its_record_with_history_and_the_actor(sysadmin, structure):
    before = Faculty.objects.get(external_id="F-PHIL").history.count()
    content = sample("faculties").decode().replace("Филологический факультет", "Факультет филологии")
    report = run("faculties", content, actor=sysadmin)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    assert [(c.key, c.columns) for c in report.changes] == [("F-PHIL", ["name_ru"])]
    faculty = Faculty.objects.get(external_id="F-PHIL")
    assert faculty.name_ru == "Факультет филологии"
    assert faculty.history.count() == before + 1
    latest = faculty.history.first()
    assert (latest.history_type, latest.history_user, latest.name_ru) == ("~", sysadmin, "Факультет филологии")


def test_a_changed_student_updates_the_account_and_the_record(sysadmin, structure):
    run("students", sample("students"), actor=sysadmin)
    content = (
        sample("students")
        .decode()
        .replace(
            "t.li@example.edu.kz,Тимур Ли,P-6B06101,G-AZh-24,3", "timur.li@example.edu.kz,Тимур Ли,P-6B06101,G-AZh-24,4"
        )
    )
    report = run("students", content, actor=sysadmin)
    assert (report.updated, report.unchanged) == (1, 7)
    assert [(c.key, c.columns) for c in report.changes] == [("S-20240006", ["email", "year_of_study"])]
    student = Student.objects.select_related("user").get(external_id="S-20240006")
    assert (student.user.email, student.year_of_study) == ("timur.li@example.edu.kz", 4)
    assert student.history.first().history_user == sysadmin
    assert student.user.history.first().email == "timur.li@example.edu.kz"
    assert student.user.history.first().history_user == sysadmin


def test_optional_columns_left_out_keep_their_values(sysadmin, structure):
    report = run("courses", "external_id,code,name_kk\nC-PED-101,PED1101,Педагогика негіздері\n", actor=sysadmin)
    assert (report.updated, report.unchanged) == (0, 1)
    course = Course.objects.get(external_id="C-PED-101")
    assert (course.name_ru, course.credits) == ("Основы педагогики", 5)


def test_existing_accounts_get_the_role_and_keep_their_language(sysadmin, structure, specialist):
    specialist.preferred_language = "ru"
    specialist.save()
    content = f"email,full_name,preferred_language\n{specialist.email.upper()},Маман Психолог-Оқытушы,kk\n"
    report = run("lecturers", content, actor=sysadmin)
    assert (report.created, report.updated) == (0, 1)
    specialist.refresh_from_db()
    assert specialist.full_name == "Маман Психолог-Оқытушы"
    assert specialist.preferred_language == "ru"
    assert set(specialist.groups.values_list("name", flat=True)) == {"specialist", "lecturer"}
    assert specialist.has_usable_password()

    # A member of staff who also studies: their account becomes a student's.
    content = (
        "external_id,email,full_name,programme_id,year_of_study\n"
        f"S-77,{specialist.email},Маман Психолог-Оқытушы,P-7M01101,1\n"
    )
    report = run("students", content, actor=sysadmin)
    assert report.created == 1
    assert Student.objects.get(external_id="S-77").user == specialist
    assert set(specialist.groups.values_list("name", flat=True)) == {"specialist", "lecturer", "student"}


def test_an_email_of_another_student_is_refused(sysadmin, structure):
    other = StudentFactory(external_id="S-OTHER", user__email="taken@example.edu.kz")
    content = "external_id,email,full_name,programme_id,year_of_study\nS-NEW,taken@example.edu.kz,Жаңа,P-6B01101,1\n"
    report = run("students", content, actor=sysadmin)
    assert problems(report) == [(2, "email", "This e-mail address belongs to the student “S-OTHER”.")]
    run("students", sample("students"), actor=sysadmin)
    changed = sample("students").decode().replace("t.li@example.edu.kz", "taken@example.edu.kz")
    report = run("students", changed, actor=sysadmin)
    assert problems(report) == [(7, "email", "Another account already has this e-mail address.")]
    assert other.user.email == "taken@example.edu.kz"


def test_dry_run_writes_nothing(sysadmin, structure):
    before = history_rows()
    users = User.objects.count()
    report = run("students", sample("students"), actor=sysadmin, dry_run=True)
    assert (report.dry_run, report.rows, report.created, report.rejected) == (True, 8, 8, 0)
    assert not Student.objects.exists()
    assert User.objects.count() == users
    assert history_rows() == before

    run("students", sample("students"), actor=sysadmin)
    changed = sample("students").decode().replace("Тимур Ли", "Тимур Ли-Ким")
    report = run("students", changed, actor=sysadmin, dry_run=True)
    assert (report.updated, report.unchanged) == (1, 7)
    assert User.objects.get(email="t.li@example.edu.kz").full_name == "Тимур Ли"


def test_a_full_export_reports_what_is_missing_and_deletes_nothing(sysadmin):
    import_samples(sysadmin)
    FacultyFactory(external_id="F-OLD")
    old_term = AcademicTermFactory(external_id="T-OLD")
    EnrolmentFactory(student=Student.objects.get(external_id="S-20250001"), term=old_term)

    report = run("faculties", sample("faculties"), actor=sysadmin, full=True)
    assert report.missing == ["F-OLD"]
    assert Faculty.objects.filter(external_id="F-OLD").exists()

    students = sample("students").decode().splitlines()
    report = run("students", "\n".join(students[:-1]), actor=sysadmin, full=True)
    assert report.missing == ["S-20250008"]

    lecturers = sample("lecturers").decode().splitlines()
    report = run("lecturers", "\n".join(lecturers[:-1]), actor=sysadmin, full=True)
    assert report.missing == ["zh.mukanova@example.edu.kz"]

    # Links are looked for only in the terms the file covers: the old term's enrolment is not "missing".
    enrolments = [line for line in sample("enrolments").decode().splitlines() if "S-20240006,C-ICT-101" not in line]
    report = run("enrolments", "\n".join(enrolments), actor=sysadmin, full=True)
    assert report.missing == ["S-20240006 / C-ICT-101 / T-2026-1"]
    assert Enrolment.objects.count() == 18

    report = run("teaching_assignments", sample("teaching_assignments"), actor=sysadmin, full=True)
    assert report.missing == []


def test_only_the_sysadmin_may_import(lecturer):
    with pytest.raises(PermissionDenied):
        run("faculties", sample("faculties"), actor=lecturer)


# --- Speed: the number of queries does not grow with the number of rows -------------------------------------------


def _count_queries(kind, content, actor) -> int:
    with CaptureQueriesContext(connection) as queries:
        report = run(kind, content, actor=actor)
    assert report.rejected == 0, problems(report)
    return len(queries)


def test_queries_do_not_grow_with_rows(sysadmin):
    programme = ProgrammeFactory(external_id="P-1")
    terms = [AcademicTermFactory(external_id="T-1"), AcademicTermFactory(external_id="T-2")]
    for n in range(3):
        CourseFactory(external_id=f"C-{n}")

    def students(first, count):
        rows = [f"S-{n},s{n}@example.edu.kz,Студент {n},P-1,1" for n in range(first, first + count)]
        return "external_id,email,full_name,programme_id,year_of_study\n" + "\n".join(rows)

    def enrolments(first, count):
        rows = [f"S-{n},C-{n % 3},T-{n % 2 + 1}" for n in range(first, first + count)]
        return "student_id,course_id,term_id\n" + "\n".join(rows)

    _count_queries("faculties", "external_id,name_kk\nF-1,Бір\n", sysadmin)  # the actor's permissions get cached
    few, many = (
        _count_queries("students", students(0, 5), sysadmin),
        _count_queries("students", students(5, 300), sysadmin),
    )
    assert few == many
    assert Student.objects.filter(programme=programme).count() == 305
    few, many = (
        _count_queries("enrolments", enrolments(0, 5), sysadmin),
        _count_queries("enrolments", enrolments(5, 300), sysadmin),
    )
    assert few == many
    assert Enrolment.objects.filter(term__in=terms).count() == 305


# --- The command --------------------------------------------------------------------------------------------------


def _command(*args):
    out = StringIO()
    call_command("import_reference", *map(str, args), "--language", "en", stdout=out)
    return out.getvalue()


def test_command_imports_and_reports(sysadmin, tmp_path):
    path = SAMPLES / "faculties.csv"
    output = _command("faculties", path, "--dry-run")
    assert "Dry run: nothing was saved." in output
    assert "Would be created: 3" in output
    assert not Faculty.objects.exists()

    output = _command("faculties", path, "--actor", sysadmin.email)
    assert "Import finished." in output
    assert "Created: 3" in output
    assert Faculty.objects.get(external_id="F-PED").history.first().history_user == sysadmin

    FacultyFactory(external_id="F-OLD")
    output = _command("faculties", path, "--full")
    assert "Unchanged: 3" in output
    assert "In this system but not in the file (nothing was deleted): 1" in output
    assert "  F-OLD" in output


def test_command_exit_codes(tmp_path):
    bad_rows = tmp_path / "faculties.csv"
    bad_rows.write_text("external_id,name_kk\nF-1,Жақсы\nF-2,\n", encoding="utf-8")
    out = StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("import_reference", "faculties", str(bad_rows), "--language", "en", stdout=out)
    assert refused.value.returncode == 2
    assert "Line 3, column name_kk: This column must not be empty." in out.getvalue()
    assert Faculty.objects.filter(external_id="F-1").exists()

    wrong_kind = tmp_path / "courses.csv"
    wrong_kind.write_text("student_id,course_id,term_id\nS-1,C-1,T-1\n", encoding="utf-8")
    out = StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("import_reference", "courses", str(wrong_kind), "--language", "en", stdout=out)
    assert refused.value.returncode == 1
    assert "The file lacks these required columns: external_id, code, name_kk." in out.getvalue()

    with pytest.raises(CommandError, match="No user has the e-mail address"):
        call_command("import_reference", "faculties", str(bad_rows), "--actor", "nobody@example.edu.kz")
    with pytest.raises(CommandError, match="is not a file"):
        call_command("import_reference", "faculties", str(tmp_path / "absent.csv"))


# --- The web page -------------------------------------------------------------------------------------------------

URLS = ["reference_import", "reference_import_preview", "reference_import_report"]


def _upload(client, kind, content, name="export.csv", full=False):
    data = {"kind": kind, "file": SimpleUploadedFile(name, content, "text/csv")}
    if full:
        data["full"] = "on"
    return client.post(reverse("students:reference_import"), data)


def test_sysadmin_uploads_previews_and_imports(client, sysadmin, settings):
    client.force_login(sysadmin)
    client.cookies["language"] = "en"  # the report's texts are asserted in English below
    page = client.get(reverse("students:reference_import"))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("<h1") == 1
    assert "teaching_assignments" in html and "lecturer_email" in html

    content = sample("faculties") + b"F-BAD,\n"
    response = _upload(client, "faculties", content, full=True)
    assert response.status_code == 302
    assert response["Location"] == reverse("students:reference_import_preview")
    waiting = list((Path(settings.PRIVATE_FILES_ROOT) / "imports").glob("*.upload"))
    assert len(waiting) == 1
    assert "export" not in waiting[0].name  # the client's file name never reaches the disk

    preview = client.get(reverse("students:reference_import_preview"))
    assert preview.status_code == 200
    assert preview.context["report"].created == 3
    text = preview.content.decode()
    assert text.count("<h1") == 1
    assert "This column must not be empty." in text
    assert not Faculty.objects.exists()

    token = preview.context["token"]
    stale = client.post(reverse("students:reference_import_confirm"), {"token": "0" * 32})
    assert stale["Location"] == reverse("students:reference_import_preview")
    assert not Faculty.objects.exists()
    response = client.post(reverse("students:reference_import_confirm"), {"token": token})
    assert response.status_code == 302
    assert response["Location"] == reverse("students:reference_import_report")
    report = client.get(reverse("students:reference_import_report"))
    assert report.status_code == 200
    assert report.context["report"].created == 3
    assert Faculty.objects.count() == 3
    assert Faculty.objects.get(external_id="F-PED").history.first().history_user == sysadmin
    assert not list((Path(settings.PRIVATE_FILES_ROOT) / "imports").glob("*.upload"))

    # A second press of the button (or a reload of the POST) imports nothing more.
    again = client.post(reverse("students:reference_import_confirm"), {"token": token}, follow=True)
    assert again.redirect_chain[-1][0] == reverse("students:reference_import")
    assert "There is no file waiting to be imported." in again.content.decode()
    assert Faculty.objects.count() == 3


def test_an_invalid_upload_answers_422_with_the_error_summary(client, sysadmin):
    client.force_login(sysadmin)
    client.cookies["language"] = "en"  # messages asserted in English
    response = client.post(reverse("students:reference_import"), {})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert "Choose what the file holds." in html or response.context["form"].errors["kind"]
    assert response.context["form"].errors.keys() == {"kind", "file"}

    response = _upload(client, "courses", sample("enrolments"))
    assert response.status_code == 422
    with translation.override("en"):
        errors = response.context["form"].errors["file"]
    assert any("required columns" in str(error) for error in errors)
    assert not Course.objects.exists()


def test_an_xlsx_upload(client, sysadmin, structure):
    client.force_login(sysadmin)
    response = _upload(client, "students", (SAMPLES / "students.xlsx").read_bytes(), name="students.xlsx")
    assert response.status_code == 302
    token = client.get(reverse("students:reference_import_preview")).context["token"]
    client.post(reverse("students:reference_import_confirm"), {"token": token})
    assert Student.objects.count() == 8


def test_preview_and_report_without_an_upload_go_back_to_the_form(client, sysadmin):
    client.force_login(sysadmin)
    for name in ("reference_import_preview", "reference_import_report"):
        response = client.get(reverse(f"students:{name}"))
        assert response.status_code == 302
        assert response["Location"] == reverse("students:reference_import")


def test_sample_files_download(client, sysadmin):
    client.force_login(sysadmin)
    response = client.get(reverse("students:reference_import_sample", args=["students"]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == sample("students")
    assert client.get(reverse("students:reference_import_sample", args=["passwords"])).status_code == 404


@pytest.mark.parametrize(
    "who",
    ["student", "representative", "specialist", "centre_head", "lecturer", "administration", "auditor", "outsider"],
)
def test_everyone_else_gets_404(client, request, who):
    client.force_login(request.getfixturevalue(who))
    for name in URLS:
        assert client.get(reverse(f"students:{name}")).status_code == 404, name
    assert client.post(reverse("students:reference_import_confirm")).status_code == 404
    assert _upload(client, "faculties", sample("faculties")).status_code == 404
    assert client.get(reverse("students:reference_import_sample", args=["faculties"])).status_code == 404
    assert not Faculty.objects.filter(external_id="F-PED").exists()


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(reverse("students:reference_import"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# --- Documentation ------------------------------------------------------------------------------------------------


def test_the_import_guide_documents_every_column_of_every_kind():
    section = (Path(__file__).resolve().parents[2] / "docs" / "importing.md").read_text(encoding="utf-8")
    for kind, importer in KINDS.items():
        assert f"`{kind}`" in section, kind
        for column in importer.columns:
            required = "required" if column.required else "optional"
            assert re.search(rf"\n\|[^|\n]*`{column.name}`[^|\n]*\| {required} \|", section), (kind, column.name)
