"""Demo data for `seed_demo`: on top of people.py's users, structure and students, one case in every state
(application, assessment, conclusion, route, meetings), made through the services. `seed` loads it all.

Every row is found by a stable key before it is created, so a second run finds everything and writes nothing.
"""

import datetime

from django.test.utils import override_settings
from django.utils import timezone

from documents.models import DocumentType
from documents.services import register_document
from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.roles import Role
from inclusion_centre.history import acting_as
from inclusion_centre.seeding.appeals import seed_appeals, seed_disclosures
from inclusion_centre.seeding.consultations import seed_consultations
from inclusion_centre.seeding.delivery import seed_delivery_surveys
from inclusion_centre.seeding.exams import seed_exams
from inclusion_centre.seeding.partners import seed_partners
from inclusion_centre.seeding.people import (
    demo_pdf,
    fill_application,
    seed_academic_structure,
    seed_letterhead,
    seed_students,
    seed_two_factor,
    seed_users,
    submitted_application,
)
from inclusion_centre.seeding.requests import seed_service_requests
from inclusion_centre.seeding.voice import seed_voices_and_mse
from routes import services
from routes.models import AccommodationLetter, Adaptation, AgendaItem, Agreement, Conclusion, Route, TeamMeeting
from routes.services.meeting import CASE_STATUSES
from students import permissions as student_permissions
from students import services as student_services
from students.models import Application, ConditionOption, Enrolment, NeedCategory, Student, TeachingAssignment

R = Route.Status

GOALS = "Оқу бағдарламасын толық меңгеру; емтихандарды бейімделген формада тапсыру."


def _complete(route: Route, actor: User) -> Route:
    route = services.route_update(
        route=route,
        actor=actor,
        revision=route.revision,
        goals=GOALS,
        exam_extra_time=25,
        exam_rest_breaks=10,
        exam_separate_room=True,
        exam_reader=True,
    )
    services.measure_add(
        route=route,
        actor=actor,
        who="Тьютор",
        what="Апта сайын оқу жоспарын бірге қарау",
        frequency="Аптасына 1 рет",
        until=None,
    )
    return route


def _send(route: Route, actor: User) -> Route:
    route.refresh_from_db()
    return services.route_send_for_agreement(route=route, actor=actor, revision=route.revision)


def _agree_all(route: Route) -> Route:
    for agreement in Agreement.objects.filter(route=route, status=Agreement.Status.PENDING).select_related("lecturer"):
        services.agreement_answer(agreement=agreement, actor=agreement.lecturer, decision="agreed", comment="")
    route.refresh_from_db()
    return route


class _Routes:
    """Who drafts, approves and cancels the demo routes, and the two ways a demo route starts."""

    def __init__(self, users: dict[Role, User]):
        self.specialist = users[Role.SPECIALIST]
        self.head = users[Role.CENTRE_HEAD]
        self.administration = users[Role.ADMINISTRATION]
        self.lecturer = users[Role.LECTURER]

    def draft(self, application: Application) -> Route:
        term = application.student.enrolments.select_related("term").first().term
        route = services.route_draft(
            application=application, actor=self.specialist, academic_year=term.academic_year, term=term
        )
        return _complete(route, self.specialist)

    def in_force(self, application: Application, *, extra_section: bool = False) -> Route:
        route = self.draft(application)
        if extra_section:
            _add_extra_section(route, self.specialist)
        route = _agree_all(_send(route, self.specialist))
        return services.route_approve(route=route, actor=self.administration)


def _add_extra_section(route: Route, specialist: User) -> None:
    """A course the enrolment data lacks, added by hand: the typical route of 8 sections the PDF benchmark
    renders."""
    taken = {section.course_id for section in route.sections.all()}
    assignment = (
        TeachingAssignment.objects.filter(term=route.term)
        .exclude(course_id__in=taken)
        .select_related("course", "lecturer")
        .order_by("course__code")
        .first()
    )
    if assignment is None:
        return
    route.refresh_from_db()
    section = services.section_add(
        route=route,
        actor=specialist,
        revision=route.revision,
        course=assignment.course,
        term=assignment.term,
        lecturer=assignment.lecturer,
    )
    route.refresh_from_db()
    services.section_update(
        section=section,
        actor=specialist,
        revision=route.revision,
        content_adaptation="• Дәріс материалдары алдын ала электрондық түрде беріледі.",
        methods="",
        assessment_forms="• Бақылауда қосымша уақыт (+25%)",
    )


