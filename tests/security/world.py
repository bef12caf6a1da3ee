"""One world for the security tests: every persona of issue #8 and objects in useful states, built once per module.

The student's case has gone the whole way (application with an uploaded medical document, assessment, signed
conclusion, route in force agreed by two lecturers and approved, a team meeting whose protocol is signed); the
other student's application is registered. Health information carries markers (MARKER-*) that the minimisation
tests look for. Built through the services, as the tests of each app do (tests/conftest.py, tests/routes/conftest.py).
"""

from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile

from inclusion_centre.accounts.roles import Role
from tests import factories
from tests.factories import fill_application, pdf_bytes

HEALTH = "MARKER-HEALTH"  # the application's own words, the uploaded document's content
FINDINGS = "MARKER-FINDINGS"  # the assessment's findings
ANALYSIS = "MARKER-ANALYSIS"  # the conclusion's analysis
HEARD = "MARKER-HEARD"  # what the team heard, the agenda note
UPLOAD_NAME = "MARKER-UPLOAD МӘС қорытындысы.pdf"  # the uploaded document's file name
CHANGED = "MARKER-CHANGED"  # a report of changed needs
VOICE = "MARKER-VOICE"  # what the student disagrees with in their route (it may speak of their health)
MARKERS = (HEALTH, FINDINGS, ANALYSIS, HEARD, "MARKER-UPLOAD", CHANGED, VOICE)

PERSONAS = (
    "anonymous",
    "student",
    "other_student",
    "representative",
    "specialist",
    "unassigned_specialist",
    "centre_head",
    "lecturer",
    "stranger_lecturer",
    "administration",
    "auditor",
    "sysadmin",
    "exam_office",
    "outsider",
)


def _staff(roles, name, position="Маман", **extra):
    user = factories.UserFactory(roles=roles, full_name=name, **extra)
    factories.StaffProfileFactory(user=user, position=position)
    return user


