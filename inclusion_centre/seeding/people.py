"""Demo data for `manage.py seed_demo`: an academic structure, one user per role and the students; cases.py
seeds the cases on top of them.

Every row is found by a stable key before it is created, so a second run finds everything and writes nothing
(no new rows, no new history).
"""

import datetime

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.utils import override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from documents.models import Letterhead
from inclusion_centre.accounts.models import ExternalIdentity, StaffProfile, User
from inclusion_centre.accounts.roles import Role
from inclusion_centre.accounts.two_factor import is_required
from students import services
from students.models import (
    AcademicTerm,
    Application,
    ConditionOption,
    Course,
    Enrolment,
    Faculty,
    NeedCategory,
    Programme,
    Representation,
    Student,
    StudyGroup,
    TeachingAssignment,
)

DEMO_PASSWORD = "demo-centre-2026"  # noqa: S105 -- printed for the newcomer; seed_demo refuses to run in production
# The authenticator-app key of every demo staff account (two-step sign-in), published like the password: a newcomer
# adds it to an authenticator app once, or runs `manage.py demo_code`. 20 bytes, as authenticator apps expect.
DEMO_OTP_KEY = b"demo-centre-2026-otp".hex()

# (e-mail, full name, role, position, specialty)
DEMO_USERS = [
    ("student@demo.edu.kz", "Айгерім Серікқызы Нұрланова", Role.STUDENT, "", ""),
    ("representative@demo.edu.kz", "Гүлнар Әбілқызы Жұмабаева", Role.REPRESENTATIVE, "", ""),
    ("specialist@demo.edu.kz", "Дана Маратқызы Оспанова", Role.SPECIALIST, "Психолог", "psychologist"),
    ("head@demo.edu.kz", "Ерлан Қайратұлы Бекмұханов", Role.CENTRE_HEAD, "Орталық басшысы", ""),
    ("lecturer@demo.edu.kz", "Сәуле Төлегенқызы Ахметова", Role.LECTURER, "Аға оқытушы", ""),
    (
        "administration@demo.edu.kz",
        "Мұрат Жанұлы Сейітов",
        Role.ADMINISTRATION,
        "Оқу ісі жөніндегі проректор",
        "",
    ),
    (
        "auditor@demo.edu.kz",
        "Әсел Бауыржанқызы Қасымова",
        Role.AUDITOR,
        "Дербес деректерді қорғау жөніндегі маман",
        "",
    ),
    ("sysadmin@demo.edu.kz", "Нұржан Асқарұлы Тоқтаров", Role.SYSADMIN, "Жүйе әкімшісі", ""),
    ("exams@demo.edu.kz", "Мәдина Ерболқызы Сәрсенова", Role.EXAM_OFFICE, "Емтихан бөлімінің маманы", ""),
]
# The same positions in Russian: pages and printed copies give each reader the position in their language.
DEMO_POSITIONS_RU = {
    "Психолог": "Психолог",
    "Орталық басшысы": "Руководитель центра",
    "Аға оқытушы": "Старший преподаватель",
    "Оқу ісі жөніндегі проректор": "Проректор по учебной работе",
    "Дербес деректерді қорғау жөніндегі маман": "Специалист по защите персональных данных",
    "Жүйе әкімшісі": "Системный администратор",
    "Емтихан бөлімінің маманы": "Специалист экзаменационного отдела",
}

OTHER_LECTURERS = [
    ("lecturer2@demo.edu.kz", "Бақытжан Серікұлы Омаров"),
    ("lecturer3@demo.edu.kz", "Роза Ильинична Ким"),
    ("lecturer4@demo.edu.kz", "Жанар Қуанышқызы Мұқанова"),
    ("lecturer5@demo.edu.kz", "Алексей Викторович Петров"),
]

STUDENT_NAMES = [
    "Әлихан Нұрлан",
    "Мадина Ерболқызы",
    "Ілияс Бекзат",
    "Аружан Талғатқызы",
    "Нұрсұлтан Ғалым",
    "Томирис Асқарқызы",
    "Данияр Қанат",
    "Жансая Мұратқызы",
    "Ерасыл Болат",
    "Ақерке Серікқызы",
    "Бекарыс Үсен",
    "Диана Ковалёва",
    "Саят Өмірзақ",
    "Інжу Дәулетқызы",
    "Арман Һашим",
    "Камила Рахимова",
    "Ғабит Жақсылық",
    "Әйгерім Нұрболқызы",
    "Тимур Ли",
]

