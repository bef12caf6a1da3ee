"""Appeals (regulation §8, issue #25): the applicant side appeals a rejection, a signed conclusion or an approved
route; the appeal is due in working days, goes to a reviewer who did not take the decision, and ends in a reasoned
answer the appellant is told of. Everyone else sees nothing (404)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import StatusChange
from inclusion_centre.accounts.models import Notification
from inclusion_centre.accounts.roles import Role
from inclusion_centre.workdays import add_working_days
from routes import services
from routes.models import Appeal
from routes.selectors.work import work_of
from students import services as student_services
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


AP = Appeal.Status


@pytest.fixture
def appeal(in_force, student, centre_head):
    """The student's appeal against the route in force (approved by the administration): the centre head reviews."""
    return services.appeal_file(
        actor=student, application=in_force.application, subject="route", route=in_force, grounds="Үзілістер аз."
    )


def _new(client, application, **data):
    return client.post(reverse("routes:appeal_new", args=[application.public_id]), data)


def _move(client, appeal, **data):
    return client.post(reverse("routes:appeal", args=[appeal.pk]), data)


def test_the_student_appeals_the_route_and_a_reviewer_who_did_not_approve_it_gets_it(
    client, in_force, student, centre_head, administration
):
    client.force_login(student)
    page = client.get(reverse("students:application_detail", args=[in_force.application.public_id]))
    assert reverse("routes:appeal_new", args=[in_force.application.public_id]) in page.content.decode()
    route_page = client.get(reverse("routes:route", args=[in_force.pk])).content.decode()
    assert reverse("routes:appeal_new", args=[in_force.application.public_id]) in route_page
    form = client.get(reverse("routes:appeal_new", args=[in_force.application.public_id]))
    assert f"route:{in_force.pk}" in dict(form.context["choices"])
    response = _new(client, in_force.application, decision=f"route:{in_force.pk}", grounds="Үзілістер жеткіліксіз.")
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert (appeal.subject, appeal.route, appeal.status) == ("route", in_force, AP.FILED)
    assert appeal.decided_by == administration and appeal.reviewer == centre_head
    assert appeal.due_on == add_working_days(timezone.localdate(), 10)
    assert appeal.history.first().history_user == student
    assert StatusChange.objects.filter(object_id=appeal.pk, to_status=AP.FILED, actor=student).exists()
    assert Notification.objects.filter(recipient=centre_head, kind="appeal_assigned").count() == 1
    mine = client.get(reverse("routes:appeals"))
    assert mine.status_code == 200 and [item.pk for item in mine.context["items"]] == [appeal.pk]


def test_the_deadline_is_a_setting(settings, in_force, student, centre_head):
    settings.DEADLINE_WORKING_DAYS = {**settings.DEADLINE_WORKING_DAYS, "answer_appeal": 3}
    appeal = services.appeal_file(
        actor=student, application=in_force.application, subject="route", route=in_force, grounds="Себеп."
    )
    assert appeal.due_on == add_working_days(timezone.localdate(), 3)


def test_a_conclusion_signed_by_the_centre_head_goes_to_the_administration(
    client, concluded, representative, centre_head, administration
):
    conclusion = concluded.conclusions.get(status="signed")
    client.force_login(representative)
    response = _new(client, concluded, decision=f"conclusion:{conclusion.pk}", grounds="Қорытынды толық емес.")
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.filed_by == representative and appeal.decided_by == centre_head
    assert appeal.reviewer == administration


def test_a_rejection_is_appealed_and_its_author_is_found_from_the_timeline(
    client, submitted, student, centre_head, administration
):
    rejected = student_services.application_reject(application=submitted, actor=centre_head, reason="Құжат жоқ.")
    client.force_login(student)
    assert _new(client, rejected, decision="rejection", grounds="Құжатты кейін әкелдім.").status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.subject == "rejection" and appeal.decided_by == centre_head and appeal.reviewer == administration