def _changes_requested(seed: _Routes, application: Application) -> None:
    route = _send(seed.draft(application), seed.specialist)
    agreement = Agreement.objects.filter(route=route).select_related("lecturer").first()
    services.agreement_answer(
        agreement=agreement,
        actor=agreement.lecturer,
        decision="changes",
        comment="Аралық бақылауды ауызша өткізуді ұсынамын; жазбаша тест студентке қиын.",
    )


def _in_approval(seed: _Routes, application: Application) -> None:
    """One lecturer asked for a change first (their first answer stays on file as no longer valid), and one
    agreed with a remark."""
    specialist = seed.specialist
    route = _send(seed.draft(application), specialist)
    first, second = Agreement.objects.filter(route=route).select_related("lecturer", "section")[:2]
    services.agreement_answer(
        agreement=first, actor=first.lecturer, decision="changes", comment="Бақылау түрлерін нақтылаңыз."
    )
    route.refresh_from_db()
    section = first.section
    services.section_update(
        section=section,
        actor=specialist,
        revision=route.revision,
        content_adaptation=section.content_adaptation,
        methods=section.methods,
        assessment_forms=section.assessment_forms + "\n• Аралық бақылау ауызша.",
    )
    route = _send(route, specialist)
    # The changes set the second lecturer's open question aside; sent again, they are asked anew.
    second = Agreement.objects.get(route=route, section=second.section, status=Agreement.Status.PENDING)
    services.agreement_answer(
        agreement=second,
        actor=second.lecturer,
        decision="agreed_remarks",
        comment="Қосымша уақытты емтихан кестесінде алдын ала көрсету керек.",
    )
    _agree_all(route)


def _in_force(seed: _Routes, application: Application) -> None:
    route = seed.in_force(application, extra_section=True)
    _support_sessions(route, seed.specialist)
    _letters(route, seed)
    services.changed_needs_report(
        application=route.application,
        actor=route.application.student.user,
        text="Көруім нашарлады: материалдарды бұдан да ірі қаріппен алғым келеді.",
    )


# Support delivered under the first measure of the route in force: two sessions held, one the student missed. The
# route came into force today (the demo may load at any hour), so the sessions are today's.
SESSIONS = [
    (45, True, "Алаңдаушылықты басқару жаттығулары; келесі аптаға жоспар құрылды."),
    (30, False, "Студент келмеді, ескертпесіз. Хабарласу керек."),
    (60, True, "Емтиханға дайындық: уақытты бөлу тәсілдері."),
]


def _support_sessions(route: Route, specialist: User) -> None:
    measure = route.measures.first()
    if measure is None or measure.sessions.exists():
        return
    for minutes, attended, notes in SESSIONS:
        services.support_session_log(
            measure=measure,
            actor=specialist,
            held_on=timezone.localdate(),
            minutes=minutes,
            notes=notes,
            attended=attended,
        )


def _letters(route: Route, seed: _Routes) -> None:
    """Per-term activation: the student enrolled on three more courses after the route came into force. The demo
    lecturer's letter waits, the next is acknowledged, the third was withdrawn when the course was dropped again.
    Followed as on the first day of the term, so the demo shows them whatever day it is loaded."""
    if AccommodationLetter.objects.filter(route=route).exists():
        return
    student = route.application.student
    taken = Enrolment.objects.filter(student=student, term=route.term).values_list("course_id", flat=True)
    free = list(
        TeachingAssignment.objects.filter(term=route.term)
        .exclude(course_id__in=list(taken))
        .exclude(course_id__in=list(route.sections.values_list("course_id", flat=True)))
        .select_related("course", "lecturer")
        .order_by("course__code")
    )
    free.sort(key=lambda assignment: assignment.lecturer_id != seed.lecturer.pk)
    if len(free) < 3:
        return
    waiting, acknowledged, dropped = free[:3]
    for assignment in (waiting, acknowledged, dropped):
        Enrolment.objects.get_or_create(student=student, course=assignment.course, term=route.term)
    services.sections_follow_enrolments(route=route, actor=seed.specialist, today=route.term.starts_on)
    letter = AccommodationLetter.objects.get(route=route, section__course=acknowledged.course)
    services.letter_acknowledge(letter=letter, actor=acknowledged.lecturer)
    Enrolment.objects.filter(student=student, course=dropped.course, term=route.term).delete()
    services.sections_follow_enrolments(route=route, actor=seed.specialist, today=route.term.starts_on)