COURSES = [
    # external id, code, kk, ru, en
    ("C-PED-101", "PED1101", "Педагогика негіздері", "Основы педагогики", "Foundations of pedagogy"),
    ("C-PSY-102", "PSY1102", "Жалпы психология", "Общая психология", "General psychology"),
    ("C-INC-201", "INC2201", "Инклюзивті білім беру", "Инклюзивное образование", "Inclusive education"),
    ("C-DEV-202", "PSY2202", "Даму психологиясы", "Психология развития", "Developmental psychology"),
    ("C-KAZ-101", "KAZ1101", "Қазақ тілі", "Казахский язык", "Kazakh language"),
    (
        "C-LIT-201",
        "LIT2201",
        "Қазақ әдебиетінің тарихы",
        "История казахской литературы",
        "History of Kazakh literature",
    ),
    ("C-RUS-101", "RUS1101", "Орыс тілі", "Русский язык", "Russian language"),
    (
        "C-ENG-101",
        "ENG1101",
        "Шетел тілі (ағылшын)",
        "Иностранный язык (английский)",
        "Foreign language (English)",
    ),
    (
        "C-ICT-101",
        "ICT1101",
        "Ақпараттық-коммуникациялық технологиялар",
        "Информационно-коммуникационные технологии",
        "Information and communication technologies",
    ),
    (
        "C-HIS-101",
        "HIS1101",
        "Қазақстанның қазіргі заман тарихы",
        "Современная история Казахстана",
        "Modern history of Kazakhstan",
    ),
]


def _user(email: str, full_name: str, *, usable_password: bool) -> tuple[User, bool]:
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return user, False
    user = User(email=email, full_name=full_name, preferred_language=User.Language.KAZAKH)
    if usable_password:
        user.set_password(DEMO_PASSWORD)
    else:
        user.set_unusable_password()
    user.save()
    return user, True


def _grant(user: User, role: Role) -> None:
    group = Group.objects.get(name=role.value)
    if not user.groups.filter(pk=group.pk).exists():
        user.groups.add(group)


def seed_users() -> dict[Role, User]:
    users = {}
    for email, full_name, role, position, specialty in DEMO_USERS:
        user, created = _user(email, full_name, usable_password=True)
        # The centre head manages the adaptation catalogue in the administration site.
        # The exam office keeps the exam rooms there.
        if created and role in {Role.SYSADMIN, Role.CENTRE_HEAD, Role.EXAM_OFFICE}:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        _grant(user, role)
        if position and not StaffProfile.objects.filter(user=user).exists():
            StaffProfile.objects.create(
                user=user, position_kk=position, position_ru=DEMO_POSITIONS_RU.get(position, ""), specialty=specialty
            )
        users[role] = user
    # The lecturer has also signed in once through the university's OpenID provider: their account shows the link
    # (administration site, user page) that later sign-ins find them by (accounts/provisioning.py).
    ExternalIdentity.objects.get_or_create(
        source=ExternalIdentity.Source.OIDC,
        issuer="https://sso.example.edu.kz/realms/university",
        subject="demo-lecturer-0001",
        defaults={"user": users[Role.LECTURER]},
    )
    return users


def _seed_programmes() -> tuple[Faculty, Programme, Programme]:
    faculty, _ = Faculty.objects.get_or_create(
        external_id="F-PED",
        defaults={
            "name_kk": "Педагогика және психология факультеті",
            "name_ru": "Факультет педагогики и психологии",
            "name_en": "Faculty of Pedagogy and Psychology",
        },
    )
    pedagogy, _ = Programme.objects.get_or_create(
        external_id="P-6B01101",
        defaults={
            "faculty": faculty,
            "code": "6B01101",
            "name_kk": "Педагогика және психология",
            "name_ru": "Педагогика и психология",
            "name_en": "Pedagogy and psychology",
        },
    )
    philology, _ = Programme.objects.get_or_create(
        external_id="P-6B01701",
        defaults={
            "faculty": faculty,
            "code": "6B01701",
            "name_kk": "Қазақ тілі мен әдебиеті",
            "name_ru": "Казахский язык и литература",
            "name_en": "Kazakh language and literature",
        },
    )
    return faculty, pedagogy, philology