def test_bad_input_answers_422_with_the_message_and_saves_nothing(client, in_force, registered, student):
    client.force_login(student)
    empty = _new(client, in_force.application, decision=f"route:{in_force.pk}", grounds="   ")
    assert empty.status_code == 422
    assert "Write the grounds of your appeal." in empty.content.decode()
    nothing = _new(client, in_force.application, grounds="Себеп.")
    assert nothing.status_code == 422 and "Choose the decision you appeal." in nothing.content.decode()
    # a decision that is not on the list (the case is not rejected)
    wrong = _new(client, in_force.application, decision="rejection", grounds="Себеп.")
    assert wrong.status_code == 422 and "Choose one of the decisions listed." in wrong.content.decode()
    long = _new(client, in_force.application, decision=f"route:{in_force.pk}", grounds="x" * 4001)
    assert long.status_code == 422
    assert Appeal.objects.count() == 0


def test_a_second_appeal_against_the_same_decision_waits_for_the_first(client, appeal, student):
    client.force_login(student)
    response = _new(client, appeal.application, decision=f"route:{appeal.route_id}", grounds="Тағы.")
    assert response.status_code == 422
    assert "already open" in response.content.decode()
    assert Appeal.objects.count() == 1


def test_the_reviewer_takes_it_up_and_dismisses_it_with_reasons_the_student_is_told(
    client, appeal, student, centre_head
):
    client.force_login(centre_head)
    assert _move(client, appeal, to_status=AP.UNDER_REVIEW).status_code == 302
    no_reason = _move(client, appeal, to_status=AP.DISMISSED, answer="")
    assert no_reason.status_code == 422
    assert "Give the reasons of the answer" in no_reason.content.decode()
    assert _move(client, appeal, to_status=AP.DISMISSED, answer="Үзілістер жеткілікті.").status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == AP.DISMISSED and appeal.answered_by == centre_head and appeal.closed_at is not None
    told = Notification.objects.filter(recipient=student, kind="appeal_moved").order_by("pk")
    assert told.count() == 2 and "Үзілістер жеткілікті." in told.last().body
    client.force_login(student)
    case = client.get(reverse("students:application_detail", args=[appeal.application.public_id])).content.decode()
    assert "The appeal was dismissed" in case and "An appeal was filed" in case
    again = _move(client, appeal, to_status=AP.WITHDRAWN)
    assert again.status_code == 404  # nothing left to do on a closed appeal


def test_the_author_of_the_decision_cannot_be_its_reviewer(client, appeal, centre_head, administration):
    client.force_login(centre_head)
    response = client.post(reverse("routes:appeal_assign", args=[appeal.pk]), {"reviewer": administration.pk})
    assert response.status_code == 422
    assert "made the decision under appeal and cannot review it" in response.content.decode()
    appeal.refresh_from_db()
    assert appeal.reviewer == centre_head
    # even if the author were given it some other way, the answer is refused
    Appeal.objects.filter(pk=appeal.pk).update(reviewer=administration)
    appeal.refresh_from_db()
    with pytest.raises(Exception, match="made the decision"):
        services.appeal_move(appeal=appeal, actor=administration, to_status=AP.UNDER_REVIEW)


def test_the_centre_head_gives_the_appeal_to_another_reviewer(client, appeal, centre_head):
    other = factories.UserFactory(roles=[Role.ADMINISTRATION], full_name="Проректор Екінші")
    client.force_login(centre_head)
    assert client.post(reverse("routes:appeal_assign", args=[appeal.pk]), {"reviewer": other.pk}).status_code == 302
    appeal.refresh_from_db()
    assert appeal.reviewer == other
    assert Notification.objects.filter(recipient=other, kind="appeal_assigned").count() == 1
    assert client.post(reverse("routes:appeal_assign", args=[appeal.pk]), {"reviewer": "x"}).status_code == 422


def test_the_student_withdraws_and_the_reviewer_cannot(client, appeal, student, centre_head):
    client.force_login(centre_head)
    assert _move(client, appeal, to_status=AP.WITHDRAWN).status_code == 422  # not one of the reviewer's answers
    client.force_login(student)
    assert _move(client, appeal, to_status=AP.UPHELD, answer="x").status_code == 422
    assert _move(client, appeal, to_status=AP.WITHDRAWN).status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == AP.WITHDRAWN and appeal.answer == ""


