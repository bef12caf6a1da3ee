"""The student's voice on their route (issue 25, regulation §4.4): a comment on the draft before it goes to the
lecturers, and the acknowledgement of the approved route, with or without a disagreement. Only the student side
writes; the centre reads every word; lecturers and the administration see only whether it was acknowledged."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audit.workflow import IllegalMove
from inclusion_centre.accounts.models import Notification
from routes import services
from routes.models import StudentVoice
from routes.pdf_forms import route_context

pytestmark = pytest.mark.django_db

SAID = "MARKER-STUDENT-SAID"
K = StudentVoice.Kind


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _url(route):
    return reverse("routes:route_voice", args=[route.pk])


# --- Services -----------------------------------------------------------------------------------------------


def test_the_student_and_the_representative_comment_on_the_draft_and_the_authors_are_told(
    route, student, representative, specialist
):
    first = services.voice_comment(route=route, actor=student, text=f"  Көмекші керек. {SAID} ")
    second = services.voice_comment(route=route, actor=representative, text="Ата-анасы ретінде келісемін.")
    assert (first.kind, first.text, first.author) == (K.COMMENT, f"Көмекші керек. {SAID}", student)
    assert second.author == representative
    assert first.history.first().history_user == student
    assert Notification.objects.filter(kind="route_student_comment", recipient=specialist).count() == 2


@pytest.mark.parametrize(
    "who", ["specialist", "centre_head", "lecturer", "administration", "other_student", "outsider"]
)
def test_nobody_else_comments(request, route, who):
    with pytest.raises(PermissionDenied):
        services.voice_comment(route=route, actor=request.getfixturevalue(who), text="x")
    assert not StudentVoice.objects.exists()


def test_a_comment_needs_a_draft_and_a_text(route, student, specialist):
    with pytest.raises(ValidationError):
        services.voice_comment(route=route, actor=student, text="   ")
    with pytest.raises(ValidationError):
        services.voice_comment(route=route, actor=student, text="я" * 3001)
    from tests.routes.conftest import send

    send(route, specialist)
    with pytest.raises(IllegalMove):
        services.voice_comment(route=route, actor=student, text="Кеш қалдым")
    assert not StudentVoice.objects.exists()


def test_the_route_in_force_is_acknowledged_once(in_force, student, representative):
    voice = services.voice_acknowledge(route=in_force, actor=representative, agrees=True)
    assert voice.kind == K.ACKNOWLEDGED
    with pytest.raises(IllegalMove):
        services.voice_acknowledge(route=in_force, actor=student, agrees=False, text="Келіспеймін")
    assert StudentVoice.objects.count() == 1


def test_a_disagreement_says_what_and_tells_the_centre(in_force, student, specialist, centre_head):
    with pytest.raises(ValidationError):
        services.voice_acknowledge(route=in_force, actor=student, agrees=False, text=" ")
    voice = services.voice_acknowledge(route=in_force, actor=student, agrees=False, text=SAID)
    assert voice.kind == K.DISAGREED
    assert Notification.objects.filter(kind="route_student_disagrees", recipient=specialist).exists()
    assert Notification.objects.filter(kind="route_student_disagrees", recipient=centre_head).exists()


def test_a_draft_or_someone_else_cannot_acknowledge(route, in_force, lecturer, specialist, student):
    with pytest.raises(PermissionDenied):
        services.voice_acknowledge(route=in_force, actor=lecturer, agrees=True)
    with pytest.raises(PermissionDenied):
        services.voice_acknowledge(route=in_force, actor=specialist, agrees=True)


def test_a_draft_is_not_acknowledged(route, student):
    with pytest.raises(IllegalMove):
        services.voice_acknowledge(route=route, actor=student, agrees=True)


# --- The student's page -------------------------------------------------------------------------------------

OTHERS = ["specialist", "centre_head", "lecturer", "administration", "auditor", "sysadmin", "other_student", "outsider"]


@pytest.mark.parametrize("who", ["student", "representative"])
def test_the_student_side_opens_the_draft_and_comments(client, request, route, who):
    client.force_login(request.getfixturevalue(who))
    page = client.get(_url(route))
    assert page.status_code == 200
    assert "Оқу нәтижелеріне жету" in page.content.decode()
    response = client.post(_url(route), {"text": SAID})
    assert response.status_code == 302
    assert StudentVoice.objects.get().text == SAID
    assert SAID in client.get(_url(route)).content.decode()


@pytest.mark.parametrize("who", OTHERS)
def test_everyone_else_gets_404_and_writes_nothing(client, request, route, in_force, who):
    client.force_login(request.getfixturevalue(who))
    for item in (route, in_force):
        assert client.get(_url(item)).status_code == 404
        assert client.post(_url(item), {"text": SAID, "answer": "agree"}).status_code == 404
    assert not StudentVoice.objects.exists()


def test_anonymous_is_sent_to_sign_in(client, route):
    assert client.get(_url(route)).status_code == 302


def test_an_empty_comment_is_422_with_the_message_next_to_the_field(client, route, student):
    client.force_login(student)
    response = client.post(_url(route), {"text": "  "})
    assert response.status_code == 422
    assert "Write your comment." in response.content.decode()
    assert client.post(_url(route), {"text": "я" * 3001}).status_code == 422
    assert not StudentVoice.objects.exists()


def test_a_route_with_the_lecturers_is_not_shown_to_the_student(client, route, student, specialist):
    from tests.routes.conftest import send

    send(route, specialist)
    client.force_login(student)
    assert client.get(_url(route)).status_code == 404


def test_the_student_acknowledges_with_a_disagreement(client, in_force, student):
    client.force_login(student)
    page = client.get(reverse("routes:route", args=[in_force.pk])).content.decode()
    assert _url(in_force) in page
    response = client.post(_url(in_force), {"answer": "disagree", "text": ""})
    assert response.status_code == 422
    assert "Say what you disagree with." in response.content.decode()
    assert client.post(_url(in_force), {"answer": "maybe"}).status_code == 422
    assert not StudentVoice.objects.exists()
    assert client.post(_url(in_force), {"answer": "disagree", "text": SAID}).status_code == 302
    assert StudentVoice.objects.get().kind == K.DISAGREED
    # Acknowledged once: the form is gone and a second answer is refused without writing.
    assert client.post(_url(in_force), {"answer": "agree"}).status_code == 404
    assert StudentVoice.objects.count() == 1
    page = client.get(reverse("routes:route", args=[in_force.pk])).content.decode()
    assert "Acknowledged with disagreement" in page


def test_the_student_acknowledges_the_route(client, in_force, representative):
    client.force_login(representative)
    assert client.post(_url(in_force), {"answer": "agree"}).status_code == 302
    assert StudentVoice.objects.get().kind == K.ACKNOWLEDGED


# --- Who reads what -----------------------------------------------------------------------------------------


def test_the_centre_sees_the_draft_comment_before_sending(client, route, student, specialist, centre_head):
    services.voice_comment(route=route, actor=student, text=SAID)
    for person in (specialist, centre_head):
        client.force_login(person)
        page = client.get(reverse("routes:route", args=[route.pk])).content.decode()
        assert SAID in page
        assert "Comment on the draft" in page


def test_lecturers_and_the_administration_see_the_status_not_the_text(
    client, in_force, student, lecturer, administration, specialist
):
    services.voice_acknowledge(route=in_force, actor=student, agrees=False, text=SAID)
    for person in (lecturer, administration):
        client.force_login(person)
        page = client.get(reverse("routes:route", args=[in_force.pk])).content.decode()
        assert "Acknowledged with disagreement" in page
        assert SAID not in page
    client.force_login(specialist)
    assert SAID in client.get(reverse("routes:route", args=[in_force.pk])).content.decode()


def test_not_acknowledged_yet_is_said(client, in_force, lecturer):
    client.force_login(lecturer)
    assert (
        "Not acknowledged by the student yet"
        in client.get(reverse("routes:route", args=[in_force.pk])).content.decode()
    )


def test_the_case_page_links_the_draft_for_the_student_and_shows_the_timeline(client, route, student, specialist):
    client.force_login(student)
    case_url = reverse("students:application_detail", args=[route.application.public_id])
    assert _url(route) in client.get(case_url).content.decode()
    services.voice_comment(route=route, actor=student, text=SAID)
    client.force_login(specialist)
    page = client.get(case_url).content.decode()
    assert "The student commented on the draft route" in page


def test_the_agreement_sheet_prints_the_comment_and_the_acknowledgement(route, in_force, student):
    services.voice_acknowledge(route=in_force, actor=student, agrees=False, text=SAID)
    voices = route_context(in_force)["student_voices"]
    assert [voice.kind for voice in voices] == [K.DISAGREED]
    from django.template.loader import render_to_string

    html = render_to_string("documents/pdf/route.html", route_context(in_force))
    # Kind and date: the lecturers sign this sheet, so the student's words stay in the centre's file.
    assert "acknowledgement" in html and "Acknowledged with disagreement" in html
    assert SAID not in html


# --- Queries ------------------------------------------------------------------------------------------------


def test_the_student_page_costs_the_same_for_1_or_20_comments(client, route, student, django_assert_max_num_queries):
    services.voice_comment(route=route, actor=student, text="Бірінші")
    client.force_login(student)
    with django_assert_max_num_queries(14) as few:
        assert client.get(_url(route)).status_code == 200
    for n in range(19):
        services.voice_comment(route=route, actor=student, text=f"Пікір {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(_url(route)).status_code == 200
