"""Demo data of the service requests and the equipment loans: a request in every state (one of them overdue) and a
loan in every situation (open, overdue, returned), made through the services. Each row is found by a stable key
(the request's details, the item's inventory number) before it is made, so a second run adds nothing."""

import datetime

from django.utils import timezone

from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.roles import Role
from inclusion_centre.history import acting_as
from routes import services
from routes.models import Equipment, EquipmentLoan, ServiceQueue, ServiceRequest
from students.models import Student

SR = ServiceRequest.Status

# (kind, details: the stable key, the moves after filing, overdue)
REQUESTS = [
    ("interpreter", "Ым тілі аудармашысы: Педагогика пәнінің дәрістеріне.", [], False),
    ("formats", "Оқулықтың электронды нұсқасы (экраннан оқу бағдарламасы үшін).", [], True),
    ("note_taker", "Конспект жазушы: практикалық сабақтарға.", [SR.ACCEPTED], False),
    ("interpreter", "Ым тілі аудармашысы: аралық бақылауға.", [SR.ACCEPTED, SR.SCHEDULED], False),
    ("formats", "Емтихан материалдары ірі қаріппен (18 кегль).", [SR.ACCEPTED, SR.PROVIDED], False),
    ("note_taker", "Конспект жазушы: кешкі факультативке.", [SR.REFUSED], False),
]
REFUSAL = "Кешкі сабақтарға конспект жазушы жоқ; дәрістің жазбасы электронды түрде беріледі."

# (inventory number, item, kind, serial, situation)
EQUIPMENT = [
    ("DEMO-EQ-001", "Бейнеұлғайтқыш Topaz", Equipment.Kind.MAGNIFIER, "TPZ-2291", "open"),
    ("DEMO-EQ-002", "FM-жүйе Roger", Equipment.Kind.HEARING, "RG-55410", "overdue"),
    ("DEMO-EQ-003", "Брайль дисплейі Focus 40", Equipment.Kind.BRAILLE, "F40-7781", "returned"),
    ("DEMO-EQ-004", "NVDA орнатылған ноутбук", Equipment.Kind.LAPTOP, "NB-1042", "shelf"),
    ("DEMO-EQ-005", "Диктофон", Equipment.Kind.RECORDER, "", "repair"),
]


def seed_service_requests(users: dict[Role, User], students: list[Student]) -> None:
    specialist, head = users[Role.SPECIALIST], users[Role.CENTRE_HEAD]
    with acting_as(users[Role.SYSADMIN]):
        for queue in ServiceQueue.objects.filter(owner__isnull=True):
            queue.owner = specialist
            queue.save()
    student = students[0]
    course = student.enrolments.select_related("course").first()
    for index, (kind, details, moves, overdue) in enumerate(REQUESTS):
        if ServiceRequest.objects.filter(details=details).exists():
            continue
        # Half filed by the student, half by the centre head on the student's behalf.
        actor = student.user if index % 2 == 0 else head
        item = services.service_request_create(
            actor=actor,
            student=student,
            kind=kind,
            course=course.course if course and index % 2 == 0 else None,
            needed_on=timezone.localdate() + datetime.timedelta(days=7 + index),
            details=details,
        )
        for to_status in moves:
            item = services.service_request_move(
                item=item,
                actor=specialist,
                to_status=to_status,
                reason=REFUSAL if to_status == SR.REFUSED else "",
                scheduled_for=timezone.localdate() + datetime.timedelta(days=5) if to_status == SR.SCHEDULED else None,
            )
        if overdue:  # filed long enough ago that its deadline has passed
            item.due_on = timezone.localdate() - datetime.timedelta(days=2)
            with acting_as(head):
                item.save(update_fields=["due_on"])
    _seed_equipment(specialist, students)


def _seed_equipment(specialist: User, students: list[Student]) -> None:
    today = timezone.localdate()
    for index, (number, name, kind, serial, situation) in enumerate(EQUIPMENT):
        if Equipment.objects.filter(inventory_number=number).exists():
            continue
        with acting_as(specialist):
            item = Equipment.objects.create(
                name=name,
                kind=kind,
                inventory_number=number,
                serial_number=serial,
                condition=Equipment.Condition.REPAIR if situation == "repair" else Equipment.Condition.GOOD,
            )
        if situation not in {"open", "overdue", "returned"}:
            continue
        borrower = students[index % len(students)]
        loan = services.equipment_lend(
            equipment=item, actor=specialist, borrower=borrower, due_on=today + datetime.timedelta(days=14)
        )
        if situation == "overdue":  # lent a month ago for two weeks
            _backdate(loan, specialist, lent=today - datetime.timedelta(days=30), days=14)
        if situation == "returned":
            _backdate(loan, specialist, lent=today - datetime.timedelta(days=20), days=14)
            services.equipment_return(loan=loan, actor=specialist)


def _backdate(loan: EquipmentLoan, actor: User, *, lent: datetime.date, days: int) -> None:
    loan.lent_on, loan.due_on = lent, lent + datetime.timedelta(days=days)
    with acting_as(actor):
        loan.save(update_fields=["lent_on", "due_on"])
