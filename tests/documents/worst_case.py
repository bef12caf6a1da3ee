"""Worst-case sources for every printed form: the longest names the models allow (300 characters for catalogue
entries and courses, 200 for a person's name, the User model's limit), long unbroken words, and 40 rows of
everything that repeats (conditions, documents, sections, agreements, attendance, questions).

Built directly as rows, not through the services: what is measured is the layout, and building 40 agreements
through the workflow would take longer than rendering them. Also used by bench/render_documents.py-style timing
in tests/documents/test_form_layout.py.
"""

import datetime
import itertools

from django.utils import timezone

from audit.services import record_status_change
from documents.models import RegisteredDocument
from routes.models import (
    Adaptation,
    AgendaItem,
    Agreement,
    Assessment,
    Assignment,
    Attendance,
    Conclusion,
    ConclusionItem,
    MeetingMember,
    Protocol,
    ProtocolItem,
    Recommendation,
    Route,
    RouteSection,
    SupportMeasure,
    TeamMeeting,
)
from students.models import Application, ConditionOption, Consent, ConsentText, NeedCategory, SupportingDocument
from tests import factories

ROWS = 40
_batch = itertools.count()
KK_WORDS = "Әбдіғапарқызы Қоңырбаева-Нұрмағамбетова Ғалымжанұлы Шөкеевна Үмбетәлиева"
UNBROKEN = "ҚазақстанРеспубликасыныңБілімжәнеҒылымМинистрлігі"


