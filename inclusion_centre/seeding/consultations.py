"""Demo data of the consultations for lecturers, the guidance notes and the training of staff: a request in every
state (one overdue, one taken), notes for a few adaptations in four languages, a seminar held with attendees and
certificate numbers, a course planned and a seminar cancelled, so the report of untrained lecturers has rows. Each row
is found by a stable key (the question, the event's title) before it is made, so a second run adds nothing."""

import datetime

from django.utils import timezone

from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.roles import Role
from inclusion_centre.history import acting_as
from routes import services
from routes.models import Adaptation, Consultation, GuidanceNote, TrainingEvent
from routes.selectors.consultation import lecturer_courses, lecturer_students

CS = Consultation.Status
TE = TrainingEvent.Status

# (question: the stable key, with the student, the state, overdue)
CONSULTATIONS = [
    ("Зағип студентке зертханалық жұмысты қалай бейімдеуге болады?", True, "requested", False),
    ("Аралық бақылауды ауызша өткізуге бола ма?", True, "taken", True),
    ("Есту қабілеті төмен студентке дәріс материалдарын қалай беремін?", False, "answered", False),
    ("Топтық жобаны жеке тапсырмаға ауыстыру туралы.", False, "closed", False),
]
ANSWER = (
    "Зертханалық жұмысты жұппен орындауға рұқсат етіңіз, нұсқаулықты электронды түрде алдын ала беріңіз; "
    "орталықтың маманы бірінші сабаққа қатыса алады."
)

NOTES = {
    "extra_time": {
        "title_kk": "Емтиханда қосымша уақыт беру",
        "title_ru": "Дополнительное время на экзамене",
        "title_en": "Extra time in examinations",
        "title_ky": "Экзаменде кошумча убакыт берүү",
        "body_kk": "Жазбаша жұмыстарға белгіленген уақытқа 25% қосылады. Студентке уақытты алдын ала хабарлаңыз.",
        "body_ru": "К времени письменных работ добавляется 25%. Сообщите студенту о времени заранее.",
        "body_en": "Add 25% to the time of written work. Tell the student the time in advance.",
        "body_ky": "Жазуу жумуштарына белгиленген убакытка 25% кошулат. Студентке убакытты алдын ала билдириңиз.",
    },
    "large_print": {
        "title_kk": "Ірі қаріппен материалдар",
        "title_ru": "Материалы крупным шрифтом",
        "title_en": "Materials in large print",
        "title_ky": "Ири тамга менен материалдар",
        "body_kk": "Үлестірмелі материалдарды кемінде 18 кегльмен, қарама-қарсы түстермен басып шығарыңыз.",
        "body_ru": "Печатайте раздаточные материалы шрифтом не меньше 18 кегля, контрастными цветами.",
        "body_en": "Print handouts in at least 18-point type, in contrasting colours.",
        "body_ky": "Таратма материалдарды кеминде 18 кегль менен, контрасттуу түстөр менен басып чыгарыңыз.",
    },
}

# (title: the stable key, kind, days from today, hours, state, attendees: "centre" or "lecturer")
EVENTS = [
    ("Инклюзивті білім беру негіздері", TrainingEvent.Kind.SEMINAR, -30, 4, TE.HELD),
    ("Ерекше білім беру қажеттіліктері бар студенттерді бағалау", TrainingEvent.Kind.COURSE, 21, 36, TE.PLANNED),
    ("Ым тілінің негіздері", TrainingEvent.Kind.SEMINAR, -10, 2, TE.CANCELLED),
]


def seed_consultations(users: dict[Role, User]) -> None:
    lecturer, specialist, head = users[Role.LECTURER], users[Role.SPECIALIST], users[Role.CENTRE_HEAD]
    course = lecturer_courses(lecturer).first()
    student = lecturer_students(lecturer).first()
    if course is not None:
        for question, about_student, state, overdue in CONSULTATIONS:
            if Consultation.objects.filter(question=question).exists():
                continue
            item = services.consultation_request(
                actor=lecturer, course=course, question=question, student=student if about_student else None
            )
            if state in {"taken", "answered"}:
                item = services.consultation_take(item=item, actor=specialist)
            if state == "answered":
                services.consultation_answer(item=item, actor=specialist, answer=ANSWER)
            if state == "closed":
                services.consultation_close(item=item, actor=head, reason="Сұрақ келесі топтық кеңесте қаралады.")
            if overdue:
                item.due_on = timezone.localdate() - datetime.timedelta(days=2)
                with acting_as(head):
                    item.save(update_fields=["due_on"])
    for code, texts in NOTES.items():
        adaptation = Adaptation.objects.filter(code=code).first()
        if adaptation is not None and not GuidanceNote.objects.filter(adaptation=adaptation).exists():
            services.guidance_note_save(adaptation=adaptation, actor=head, texts=texts)
    _seed_training(users)


def _seed_training(users: dict[Role, User]) -> None:
    head, specialist, lecturer = users[Role.CENTRE_HEAD], users[Role.SPECIALIST], users[Role.LECTURER]
    today = timezone.localdate()
    for index, (title, kind, days, hours, state) in enumerate(EVENTS):
        if TrainingEvent.objects.filter(title=title).exists():
            continue
        event = services.training_event_plan(
            actor=head,
            title=title,
            kind=kind,
            held_on=today + datetime.timedelta(days=days),
            hours=hours,
            organiser="Инклюзивті білім беруді қолдау орталығы",
        )
        if state != TE.PLANNED:
            event = services.training_event_move(event=event, actor=head, to_status=state)
        if state == TE.HELD:
            # The demo lecturer and the specialist attended; the other lecturers did not, so the report has rows.
            for number, person in enumerate((lecturer, specialist), start=1):
                services.training_attendance_add(
                    event=event, actor=head, attendee=person, certificate_number=f"DEMO-SERT-{index + 1}-{number:03}"
                )