def _seed_groups(pedagogy: Programme, philology: Programme) -> list[StudyGroup]:
    groups = []
    for external_id, programme, name, year in [
        ("G-PP-25", pedagogy, "ПП-25", 2025),
        ("G-PP-26", pedagogy, "ПП-26", 2026),
        ("G-KTA-25", philology, "ҚТӘ-25", 2025),
        ("G-KTA-26", philology, "ҚТӘ-26", 2026),
    ]:
        group, _ = StudyGroup.objects.get_or_create(
            external_id=external_id, defaults={"programme": programme, "name": name, "admission_year": year}
        )
        groups.append(group)
    return groups


def _seed_courses(users: dict[Role, User], term: AcademicTerm) -> list[Course]:
    """The demo courses, taught in `term` by the demo lecturer and the other lecturers in turn."""
    lecturers = [users[Role.LECTURER]]
    for email, full_name in OTHER_LECTURERS:
        lecturer, _created = _user(email, full_name, usable_password=True)
        _grant(lecturer, Role.LECTURER)
        lecturers.append(lecturer)

    courses = []
    for index, (external_id, code, kk, ru, en) in enumerate(COURSES):
        course, _ = Course.objects.get_or_create(
            external_id=external_id, defaults={"code": code, "name_kk": kk, "name_ru": ru, "name_en": en}
        )
        courses.append(course)
        TeachingAssignment.objects.get_or_create(lecturer=lecturers[index % len(lecturers)], course=course, term=term)
    return courses


def seed_academic_structure(users: dict[Role, User]) -> dict:
    faculty, pedagogy, philology = _seed_programmes()
    groups = _seed_groups(pedagogy, philology)
    term, _ = AcademicTerm.objects.get_or_create(
        external_id="T-2026-1",
        defaults={
            "academic_year": "2026-2027",
            "number": 1,
            "starts_on": datetime.date(2026, 9, 1),
            "ends_on": datetime.date(2026, 12, 31),
        },
    )
    return {
        "faculty": faculty,
        "programmes": [pedagogy, philology],
        "groups": groups,
        "term": term,
        "courses": _seed_courses(users, term),
    }


def seed_students(users: dict[Role, User], structure: dict) -> list[Student]:
    term = structure["term"]
    courses = structure["courses"]
    groups = structure["groups"]
    people = [(users[Role.STUDENT].email, users[Role.STUDENT].full_name, True)]
    people += [(f"student{n:02d}@demo.edu.kz", name, False) for n, name in enumerate(STUDENT_NAMES, start=1)]
    students = []
    for number, (email, full_name, usable) in enumerate(people, start=1):
        user, _ = _user(email, full_name, usable_password=usable)
        _grant(user, Role.STUDENT)
        group = groups[number % len(groups)]
        student, _ = Student.objects.get_or_create(
            user=user,
            defaults={
                "external_id": f"S-{20260000 + number}",
                "programme": group.programme,
                "group": group,
                "year_of_study": 2026 - group.admission_year + 1,
            },
        )
        students.append(student)
        # Pedagogy students take the first four courses plus the common ones; philology students the rest.
        own = courses[:4] if group.programme.code == "6B01101" else courses[4:7]
        for course in [*own, *courses[7:10]]:
            Enrolment.objects.get_or_create(student=student, course=course, term=term)
    Representation.objects.get_or_create(
        student=students[1],
        representative=users[Role.REPRESENTATIVE],
        defaults={"relationship": Representation.Relationship.PARENT},
    )
    return students


