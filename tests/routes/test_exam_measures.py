"""Exam measures of the route (issue #22, item 1): structured fields of the general part, edited by the centre in
the route editor, checked (422 with the message next to the field), kept in history, copied to a new version,
shown on the route page and printed on the route PDF."""

import pytest
from django.urls import reverse

from documents.models import DocumentType, RegisteredDocument
from routes import services
from tests.documents.conftest import pdf_text, stored_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _general(route, **fields):
    return {"revision": route.revision, "goals": route.goals, "support_level": "2", **fields}


def test_the_centre_sets_exam_measures_in_the_editor(client, route, specialist):
    client.force_login(specialist)
    data = _general(route, exam_extra_time="25", exam_separate_room="on", exam_reader="on", exam_rest_breaks="10")
    response = client.post(reverse("routes:route_edit", args=[route.pk]), data)
    assert response.status_code == 302
    route.refresh_from_db()
    assert (route.exam_extra_time, route.exam_rest_breaks) == (25, 10)
    assert route.exam_separate_room and route.exam_reader and not route.exam_scribe
    assert route.history.first().history_user == specialist
    assert route.history.first().exam_extra_time == 25


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("exam_extra_time", "150", "Enter a percentage from 0 to 100."),
        ("exam_extra_time", "-5", "Enter a percentage from 0 to 100."),
        ("exam_extra_time", "lots", "Enter a whole number."),
        ("exam_rest_breaks", "61", "Enter from 0 to 60 minutes."),
    ],
)
def test_bad_exam_measures_are_refused_next_to_the_field(client, route, specialist, field, value, message):
    client.force_login(specialist)
    before = route.revision
    response = client.post(reverse("routes:route_edit", args=[route.pk]), _general(route, **{field: value}))
    assert response.status_code == 422
    assert message in response.content.decode()
    route.refresh_from_db()
    assert route.revision == before and route.exam_extra_time == 0


def test_the_service_refuses_out_of_range_values(route, specialist):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.route_update(route=route, actor=specialist, revision=route.revision, exam_extra_time=101)


def test_a_lecturer_cannot_change_exam_measures(client, route, lecturer):
    client.force_login(lecturer)
    response = client.post(reverse("routes:route_edit", args=[route.pk]), _general(route, exam_extra_time="50"))
    assert response.status_code == 404
    route.refresh_from_db()
    assert route.exam_extra_time == 0


def test_exam_measures_reach_the_route_page_and_the_pdf(
    client, in_approval, administration, specialist, django_capture_on_commit_callbacks
):
    in_approval.exam_extra_time = 30  # set before approval: the approved document is frozen with it
    in_approval.exam_scribe = True
    in_approval.save()
    with django_capture_on_commit_callbacks(execute=True):
        approved = services.route_approve(route=in_approval, actor=administration)
    client.force_login(specialist)
    body = client.get(reverse("routes:route", args=[approved.pk])).content.decode()
    assert "Exam arrangements" in body and "+30 %" in body
    document = RegisteredDocument.objects.get(document_type=DocumentType.ROUTE, object_id=approved.pk)
    text = pdf_text(stored_bytes(document, "kk"))
    assert "+30 %" in text


def test_a_new_version_copies_the_exam_measures(in_force, specialist):
    in_force.exam_extra_time = 25
    in_force.exam_oral = True
    in_force.save()
    review = services.route_review(
        route=in_force, actor=specialist, reason="other", outcome="revise", comment="Жаңа нұсқа керек"
    )
    new = review.route.next_version if hasattr(review.route, "next_version") else None
    assert new is not None
    assert new.exam_extra_time == 25 and new.exam_oral