def test_a_move_from_a_stale_page_answers_409(appeal, centre_head, student):
    services.appeal_move(appeal=appeal, actor=student, to_status=AP.WITHDRAWN)
    from audit.workflow import IllegalMove

    with pytest.raises(IllegalMove):
        services.appeal_move(appeal=appeal, actor=centre_head, to_status=AP.UNDER_REVIEW)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("student", 200),
        ("representative", 200),
        ("centre_head", 200),  # the reviewer, and the manager of every appeal
        ("administration", 404),  # it made the decision; not its reviewer
        ("specialist", 404),
        ("lecturer", 404),
        ("other_student", 404),
        ("auditor", 404),
        ("outsider", 404),
    ],
)
def test_who_sees_an_appeal(client, request, appeal, representative, who, status):
    user = request.getfixturevalue(who)
    client.force_login(user)
    assert client.get(reverse("routes:appeal", args=[appeal.pk])).status_code == status
    before = appeal.status
    if status == 404:
        assert _move(client, appeal, to_status=AP.UNDER_REVIEW).status_code == 404
        assert client.post(reverse("routes:appeal_assign", args=[appeal.pk]), {"reviewer": user.pk}).status_code == 404
        appeal.refresh_from_db()
        assert appeal.status == before


@pytest.mark.parametrize(
    ("who", "queue", "mine"),
    [
        ("student", 404, 200),
        ("representative", 404, 200),
        ("centre_head", 200, 404),
        ("administration", 200, 404),
        ("specialist", 404, 404),
        ("lecturer", 404, 404),
        ("outsider", 404, 404),
    ],
)
def test_who_has_the_queue_and_my_appeals(client, request, representative, who, queue, mine):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("routes:appeal_queue")).status_code == queue
    assert client.get(reverse("routes:appeals")).status_code == mine


def test_only_the_applicant_side_files(client, in_force, specialist, centre_head, other_student):
    for user in (specialist, centre_head, other_student):
        client.force_login(user)
        assert client.get(reverse("routes:appeal_new", args=[in_force.application.public_id])).status_code == 404
        assert _new(client, in_force.application, decision=f"route:{in_force.pk}", grounds="x").status_code == 404
    assert Appeal.objects.count() == 0


def test_the_queue_flags_overdue_in_words_and_keeps_its_query_count(
    client, in_force, student, centre_head, django_assert_max_num_queries
):
    for index in range(25):
        Appeal.objects.create(
            application=in_force.application,
            subject="route",
            route=in_force,
            grounds=f"Себеп {index}",
            filed_by=student,
            reviewer=centre_head,
            due_on=timezone.localdate() + datetime.timedelta(days=-2 if index < 3 else 5),
        )
    client.force_login(centre_head)
    with django_assert_max_num_queries(13):
        response = client.get(reverse("routes:appeal_queue"))
    assert response.status_code == 200
    assert len(response.context["items"]) == 20 and response.context["page"].paginator.count == 25
    assert "Overdue" in response.content.decode()
    overdue = client.get(reverse("routes:appeal_queue"), {"overdue": "on"}).context["items"]
    assert len(overdue) == 3 and all(item.is_overdue for item in overdue)
    assert client.get(reverse("routes:appeal_queue"), {"status": "nonsense"}).status_code == 422
    client.force_login(student)
    with django_assert_max_num_queries(13):
        mine = client.get(reverse("routes:appeals"))
    assert len(mine.context["items"]) == 20


def test_the_reviewers_work_list_has_the_appeal(appeal, centre_head, administration):
    items = [item for item in work_of(centre_head) if item.kind == "answer_appeal"]
    assert [item.url for item in items] == [reverse("routes:appeal", args=[appeal.pk])]
    assert items[0].due == appeal.due_on
    assert not [item for item in work_of(administration) if item.kind == "answer_appeal"]


def test_the_subject_access_export_holds_the_appeals(appeal, student):
    from inclusion_centre.pages.subject_access import subject_access_data

    data = subject_access_data(student.student)
    appeals = [item for application in data["applications"] for item in application["appeals"]]
    assert [item["grounds"] for item in appeals] == [appeal.grounds]