def _superseded(seed: _Routes, application: Application) -> None:
    route = seed.in_force(application)
    review = services.route_review(
        route=route, actor=seed.specialist, reason="scheduled", outcome="revise", comment="Екінші семестрге жаңарту."
    )
    new = Route.objects.get(previous=review.route)
    services.route_approve(route=_agree_all(_send(new, seed.specialist)), actor=seed.administration)


def _under_review(seed: _Routes, application: Application) -> None:
    route = seed.in_force(application)
    review = services.route_review(
        route=route,
        actor=seed.specialist,
        reason="changed_needs",
        outcome="revise",
        comment="Студент қашықтан оқуға көшуді сұрады.",
    )
    _send(Route.objects.get(previous=review.route), seed.specialist)


def _cancelled(seed: _Routes, application: Application) -> None:
    services.route_cancel(route=seed.draft(application), actor=seed.head, reason="Студент басқа оқу орнына ауысты.")


def _closed(seed: _Routes, application: Application) -> None:
    route = seed.in_force(application)
    services.case_close(application=route.application, actor=seed.head, reason="Студент оқуын бітірді.")


# How each stage of the route's life is reached, in the order the stages are seeded.
STAGES = {
    "draft": lambda seed, application: seed.draft(application),
    "in_agreement": lambda seed, application: _send(seed.draft(application), seed.specialist),
    "changes_requested": _changes_requested,
    "in_approval": _in_approval,
    "in_force": _in_force,
    "superseded": _superseded,
    "under_review": _under_review,
    "cancelled": _cancelled,
    "closed": _closed,
}


def seed_routes(users: dict[Role, User], concluded: dict[str, Application]) -> None:
    """`concluded` maps a stage name to a concluded case that has no route yet."""
    seed = _Routes(users)
    for stage, reach in STAGES.items():
        if stage in concluded:
            reach(seed, concluded[stage])
    seed_voices_and_mse(users, concluded)
    seed_meetings(users)


def students_for_routes(students: list[Student]) -> dict[str, Student]:
    """Which demo students get which route stage (students without an application yet)."""
    return dict(
        zip(
            [
                "draft",
                "in_agreement",
                "changes_requested",
                "in_approval",
                "in_force",
                "superseded",
                "under_review",
                "cancelled",
            ],
            students[12:20],
            strict=True,
        )
    )


# --- Interdisciplinary team meetings ------------------------------------------------------------------------


def _when(days: int, hour: int, minutes: int = 90):
    import datetime

    day = timezone.localdate() + datetime.timedelta(days=days)
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))
    return start, start + datetime.timedelta(minutes=minutes)


def _plan(head: User, secretary: User, *, days: int, hour: int, place: str, link: str = "", members=()):
    """Plan through the service (a plan is always for the future), then move it to its demo date."""

    starts, ends = _when(max(days, 1), hour)
    meeting = services.meeting_plan(
        actor=head,
        starts_at=starts,
        ends_at=ends,
        place=place,
        online_link=link,
        chair=head,
        secretary=secretary,
        members=list(members),
    )
    if days < 1:
        starts, ends = _when(days, hour)
        TeamMeeting.objects.filter(pk=meeting.pk).update(starts_at=starts, ends_at=ends)
        meeting.refresh_from_db()
    return meeting


def _write(protocol, secretary: User, decisions: dict[str, str], *, votes_against: int = 0, dissent: str = ""):
    """The secretary records everyone present (guests who declined as absent) and a decision per question."""
    attendance = {}
    voters = 0
    for row in protocol.attendance.select_related("member"):
        present = row.member.invitation != "declined"
        attendance[row.pk] = {
            "presence": "present" if present else "absent_reason",
            "reason": "" if present else (row.member.answer_comment or "Ауырып қалды"),
        }
        voters += int(present and row.member.votes)
    records = {}
    for record in protocol.records.select_related("item__route"):
        route = record.item.route
        measures = list(route.measures.all()) if route is not None and record.item.topic == "measures" else []
        records[record.pk] = {
            "heard": "Психолог студенттің қажеттіліктері мен бағалау нәтижелерін баяндады.",
            "decision": decisions.get(record.item.topic, "Ақпарат назарға алынсын."),
            "outcome": "approve_measures" if measures else "other",
            "measures": measures,
            "votes_for": voters - votes_against,
            "votes_against": votes_against,
            "votes_abstained": 0,
            "dissent": dissent,
        }
    return services.protocol_save(
        protocol=protocol, actor=secretary, revision=protocol.revision, attendance=attendance, records=records
    )


