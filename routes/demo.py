"""Demo routes for `seed_demo`: one case in every state of the route's life, made through the services."""

from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.roles import Role
from students.models import Application, Student, TeachingAssignment

from . import services
from .models import Agreement, Route

R = Route.Status

GOALS = "Оқу бағдарламасын толық меңгеру; емтихандарды бейімделген формада тапсыру."


def _complete(route: Route, actor: User) -> Route:
    route = services.route_update(route=route, actor=actor, revision=route.revision, goals=GOALS)
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


def seed_routes(users: dict[Role, User], concluded: dict[str, Application]) -> None:
    """`concluded` maps a stage name to a concluded case that has no route yet."""
    specialist = users[Role.SPECIALIST]
    head = users[Role.CENTRE_HEAD]
    administration = users[Role.ADMINISTRATION]

    def draft(application):
        term = application.student.enrolments.select_related("term").first().term
        route = services.route_draft(
            application=application, actor=specialist, academic_year=term.academic_year, term=term
        )
        return _complete(route, specialist)

    def in_force(application, *, extra_section=False):
        route = draft(application)
        if extra_section:
            # A course the enrolment data lacks, added by hand: the typical route of 8 sections the PDF
            # benchmark renders.
            taken = {section.course_id for section in route.sections.all()}
            assignment = (
                TeachingAssignment.objects.filter(term=route.term)
                .exclude(course_id__in=taken)
                .select_related("course", "lecturer")
                .order_by("course__code")
                .first()
            )
            if assignment is not None:
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
        route = _agree_all(_send(route, specialist))
        return services.route_approve(route=route, actor=administration)

    if "draft" in concluded:
        draft(concluded["draft"])
    if "in_agreement" in concluded:
        _send(draft(concluded["in_agreement"]), specialist)
    if "changes_requested" in concluded:
        route = _send(draft(concluded["changes_requested"]), specialist)
        agreement = Agreement.objects.filter(route=route).select_related("lecturer").first()
        services.agreement_answer(
            agreement=agreement,
            actor=agreement.lecturer,
            decision="changes",
            comment="Аралық бақылауды ауызша өткізуді ұсынамын; жазбаша тест студентке қиын.",
        )
    if "in_approval" in concluded:
        # One lecturer asked for a change first (their first answer stays on file as no longer valid), and one
        # agreed with a remark.
        route = _send(draft(concluded["in_approval"]), specialist)
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
        second.refresh_from_db()
        services.agreement_answer(
            agreement=second,
            actor=second.lecturer,
            decision="agreed_remarks",
            comment="Қосымша уақытты емтихан кестесінде алдын ала көрсету керек.",
        )
        _agree_all(route)
    if "in_force" in concluded:
        route = in_force(concluded["in_force"], extra_section=True)
        services.changed_needs_report(
            application=route.application,
            actor=route.application.student.user,
            text="Көруім нашарлады: материалдарды бұдан да ірі қаріппен алғым келеді.",
        )
    if "superseded" in concluded:
        route = in_force(concluded["superseded"])
        review = services.route_review(
            route=route, actor=specialist, reason="scheduled", outcome="revise", comment="Екінші семестрге жаңарту."
        )
        new = Route.objects.get(previous=review.route)
        services.route_approve(route=_agree_all(_send(new, specialist)), actor=administration)
    if "under_review" in concluded:
        route = in_force(concluded["under_review"])
        review = services.route_review(
            route=route,
            actor=specialist,
            reason="changed_needs",
            outcome="revise",
            comment="Студент қашықтан оқуға көшуді сұрады.",
        )
        _send(Route.objects.get(previous=review.route), specialist)
    if "cancelled" in concluded:
        route = draft(concluded["cancelled"])
        services.route_cancel(route=route, actor=head, reason="Студент басқа оқу орнына ауысты.")
    if "closed" in concluded:
        route = in_force(concluded["closed"])
        services.case_close(application=route.application, actor=head, reason="Студент оқуын бітірді.")


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
