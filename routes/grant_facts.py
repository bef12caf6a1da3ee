"""The object grants that rows already in the database imply (inclusion_centre/accounts/grants.py), written in bulk.

Services write each grant when its fact begins; this writes them all at once for rows that were written without
services: a database upgraded from before the grants (migration 0006_grants_from_facts) and the benchmark's bulk
seed (seed_bench). It takes `get_model` (a migration's `apps.get_model`, or django.apps.apps.get_model) so that the
migration runs it on its historical models.

- an active assignment: the specialist views and works on the case, and writes their assessment;
- an agreement: the lecturer views the route, and agrees the section while the answer is pending;
- a meeting member: views the meeting;
- the student and their representatives view the student's applications, a referring lecturer its status;
- a representative acts for the student.
"""

from inclusion_centre.accounts.grants import grants_changed

CODES = (
    ("students", "view_application"),
    ("students", "view_application_status"),
    ("students", "assess_application"),
    ("students", "act_for_student"),
    ("routes", "edit_assessment"),
    ("routes", "view_route"),
    ("routes", "agree_routesection"),
    ("routes", "view_teammeeting"),
)


def _permissions(get_model) -> dict:
    found = get_model("auth", "Permission").objects.filter(content_type__app_label__in=["students", "routes"])
    rows = found.values_list("content_type__app_label", "codename", "pk")
    by_code = {(app, codename): pk for app, codename, pk in rows}
    return {code: by_code[code] for code in CODES}


def _write(model, permission_id: int, pairs) -> None:
    model.objects.bulk_create(
        [model(user_id=user, permission_id=permission_id, content_object_id=pk) for user, pk in set(pairs)],
        ignore_conflicts=True,
        batch_size=2000,
    )


def grant_from_facts(get_model) -> None:
    perm = _permissions(get_model)
    Application, Representation = get_model("students", "Application"), get_model("students", "Representation")
    Assignment, Agreement = get_model("routes", "Assignment"), get_model("routes", "Agreement")
    on_application = get_model("students", "ApplicationUserObjectPermission")
    active = Assignment.objects.filter(ended_at__isnull=True)
    specialists = list(active.values_list("specialist_id", "application_id"))
    _write(on_application, perm["students", "view_application"], specialists)
    _write(on_application, perm["students", "assess_application"], specialists)
    _write(
        get_model("routes", "AssessmentUserObjectPermission"),
        perm["routes", "edit_assessment"],
        active.filter(assessment__isnull=False).values_list("specialist_id", "assessment__id"),
    )
    _write(
        get_model("routes", "RouteUserObjectPermission"),
        perm["routes", "view_route"],
        Agreement.objects.values_list("lecturer_id", "route_id"),
    )
    _write(
        get_model("routes", "RouteSectionUserObjectPermission"),
        perm["routes", "agree_routesection"],
        Agreement.objects.filter(status="pending").values_list("lecturer_id", "section_id"),
    )
    _write(
        get_model("routes", "TeamMeetingUserObjectPermission"),
        perm["routes", "view_teammeeting"],
        get_model("routes", "MeetingMember").objects.values_list("user_id", "meeting_id"),
    )
    own = Application.objects.values_list("student__user_id", "pk")
    represented = Representation.objects.filter(student__applications__isnull=False).values_list(
        "representative_id", "student__applications__pk"
    )
    _write(on_application, perm["students", "view_application"], [*own, *represented])
    _write(
        get_model("students", "StudentUserObjectPermission"),
        perm["students", "act_for_student"],
        Representation.objects.values_list("representative_id", "student_id"),
    )
    referred = Application.objects.filter(filed_as="lecturer").values_list("filed_by_id", "pk")
    _write(on_application, perm["students", "view_application_status"], referred)
    grants_changed()