REVIEW_QUESTIONS = 20


def _semester_review(head: User, secretary: User) -> None:
    """A meeting that goes through every open case, each on several questions, until there are twenty."""

    cases = list(
        Application.objects.filter(status__in=CASE_STATUSES, consent__withdrawn_at__isnull=True)
        .prefetch_related("routes")
        .order_by("pk")
    )
    if not cases:
        return
    meeting = _plan(head, secretary, days=-28, hour=10, place="Бас ғимарат, 204")
    topics = [AgendaItem.Topic.CONCLUSION, AgendaItem.Topic.ROUTE_REVIEW, AgendaItem.Topic.OTHER]
    for number in range(REVIEW_QUESTIONS):
        case = cases[number % len(cases)]
        # The route waiting for approval is left to the planned meeting: its approval page shows no decision yet.
        skipped = {Route.Status.CANCELLED, Route.Status.IN_APPROVAL}
        route = next((r for r in case.routes.all() if r.status not in skipped), None)
        topic = topics[(number // len(cases)) % len(topics)]
        if route is not None and number < len(cases):
            topic = AgendaItem.Topic.MEASURES
        services.agenda_item_add(
            meeting=meeting,
            actor=head,
            application=case,
            route=route if topic in (AgendaItem.Topic.MEASURES, AgendaItem.Topic.ROUTE_REVIEW) else None,
            topic=topic,
        )
    protocol = services.meeting_hold(meeting=meeting, actor=secretary)
    _write(
        protocol,
        secretary,
        {
            AgendaItem.Topic.MEASURES: "Маршруттағы психологиялық-педагогикалық қолдау шаралары бекітілсін.",
            AgendaItem.Topic.ROUTE_REVIEW: "Маршрут өзгеріссіз жалғассын; келесі қарау семестр соңында.",
            AgendaItem.Topic.CONCLUSION: "Қорытындыдағы ұсыныстар күшінде қалсын.",
        },
    )
    services.protocol_sign(protocol=protocol, actor=secretary)
    services.protocol_sign(protocol=protocol, actor=head)


def seed_meetings(users: dict[Role, User]) -> None:
    """A meeting in every state: planned (answers confirmed, declined, none), held with its protocol being
    written, signed, corrected (the first version superseded), and cancelled. Runs once: skipped when any exist."""

    if TeamMeeting.objects.exists():
        return
    head, secretary, lecturer = users[Role.CENTRE_HEAD], users[Role.SPECIALIST], users[Role.LECTURER]
    in_force = list(Route.objects.filter(status=R.IN_FORCE).select_related("application").order_by("pk"))
    revising = Route.objects.filter(status=R.IN_AGREEMENT, previous__isnull=False).first()
    draft = Route.objects.filter(status=R.DRAFT, version=1).first()
    demo_case = (
        Application.objects.filter(student__user=users[Role.STUDENT])
        .exclude(status__in=Application.final_statuses())
        .first()
    )
    # Waiting for the team's decision on its support measures: on the planned meeting's agenda.
    awaiting_team = Route.objects.filter(status=R.IN_APPROVAL).first()
    if len(in_force) < 2 or draft is None or demo_case is None:
        return
    _signed_meeting(head, secretary, in_force[0])
    # Signed four weeks ago: the start-of-term review, twenty questions over the open cases (the size of a
    # protocol that bench/render_documents.py renders, and the largest sample of the printed protocol).
    _semester_review(head, secretary)
    _corrected_meeting(head, secretary, in_force[1])
    _held_meeting(head, secretary, revising, draft)
    _planned_meeting(head, secretary, lecturer, demo_case, draft, awaiting_team)
    # Cancelled: planned, then called off.
    cancelled = _plan(head, secretary, days=3, hour=11, place="Бас ғимарат, 310")
    services.agenda_item_add(meeting=cancelled, actor=head, application=None, route=draft, topic="measures")
    services.meeting_cancel(meeting=cancelled, actor=head, reason="Маршрут жобасы әлі дайын емес.")


APPROVE = {"measures": "Маршруттағы психологиялық-педагогикалық қолдау шаралары бекітілсін."}


def _signed_meeting(head: User, secretary: User, route: Route) -> None:
    """Signed three weeks ago: the measures of a route in force approved, the student and lecturers present."""
    signed = _plan(head, secretary, days=-21, hour=10, place="Бас ғимарат, 204")
    services.agenda_item_add(
        meeting=signed,
        actor=head,
        application=None,
        route=route,
        topic="measures",
        note="Студенттің көру қабілеті төмендеген; материалдардың форматын қайта қарау керек.",
        invite_student=True,
        invite_lecturers=True,
    )
    for member in signed.members.select_related("user"):
        services.meeting_rsvp(meeting=signed, actor=member.user, answer="confirmed")
    protocol = services.meeting_hold(meeting=signed, actor=secretary)
    _write(protocol, secretary, APPROVE)
    services.protocol_sign(protocol=protocol, actor=secretary)
    services.protocol_sign(protocol=protocol, actor=head)


def _corrected_meeting(head: User, secretary: User, route: Route) -> None:
    """Signed two weeks ago, then corrected: the vote was recorded wrongly; version 1 is superseded."""
    corrected = _plan(head, secretary, days=-14, hour=15, place="", link="https://meet.demo.edu.kz/ortalyk")
    services.agenda_item_add(
        meeting=corrected, actor=head, application=None, route=route, topic="measures", invite_lecturers=True
    )
    protocol = services.meeting_hold(meeting=corrected, actor=secretary)
    _write(protocol, secretary, APPROVE, votes_against=1, dissent="Қолдау шараларының жиілігі жеткіліксіз.")
    services.protocol_sign(protocol=protocol, actor=head)
    services.protocol_sign(protocol=protocol, actor=secretary)
    correction = services.protocol_correct(
        meeting=corrected, actor=secretary, reason="Дауыс беру нәтижесі қате жазылған: қарсы дауыс болған жоқ."
    )
    _write(correction, secretary, APPROVE)
    services.protocol_sign(protocol=correction, actor=secretary)
    services.protocol_sign(protocol=correction, actor=head)


def _held_meeting(head: User, secretary: User, revising: Route | None, draft: Route) -> None:
    """Held yesterday (a meeting is held only after it starts, and the demo may be loaded at any hour): the protocol
    is written, the secretary has signed, the chair has not yet."""
    held = _plan(head, secretary, days=-1, hour=9, place="Бас ғимарат, 204")
    if revising is not None:
        services.agenda_item_add(
            meeting=held, actor=head, application=None, route=revising, topic="changed_needs", invite_lecturers=True
        )
    services.agenda_item_add(meeting=held, actor=head, application=None, route=draft, topic="measures")
    protocol = services.meeting_hold(meeting=held, actor=secretary)
    _write(protocol, secretary, {**APPROVE, "changed_needs": "Маршруттың жаңа нұсқасы дайындалсын."})
    services.protocol_sign(protocol=protocol, actor=secretary)


def _planned_meeting(
    head: User, secretary: User, lecturer: User, demo_case: Application, draft: Route, awaiting_team: Route | None
) -> None:
    """Planned next week: the demo student is invited about their case; the answers differ. The route waiting
    for approval is on the agenda: its approval page says the team has not decided yet."""
    planned = _plan(
        head,
        secretary,
        days=7,
        hour=14,
        place="Бас ғимарат, 204",
        link="https://meet.demo.edu.kz/ortalyk",
        members=[lecturer],
    )
    services.agenda_item_add(
        meeting=planned,
        actor=head,
        application=demo_case,
        route=None,
        topic="conclusion",
        note="Бағалау аяқталғанға дейін студентпен кездесу.",
        invite_student=True,
    )
    services.agenda_item_add(meeting=planned, actor=head, application=None, route=draft, topic="measures")
    if awaiting_team is not None:
        services.agenda_item_add(meeting=planned, actor=head, application=None, route=awaiting_team, topic="measures")
    services.meeting_rsvp(meeting=planned, actor=secretary, answer="confirmed")
    services.meeting_rsvp(meeting=planned, actor=lecturer, answer="declined", comment="Осы уақытта дәрісім бар.")


# --- The cases, from the application on ----------------------------------------------------------------------


def assess(application: Application, head: User, specialist: User, stage: str) -> None:
    assignment = services.assignment_add(application=application, specialist=specialist, area="speech", actor=head)
    services.assessment_save(
        assessment=assignment.assessment,
        actor=specialist,
        findings="Сөйлеу қарқыны баяу, ауызша жауап беруде кідіріс бар." if stage != "draft" else "",
        strengths="Жазбаша жұмыстарды жақсы орындайды.",
        barriers="Семинарларда ауызша жауап беру қиын.",
        adaptations=list(Adaptation.objects.filter(code__in=["extra_time", "computer", "speech_therapist"])),
        free_texts=["Ауызша сұрауды жазбаша жауаппен алмастыру"],
    )
    if stage == "draft":
        return
    services.assessment_finish(assessment=assignment.assessment, actor=specialist)
    conclusion = services.conclusion_draft(application=application, actor=specialist)
    services.conclusion_update(
        conclusion=conclusion,
        actor=specialist,
        analysis="Сөйлеу ерекшеліктеріне байланысты бағалау формаларын бейімдеу қажет.",
        support_level="2",
        revision_reason="",
        keep_items=list(conclusion.items.values_list("pk", flat=True)),
    )
    if stage == "finished":
        return
    services.conclusion_sign(conclusion=conclusion, actor=head)


def _fresh(student: Student) -> bool:
    return not Application.objects.filter(student=student).exists()


def seed_applications(users: dict[Role, User], students: list[Student]) -> None:
    """One application in every state, so a newcomer can open each (skipped for students who already have one)."""
    _seed_early_applications(users, students)
    _seed_assessed_applications(users, students)
    _seed_ended_and_other_applications(users, students)


def _seed_early_applications(users: dict[Role, User], students: list[Student]) -> None:
    """Registered, a representative's draft, submitted, and submitted long ago (overdue)."""
    head = users[Role.CENTRE_HEAD]
    demo_student, represented = students[0], students[1]
    if _fresh(demo_student):
        registered = submitted_application(
            demo_student, demo_student.user, ["visual"], "Тақтадағы жазуды көрмеймін, ірі қаріп керек."
        )
        # Handed in at the chancellery too: its incoming number and date stand beside the centre's number.
        registered = student_services.application_register(
            application=registered,
            actor=head,
            incoming_number="01-14/0587",
            incoming_date=timezone.localdate(),
        )
        # A second case sent while the first was open, registered before anyone noticed, then merged into it:
        # its upload moves over and its registered application is void ("merged").
        duplicate = submitted_application(
            demo_student, demo_student.user, ["visual"], "Дәрістердің электрондық нұсқасы керек."
        )
        duplicate = student_services.application_register(application=duplicate, actor=head)
        student_services.application_merge(application=duplicate, keep=registered, actor=head)
    if _fresh(represented):
        draft = student_services.application_start(actor=users[Role.REPRESENTATIVE], student=represented)
        fill_application(
            draft, users[Role.REPRESENTATIVE], ["hearing"], "Ұлым нашар естиді; дәрістерде ым тілі аудармашысы керек."
        )
    if _fresh(students[2]):
        kept = submitted_application(
            students[2], students[2].user, ["mobility"], "Арбамен жүремін; аудиториялар бірінші қабатта болуы керек."
        )
        # Sent twice by mistake: the second is rejected as a duplicate of the first.
        again = submitted_application(students[2], students[2].user, ["mobility"], "Пандус керек.")
        student_services.application_reject_duplicate(application=again, keep=kept, actor=head)
    if _fresh(students[3]):
        overdue = submitted_application(
            students[3], students[3].user, ["learning"], "Дислексия: емтихандарда қосымша уақыт керек."
        )
        # Sent two weeks ago and never registered: shows the overdue marker in the inbox.
        Application.objects.filter(pk=overdue.pk).update(submitted_at=timezone.now() - datetime.timedelta(days=14))


def _seed_assessed_applications(users: dict[Role, User], students: list[Student]) -> None:
    """4: under assessment, the specialist's draft; 11: assessment finished, draft conclusion; 5: conclusion
    signed, no route yet; 6: closed after its route was in force; 12-19: a route in each state."""
    head, specialist = users[Role.CENTRE_HEAD], users[Role.SPECIALIST]
    concluded = {}
    stages = [(students[4], "draft"), (students[11], "finished"), (students[5], "signed"), (students[6], "closed")]
    stages += [(student, f"route:{stage}") for stage, student in students_for_routes(students).items()]
    for student, stage in stages:
        if _fresh(student):
            application = submitted_application(student, student.user, ["speech"], "Сөйлеуде қиындық бар.")
            application = student_services.application_register(application=application, actor=head)
            assess(
                application, head, specialist, "signed" if stage in {"closed"} or stage.startswith("route:") else stage
            )
            if stage == "closed" or stage.startswith("route:"):
                application.refresh_from_db()
                concluded[stage.removeprefix("route:")] = application
    seed_routes(users, concluded)


def _seed_ended_and_other_applications(users: dict[Role, User], students: list[Student]) -> None:
    """Rejected, withdrawn, a lecturer's referral, and a paper application entered by the centre."""
    head = users[Role.CENTRE_HEAD]
    if _fresh(students[7]):
        rejected = submitted_application(students[7], students[7].user, ["other"], "Жатақханада орын керек.")
        # Registered first, then rejected: its registered application is void ("rejected") in the register.
        rejected = student_services.application_register(application=rejected, actor=head)
        student_services.application_reject(
            application=rejected,
            actor=head,
            reason="Жатақхана орталықтың құзыретіне жатпайды: студенттер ісі бөліміне жүгініңіз.",
        )
    if _fresh(students[8]):
        withdrawn = submitted_application(
            students[8], students[8].user, ["mental_health"], "Емтихан алдында қатты мазасызданамын."
        )
        student_services.application_withdraw(application=withdrawn, actor=students[8].user, reason="")
    referred = students[9]
    lecturer = users[Role.LECTURER]
    if _fresh(referred) and student_permissions.can_apply_for(lecturer, referred):
        student_services.application_start(
            actor=lecturer, student=referred, referral_note="Сабақта тақтадағы жазуды оқи алмайтын сияқты."
        )
    if _fresh(students[10]):
        student_services.paper_application_enter(
            actor=head,
            student=students[10],
            received_on=timezone.localdate(),
            categories=list(NeedCategory.objects.filter(code="chronic_somatic")),
            description="Созылмалы ауруға байланысты жеке оқу кестесі керек.",
            conditions=list(ConditionOption.objects.filter(code="individual_timetable")),
            conditions_other="",
            disability_group=Application.DisabilityGroup.GROUP_III,
            contact_channel=Application.ContactChannel.PHONE,
            contact_phone="+7 700 123 45 67",
            scan=demo_pdf("otinish-skan"),
            consent_signed=True,
        )


def seed_registered_documents(head: User) -> None:
    """A registered document for every registered application and signed conclusion that has none.

    Registering and signing make them (documents.services.register_document), so this only fills in a database
    seeded before registered documents existed; for the rest it finds each document and writes nothing.
    """
    for application in Application.objects.filter(registration_number__isnull=False).select_related("student"):
        register_document(
            source=application,
            document_type=DocumentType.APPLICATION,
            student=application.student,
            number=application.registration_number,
            registered_on=timezone.localdate(application.registered_at),
            actor=head,
        )
    signed = Conclusion.objects.filter(status=Conclusion.Status.SIGNED).select_related("application__student")
    for conclusion in signed.order_by("application_id", "version"):
        register_document(
            source=conclusion,
            document_type=DocumentType.CONCLUSION,
            student=conclusion.application.student,
            number=conclusion.registration_number,
            registered_on=timezone.localdate(conclusion.signed_at),
            actor=head,
        )


def seed(actor: User | None = None) -> dict[Role, User]:
    users = seed_users()
    with acting_as(actor or users[Role.SYSADMIN]):
        structure = seed_academic_structure(users)
        students = seed_students(users, structure)
        seed_letterhead()
    # Demo notifications are stored but not e-mailed: nobody reads the demo mailboxes.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        seed_applications(users, students)
        seed_service_requests(users, students)
        seed_delivery_surveys(users)
        seed_consultations(users)
        seed_appeals(users)
        seed_disclosures(users, students)
        seed_partners(users)
        seed_exams(users)
    seed_registered_documents(users[Role.CENTRE_HEAD])
    seed_two_factor()
    return users