def demo_pdf(title: str) -> SimpleUploadedFile:
    # With its cross-reference table: uploads are read object by object (documents/pdfcheck.py).
    head = f"%PDF-1.4\n% {title}\n"
    objects = ["1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n", "2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"]
    offsets = [len(head.encode()), len(head.encode()) + len(objects[0])]
    xref = offsets[1] + len(objects[1])
    table = "xref\n0 3\n0000000000 65535 f \n" + "".join(f"{offset:010d} 00000 n \n" for offset in offsets)
    tail = f"trailer<</Size 3/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n"
    body = (head + "".join(objects) + table + tail).encode()
    return SimpleUploadedFile(f"{title}.pdf", body, "application/pdf")


def fill_application(application: Application, actor: User, codes: list[str], description: str) -> Application:
    return services.application_update(
        application=application,
        actor=actor,
        categories=list(NeedCategory.objects.filter(code__in=codes)),
        description=description,
        conditions=list(ConditionOption.objects.filter(code__in=["large_print", "extra_time", "electronic"])),
        conditions_other="",
        disability_group="",
        contact_channel=Application.ContactChannel.EMAIL,
        contact_phone="",
        contact_notes="",
    )


def submitted_application(student: Student, actor: User, codes: list[str], description: str) -> Application:
    application = services.application_start(actor=actor, student=student)
    fill_application(application, actor, codes, description)
    services.consent_give(application=application, actor=actor, language=actor.preferred_language)
    services.document_upload(application=application, actor=actor, upload=demo_pdf("anyktama"), kind="specialist")
    return services.application_submit(application=application, actor=actor)


def demo_otp_secret() -> str:
    """DEMO_OTP_KEY as authenticator apps ask for it when typed by hand (base32, in groups of four)."""
    import base64

    secret = base64.b32encode(bytes.fromhex(DEMO_OTP_KEY)).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def seed_two_factor() -> None:
    """Every demo account that the two-step sign-in asks (staff, admin users) gets the published demo key."""
    with override_settings(OTP_ENFORCE=True):
        for user in User.objects.filter(email__endswith="@demo.edu.kz"):
            if is_required(user) and not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
                TOTPDevice.objects.create(user=user, name="demo authenticator app", key=DEMO_OTP_KEY, confirmed=True)


def demo_emblem() -> bytes:
    """A 256-pixel PNG emblem drawn here (a ring and an open book), so that the demo letterhead shows an uploaded
    emblem rather than the placeholder the code ships with."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (256, 256), "white")
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, 248, 248), outline="#1d4f91", width=14)
    draw.polygon([(64, 96), (126, 112), (126, 186), (64, 170)], fill="#1d4f91")
    draw.polygon([(130, 112), (192, 96), (192, 170), (130, 186)], fill="#1d4f91")
    draw.ellipse((112, 52, 144, 84), fill="#d9a400")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def seed_letterhead() -> Letterhead:
    """The institution's letterhead as a system administrator would fill it in the admin; filled once, so seeding
    again changes nothing and keeps what an administrator edited since."""
    letterhead, _created = Letterhead.objects.get_or_create(
        key=1,
        defaults={
            "institution_name_kk": settings.INSTITUTION_NAME["kk"],
            "institution_name_ru": settings.INSTITUTION_NAME["ru"],
            "institution_name_en": settings.INSTITUTION_NAME["en"],
            "centre_name_kk": "Инклюзивті білім беруді қолдау орталығы",
            "centre_name_ru": "Центр поддержки инклюзивного образования",
            "centre_name_en": "Inclusive Education Support Centre",
            "addressee_kk": "Инклюзивті білім беруді қолдау орталығының басшысына",
            "addressee_ru": "Руководителю Центра поддержки инклюзивного образования",
            "address_kk": "010009, Астана қ., Жұмабаев к-сі, 4",
            "address_ru": "010009, г. Астана, ул. Жумабаева, 4",
            "phone": "+7 7172 00 00 00",
            "email": "inclusion@example.edu.kz",
            "website": "example.edu.kz",
            "form_code_application": "ИББҚО-Ф-01",
            "form_code_conclusion": "ИББҚО-Ф-02",
            "form_code_route": "ИББҚО-Ф-03",
            "form_code_protocol": "ИББҚО-Ф-04",
            "form_code_protocol_extract": "ИББҚО-Ф-05",
            "emblem": demo_emblem(),
            "emblem_type": "image/png",
        },
    )
    return letterhead