def build_world() -> SimpleNamespace:
    import datetime

    from django.utils import timezone

    from routes import services as route_services
    from routes.models import Adaptation, TeamMeeting
    from students import services as application_services
    from tests.factories import submitted_application

    w = SimpleNamespace()
    w.term = factories.AcademicTermFactory(academic_year="2026-2027")
    w.student = factories.StudentFactory(user__full_name="Студент Тестов").user
    w.other_student = factories.StudentFactory(user__full_name="Басқа Студент").user
    w.representative = factories.RepresentationFactory(student=w.student.student).representative
    w.specialist = _staff([Role.SPECIALIST], "Маман Психолог", "Психолог")
    w.unassigned_specialist = _staff([Role.SPECIALIST], "Бөтен Маман")
    w.secretary = _staff([Role.SPECIALIST], "Хатшы Маманова")
    w.centre_head = _staff([Role.CENTRE_HEAD], "Орталық Басшысы", "Орталық басшысы")
    w.lecturer = factories.UserFactory(roles=[Role.LECTURER], full_name="Оқытушы Ахметова")
    factories.TeachingAssignmentFactory(lecturer=w.lecturer, term=w.term)
    w.second_lecturer = factories.UserFactory(roles=[Role.LECTURER], full_name="Оқытушы Екінші")
    w.stranger_lecturer = factories.UserFactory(roles=[Role.LECTURER], full_name="Оқытушы Бөтен")
    factories.TeachingAssignmentFactory(lecturer=w.stranger_lecturer, term=w.term)
    w.administration = factories.UserFactory(roles=[Role.ADMINISTRATION], full_name="Проректор Сейітов")
    w.auditor = factories.UserFactory(roles=[Role.AUDITOR], full_name="Аудитор Қасымова")
    w.sysadmin = factories.UserFactory(roles=[Role.SYSADMIN], full_name="Жүйе Әкімшісі", is_staff=True)
    w.exam_office = factories.UserFactory(roles=[Role.EXAM_OFFICE], full_name="Емтихан Бөлімі", is_staff=True)
    w.outsider = factories.UserFactory(full_name="Бөгде Адам")

    # The student takes the lecturer's course and one of the second lecturer's.
    first = w.lecturer.teaching_assignments.get(term=w.term).course
    second = factories.CourseFactory(name_kk="Математика", name_en="Mathematics")
    factories.TeachingAssignmentFactory(lecturer=w.second_lecturer, course=second, term=w.term)
    for course in (first, second):
        factories.EnrolmentFactory(student=w.student.student, course=course, term=w.term)

    # The student's case, the whole way.
    draft = application_services.application_start(actor=w.student, student=w.student.student)
    fill_application(draft, w.student, description=f"Нашар көремін. {HEALTH}")
    application_services.consent_give(application=draft, actor=w.student, language="kk")
    w.upload = application_services.document_upload(
        application=draft,
        actor=w.student,
        upload=SimpleUploadedFile(UPLOAD_NAME, pdf_bytes(HEALTH), "application/pdf"),
        kind="mse",
    )
    application_services.application_submit(application=draft, actor=w.student)
    w.application = application_services.application_register(application=draft, actor=w.centre_head)
    w.assignment = route_services.assignment_add(
        application=w.application, specialist=w.specialist, area="cognitive", actor=w.centre_head
    )
    route_services.assessment_save(
        assessment=w.assignment.assessment,
        actor=w.specialist,
        findings=f"Оқу жылдамдығы төмен. {FINDINGS}",
        strengths="",
        barriers="",
        adaptations=list(Adaptation.objects.filter(code__in=["extra_time", "large_print", "psychologist", "breaks"])),
        free_texts=[],
    )
    route_services.assessment_finish(assessment=w.assignment.assessment, actor=w.specialist)
    w.conclusion = route_services.conclusion_draft(application=w.application, actor=w.specialist)
    route_services.conclusion_update(
        conclusion=w.conclusion,
        actor=w.specialist,
        analysis=f"Талдау. {ANALYSIS}",
        support_level="2",
        revision_reason="",
        keep_items=list(w.conclusion.items.values_list("pk", flat=True)),
    )
    w.conclusion = route_services.conclusion_sign(conclusion=w.conclusion, actor=w.centre_head)
    w.application.refresh_from_db()
    route = route_services.route_draft(
        application=w.application, actor=w.specialist, academic_year=w.term.academic_year, term=w.term
    )
    route = route_services.route_update(route=route, actor=w.specialist, revision=route.revision, goals="Мақсат")
    route = route_services.route_send_for_agreement(route=route, actor=w.specialist, revision=route.revision)
    for person in (w.lecturer, w.second_lecturer):
        agreement = route.agreements.get(lecturer=person, status="pending")
        route_services.agreement_answer(agreement=agreement, actor=person, decision="agreed", comment="")
    route.refresh_from_db()
    w.route = route_services.route_approve(route=route, actor=w.administration)
    w.section = w.route.sections.filter(lecturer=w.lecturer).first()
    w.measure = w.route.measures.first()
    w.support_session = route_services.support_session_log(
        measure=w.measure,
        actor=w.specialist,
        held_on=timezone.localdate(),
        minutes=45,
        notes="Жаттығулар",
        attended=True,
    )
    w.agreement = w.route.agreements.filter(lecturer=w.lecturer).first()
    w.changed_needs = route_services.changed_needs_report(
        application=w.application, actor=w.student, text=f"Көзім нашарлады. {CHANGED}"
    )
    # The MSE conclusion's re-examination date (issue 25): health information, the centre's only.
    w.mse = route_services.mse_record(
        application=w.application,
        actor=w.centre_head,
        valid_until=timezone.localdate() + datetime.timedelta(days=200),
        disability_group="II",
    )
    w.voice = route_services.voice_acknowledge(
        route=w.route, actor=w.student, agrees=False, text=f"Көру қабілетім туралы ескерілмеген. {VOICE}"
    )

    # A team meeting about the case, held, its protocol signed.
    start = timezone.now() + datetime.timedelta(days=1)
    w.meeting = route_services.meeting_plan(
        actor=w.centre_head,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        place="Бас ғимарат, 204",
        online_link="",
        chair=w.centre_head,
        secretary=w.secretary,
        members=[w.specialist],
    )
    route_services.agenda_item_add(
        meeting=w.meeting,
        actor=w.centre_head,
        application=None,
        route=w.route,
        topic="measures",
        note=f"Көру қабілеті нашарлаған. {HEARD}",
        invite_student=True,
        invite_lecturers=True,
    )
    route_services.meeting_member_add(meeting=w.meeting, actor=w.centre_head, user=w.stranger_lecturer)
    past = timezone.now() - datetime.timedelta(hours=1)
    TeamMeeting.objects.filter(pk=w.meeting.pk).update(starts_at=past, ends_at=past + datetime.timedelta(minutes=45))
    w.meeting.refresh_from_db()
    protocol = route_services.meeting_hold(meeting=w.meeting, actor=w.secretary)
    attendance = {row.pk: {"presence": "present", "reason": ""} for row in protocol.attendance.all()}
    records = {
        record.pk: {
            "heard": f"Психолог баяндады. {HEARD}",
            "decision": "Қолдау шараларын бекіту.",
            "outcome": "approve_measures",
            "measures": list(record.item.route.measures.all()),
            "votes_for": 3,
            "votes_against": 0,
            "votes_abstained": 0,
            "dissent": "",
        }
        for record in protocol.records.select_related("item__route")
    }
    route_services.protocol_save(
        protocol=protocol, actor=w.secretary, revision=protocol.revision, attendance=attendance, records=records
    )
    route_services.protocol_sign(protocol=protocol, actor=w.secretary)
    w.protocol = route_services.protocol_sign(protocol=protocol, actor=w.centre_head)
    w.meeting.refresh_from_db()
    w.item = w.meeting.items.first()
    w.member = w.meeting.members.filter(user=w.stranger_lecturer).first()

    # The other student's application, registered.
    w.other_application = application_services.application_register(
        application=submitted_application(w.other_student), actor=w.centre_head
    )
    w.notification = w.student.notifications.order_by("pk").first()

    # A service request of the student's in the interpreter queue, which the specialist owns, and an item of
    # equipment lent to the student.
    from routes.models import Equipment, ServiceQueue

    ServiceQueue.objects.filter(kind="interpreter").update(owner=w.specialist)
    w.service_request = route_services.service_request_create(
        actor=w.student, student=w.student.student, kind="interpreter"
    )
    w.equipment = Equipment.objects.create(name="Бейнеұлғайтқыш", kind="magnifier", inventory_number="INV-W-1")
    w.loan = route_services.equipment_lend(
        equipment=w.equipment,
        actor=w.specialist,
        borrower=w.student.student,
        due_on=timezone.localdate() + datetime.timedelta(days=14),
    )

    # A consultation the lecturer asked about the student; a guidance note; a training event held, the lecturer
    # attending.
    w.consultation = route_services.consultation_request(
        actor=w.lecturer, course=first, question="Емтиханды қалай бейімдеймін?", student=w.student.student
    )
    w.guidance_adaptation = Adaptation.objects.get(code="extra_time")
    route_services.guidance_note_save(
        adaptation=w.guidance_adaptation,
        actor=w.centre_head,
        texts={"title_kk": "Қосымша уақыт", "body_kk": "Емтиханда 25% қосымша уақыт беріледі."},
    )
    w.training_event = route_services.training_event_plan(
        actor=w.centre_head,
        title="Инклюзия негіздері",
        kind="seminar",
        held_on=timezone.localdate() - datetime.timedelta(days=1),
        hours=4,
        organiser="Орталық",
    )
    w.training_event = route_services.training_event_move(event=w.training_event, actor=w.centre_head, to_status="held")
    w.training_attendance = route_services.training_attendance_add(
        event=w.training_event, actor=w.centre_head, attendee=w.lecturer, certificate_number="W-1"
    )

    # Per-term activation: the student enrolled on a course of a lecturer not otherwise on the case, so the route in
    # force gained a section and that lecturer a letter of accommodations (the term's dates moved forward for the
    # run: sections follow enrolments only in terms that have not ended).
    from routes.models import AccommodationLetter

    w.letter_lecturer = factories.UserFactory(roles=[Role.LECTURER], full_name="Оқытушы Жаңа")
    late_course = factories.CourseFactory(name_kk="Философия", name_en="Philosophy")
    factories.TeachingAssignmentFactory(lecturer=w.letter_lecturer, course=late_course, term=w.term)
    factories.EnrolmentFactory(student=w.student.student, course=late_course, term=w.term)
    ends_on = w.term.ends_on
    type(w.term).objects.filter(pk=w.term.pk).update(ends_on=timezone.localdate() + datetime.timedelta(days=30))
    route_services.sections_follow_enrolments(route=w.route, actor=None)
    type(w.term).objects.filter(pk=w.term.pk).update(ends_on=ends_on)
    w.letter = AccommodationLetter.objects.get(route=w.route)

    # The end-of-term delivery surveys of the route, opened the day after its term ended (whatever day the suite
    # runs: the route may have come into force after the term's dates); the student's survey.
    route_services.surveys_open(
        route=w.route, term=w.term, actor=None, as_of=w.term.ends_on + datetime.timedelta(days=1)
    )
    w.survey = w.route.surveys.get(respondent=w.student)
    # The student's appeal against the route in force (approved by the administration: the centre head reviews it),
    # and a disclosure of the student's data recorded by the specialist.
    from audit.services import disclosure_record

    w.appeal = route_services.appeal_file(
        actor=w.student, application=w.application, subject="route", route=w.route, grounds="Үзілістер аз."
    )
    w.disclosure = disclosure_record(
        actor=w.specialist,
        student=w.student.student,
        recipient="МӘС бөлімі",
        categories=["identity"],
        ground="request",
        disclosed_on=timezone.localdate(),
    )
    # The register of external organisations, a contact person, and two letters about the student's case by the
    # assigned specialist: one sent (registered with an outgoing number), one a draft.
    from routes.services import partners

    w.organisation = partners.organisation_save(actor=w.specialist, kind="medical_social", name="Қалалық МӘС")
    w.contact = partners.contact_save(actor=w.specialist, organisation=w.organisation, full_name="Серікова Айгүл")
    w.partner_letter = partners.letter_send(
        actor=w.specialist,
        letter=partners.letter_draft(
            actor=w.specialist,
            application=w.application,
            organisation=w.organisation,
            contact=w.contact,
            subject="Сұрау",
            body="МӘС қорытындысының көшірмесі",
            letter_date=timezone.localdate(),
        ),
    )
    w.partner_draft = partners.letter_draft(
        actor=w.specialist,
        application=w.application,
        organisation=w.organisation,
        contact=None,
        subject="Жоба",
        body="Мәтін",
        letter_date=timezone.localdate(),
    )

    # Exam arrangements: the route in force asks for extra time and a reader; an exam of the lecturer's course, the
    # student's arrangement booked in a room with the specialist invigilating.
    from routes.models import ExamSession, Room, Route

    Route.objects.filter(pk=w.route.pk).update(exam_extra_time=25, exam_reader=True)
    w.exam_session = ExamSession.objects.create(
        course=first,
        term=w.term,
        starts_at=timezone.make_aware(datetime.datetime(2026, 12, 20, 10)),
        duration=90,
        entered_by=w.exam_office,
    )
    route_services.arrangements_propose(actor=w.specialist, sessions=[w.exam_session])
    proposal = w.exam_session.arrangements.get()
    confirmed = route_services.arrangement_confirm(
        item=proposal,
        actor=w.specialist,
        starts_at=proposal.starts_at,
        ends_at=proposal.ends_at,
        separate_room=True,
        computer=False,
        assistant=proposal.assistant,
    )
    w.room = Room.objects.create(name="A-101", capacity=2, quiet=True)
    w.exam_arrangement = route_services.arrangement_book(
        item=confirmed, actor=w.specialist, room=w.room, invigilator=w.specialist
    )
    # The registered PDFs stored, as the documents worker does after each registration.
    from documents.models import RegisteredDocument
    from documents.services import render_document_files

    for document in RegisteredDocument.objects.filter(rendered_at__isnull=True):
        render_document_files(document_id=document.pk)
    return w