def text(length: int, seed: str = KK_WORDS) -> str:
    """`length` characters of Kazakh words with one long unbroken word in them."""
    base = f"{seed} {UNBROKEN} {seed} "
    return (base * (length // len(base) + 1))[:length].strip() + "."


def person(n: int, roles=("specialist",)) -> object:
    user = factories.UserFactory(full_name=text(199, f"{n} {KK_WORDS}"), roles=list(roles))
    factories.StaffProfileFactory(user=user, position_kk=text(199), position_ru=text(199, "Руководитель центра"))
    return user


def _catalogue(model, prefix: str, count: int) -> list:
    start = next(_batch) * count
    return [
        model.objects.create(code=f"{prefix}-{i}", name_kk=text(299), name_ru=text(299, "Очень длинное название"))
        for i in range(start, start + count)
    ]


def application(student_user) -> Application:
    now = timezone.now()
    app = factories.ApplicationFactory(
        student=student_user.student,
        description=text(3000),
        conditions_other=text(1500),
        referral_note=text(800),
        contact_phone="+7 700 000 00 00",
        status=Application.Status.REGISTERED,
        registration_number=f"ӨТ-2026/9{student_user.pk:05d}",
        submitted_at=now,
        registered_at=now,
    )
    app.categories.set(_catalogue(NeedCategory, "wc-cat", 12))
    app.conditions.set(_catalogue(ConditionOption, "wc-cond", ROWS))
    consent_text = ConsentText.objects.order_by("-effective_from").first()
    Consent.objects.create(
        application=app, text=consent_text, language="kk", channel="online", given_by=student_user, given_at=now
    )
    for i in range(ROWS):
        SupportingDocument.objects.create(
            application=app,
            kind="mse",
            file=f"wc/{i}.pdf",
            original_name=("МӘСқорытындысы" * 10)[:116] + ".pdf",
            content_type="application/pdf",
            size=1000,
            sha256="0" * 64,
            uploaded_by=student_user,
        )
    return app


def conclusion(app: Application, head, specialists: list) -> Conclusion:
    adaptations = _catalogue(Adaptation, "wc-adapt", ROWS)
    for adaptation in adaptations:
        adaptation.group = "content"
        adaptation.save()
    result = Conclusion.objects.create(
        application=app,
        status=Conclusion.Status.SIGNED,
        analysis=text(4000),
        support_level="2",
        drafted_by=head,
        registration_number="ҚОР-2026/9999",
        signed_by=head,
        signed_at=timezone.now(),
    )
    result.specialists.set(specialists)
    areas = ["cognitive", "speech", "social_communicative", "emotional", "physical_sensory", "social_situation"]
    for specialist, area in zip(specialists, areas, strict=False):
        assignment = Assignment.objects.create(application=app, specialist=specialist, area=area, assigned_by=head)
        assessment = Assessment.objects.create(
            assignment=assignment,
            status=Assessment.Status.FINISHED,
            findings=text(1200),
            strengths=text(600),
            barriers=text(600),
            finished_at=timezone.now(),
        )
        for adaptation in adaptations[:8]:
            Recommendation.objects.create(assessment=assessment, adaptation=adaptation, text=text(200))
    for order, adaptation in enumerate(adaptations):
        ConclusionItem.objects.create(conclusion=result, adaptation=adaptation, text=text(300), order=order)
    return result


def route(app: Application, signed: Conclusion, head, approver) -> Route:
    term = factories.AcademicTermFactory()
    result = Route.objects.create(
        application=app,
        conclusion=signed,
        status=Route.Status.IN_FORCE,
        academic_year=term.academic_year,
        term=term,
        goals=text(2000),
        support_level="2",
        tutor=head,
        timetable=text(1000),
        methods=text(1000),
        first_review_on=datetime.date(2026, 12, 1),
        drafted_by=head,
        registration_number="ЖББМ-2026/9999",
        approved_by=approver,
        approved_at=timezone.now(),
        sent_for_agreement_at=timezone.now(),
    )
    for i in range(ROWS):
        SupportMeasure.objects.create(
            route=result, who=text(199), what=text(600), frequency=text(199), until=datetime.date(2027, 6, 1), order=i
        )
    for i in range(ROWS):
        course = factories.CourseFactory(name_kk=text(299), name_ru=text(299, "Дисциплина с длинным названием"))
        lecturer = person(100 + i, roles=("lecturer",))
        section = RouteSection.objects.create(
            route=result,
            course=course,
            term=term,
            lecturer=lecturer,
            content_adaptation=text(700),
            methods=text(500),
            assessment_forms=text(500),
            order=i,
        )
        _agreements(result, section, lecturer)
    return result


def _agreements(route_: Route, section: RouteSection, lecturer) -> None:
    now = timezone.now()
    common = {"section": section, "route": route_, "lecturer": lecturer, "fingerprint": "0" * 64}
    common |= {"requested_at": now, "due_on": now.date(), "decided_at": now}
    old = Agreement.objects.create(
        **common, round=1, status=Agreement.Status.WITHDRAWN, comment=text(500), withdrawn_reason="changes"
    )
    record_status_change(obj=old, from_status="pending", to_status=Agreement.Status.CHANGES_REQUESTED, actor=lecturer)
    Agreement.objects.create(**common, round=2, status=Agreement.Status.AGREED_WITH_REMARKS, comment=text(400))


def protocol(apps: list[Application], chair, secretary, members: list, questions: int = ROWS) -> Protocol:
    start = timezone.now()
    meeting = TeamMeeting.objects.create(
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        place=text(199),
        chair=chair,
        secretary=secretary,
        status=TeamMeeting.Status.SIGNED,
        planned_by=chair,
    )
    result = Protocol.objects.create(
        meeting=meeting,
        status=Protocol.Status.SIGNED,
        registration_number="ХТ-2026/9999",
        registered_at=start,
        chair_signed_by=chair,
        chair_signed_at=start,
        secretary_signed_by=secretary,
        secretary_signed_at=start,
        created_by=secretary,
    )
    presences = ["present", "present", "absent_reason", "absent"]
    for i, user in enumerate([chair, secretary, *members]):
        member = MeetingMember.objects.create(meeting=meeting, user=user, capacity="centre" if i < 2 else "lecturer")
        Attendance.objects.create(protocol=result, member=member, presence=presences[i % 4], reason=text(300))
    for i in range(questions):
        item = AgendaItem.objects.create(meeting=meeting, application=apps[i % len(apps)], topic="measures", order=i)
        ProtocolItem.objects.create(
            protocol=result,
            item=item,
            heard=text(1200),
            decision=text(800),
            measures_snapshot=[{"who": text(199), "what": text(400), "frequency": text(100), "until": "01.06.2027"}],
            votes_for=7,
            votes_against=1,
            votes_abstained=2,
            dissent=text(300),
        )
    return result


def document(source, document_type: str, number: str) -> RegisteredDocument:
    """An unsaved registered document of `source`: enough for render_pdf, nothing stored."""
    doc = RegisteredDocument(document_type=document_type, number=number, registered_on=timezone.localdate())
    doc.source = source
    return doc
