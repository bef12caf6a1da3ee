"""The route editor saves each part on its own: with htmx the answer is that part alone (200 with the saved
values and the new revision, 422 or 409 with the message next to the field inside the part), so what was typed in
the other parts stays on the page; without JavaScript, the whole page as before."""

import json

import pytest
from django.urls import reverse

from routes import services
from routes.models import Route

from .conftest import send

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _general(route, **fields):
    return {"revision": route.revision, "goals": route.goals, "support_level": "2", **fields}


def _section(route, section, **fields):
    prefix = f"s{section.pk}"
    data = {f"{prefix}-revision": route.revision}
    data.update({f"{prefix}-{name}": value for name, value in fields.items()})
    return data


def _revision_event(response) -> int:
    return json.loads(response["HX-Trigger"])["route-revision"]["revision"]


def test_the_general_part_answers_alone(client, route, specialist):
    client.force_login(specialist)
    others = list(route.sections.all())
    response = client.post(reverse("routes:route_edit", args=[route.pk]), _general(route, goals="Жаңа мақсат"), **HX)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="general-part"')
    assert "<html" not in body and "Жаңа мақсат" in body
    assert "The general part of the route is saved." in body
    assert not any(f'id="section-{s.pk}"' in body for s in others)  # the sections are not drawn again
    route.refresh_from_db()
    assert route.goals == "Жаңа мақсат"
    # The new revision goes to the page (for the other parts' forms) and into the part's own form.
    assert _revision_event(response) == route.revision
    assert f'name="revision" value="{route.revision}"' in body


def test_a_section_answers_alone_and_the_next_part_saves_with_the_new_revision(client, route, specialist):
    client.force_login(specialist)
    first, second = route.sections.order_by("order")
    url = reverse("routes:section_update", args=[route.pk, first.pk])
    response = client.post(url, _section(route, first, assessment_forms="Ауызша жауап"), **HX)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith(f'<section class="card" id="section-{first.pk}"')
    assert "<html" not in body and 'id="general-part"' not in body and f'id="section-{second.pk}"' not in body
    assert "Ауызша жауап" in body
    first.refresh_from_db()
    assert first.assessment_forms == "Ауызша жауап"
    revision = _revision_event(response)
    route.refresh_from_db()
    assert revision == route.revision
    # The second section, typed before the first was saved, saves with the revision the event gave the page.
    other = client.post(
        reverse("routes:section_update", args=[route.pk, second.pk]),
        {f"s{second.pk}-revision": revision, f"s{second.pk}-methods": "Аудиожазба"},
        **HX,
    )
    assert other.status_code == 200
    second.refresh_from_db()
    assert second.methods == "Аудиожазба"


def test_invalid_input_answers_422_inside_the_part(client, route, specialist):
    client.force_login(specialist)
    before = route.revision
    response = client.post(
        reverse("routes:route_edit", args=[route.pk]), _general(route, first_review_on="31.31.2027"), **HX
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="general-part"')
    assert "Enter a real date." in body and "data-error-summary" in body
    assert 'href="#id_first_review_on"' in body  # the summary links to the field
    assert "data-unsaved" in body  # what the part shows is not saved
    assert "HX-Trigger" not in response
    route.refresh_from_db()
    assert route.revision == before

    section = route.sections.first()
    too_long = client.post(
        reverse("routes:section_update", args=[route.pk, section.pk]),
        _section(route, section, methods="x" * 5001),
        **HX,
    )
    assert too_long.status_code == 422
    text = too_long.content.decode()
    assert text.lstrip().startswith(f'<section class="card" id="section-{section.pk}"')
    assert f'href="#id_s{section.pk}-methods"' in text
    assert f'aria-labelledby="section-errors-{section.pk}-title"' in text  # ids stay unique on the page
    section.refresh_from_db()
    assert section.methods != "x" * 5001


def test_a_service_refusal_is_shown_next_to_its_field(client, route, specialist):
    client.force_login(specialist)
    response = client.post(
        reverse("routes:route_edit", args=[route.pk]),
        _general(route, first_review_on="2027-03-01", second_review_on="2027-02-01"),
        **HX,
    )
    assert response.status_code == 422
    assert "The second review comes after the first." in response.content.decode()


def test_a_stale_part_answers_409_and_keeps_what_was_typed(client, route, specialist):
    client.force_login(specialist)
    section = route.sections.first()
    stale = route.revision
    services.route_update(route=route, actor=specialist, revision=route.revision, goals="Біреу өзгертті")
    response = client.post(
        reverse("routes:section_update", args=[route.pk, section.pk]),
        {f"s{section.pk}-revision": stale, f"s{section.pk}-methods": "Менің мәтінім"},
        **HX,
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else changed this route" in body and "Менің мәтінім" in body
    section.refresh_from_db()
    assert section.methods != "Менің мәтінім"


def test_a_route_no_longer_in_draft_answers_409_in_the_part(client, route, specialist):
    sent = send(route, specialist)
    client.force_login(specialist)
    response = client.post(reverse("routes:route_edit", args=[sent.pk]), _general(sent, goals="Кеш"), **HX)
    assert response.status_code == 409
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="general-part"') and "Кеш" in body
    assert "Only a draft route can be changed" in body
    sent.refresh_from_db()
    assert sent.goals != "Кеш" and sent.status == Route.Status.IN_AGREEMENT


def test_without_javascript_the_whole_page_as_before(client, route, specialist):
    client.force_login(specialist)
    section = route.sections.first()
    saved = client.post(reverse("routes:route_edit", args=[route.pk]), _general(route, goals="Мақсат"))
    assert saved.status_code == 302
    route.refresh_from_db()
    invalid = client.post(
        reverse("routes:section_update", args=[route.pk, section.pk]), _section(route, section, methods="x" * 5001)
    )
    assert invalid.status_code == 422
    body = invalid.content.decode()
    assert "<html" in body and 'id="general-part"' in body and "data-unsaved-warning" in body


@pytest.mark.parametrize("who", ["lecturer", "administration", "student", "representative", "outsider"])
def test_others_get_404_and_change_nothing(client, request, route, who):
    client.force_login(request.getfixturevalue(who))
    section = route.sections.first()
    before = (route.revision, route.goals, section.methods)
    assert (
        client.post(reverse("routes:route_edit", args=[route.pk]), _general(route, goals="Бөтен"), **HX).status_code
        == 404
    )
    assert (
        client.post(
            reverse("routes:section_update", args=[route.pk, section.pk]),
            _section(route, section, methods="Бөтен"),
            **HX,
        ).status_code
        == 404
    )
    route.refresh_from_db()
    section.refresh_from_db()
    assert (route.revision, route.goals, section.methods) == before


def test_a_part_costs_a_bounded_number_of_queries(client, route, specialist, django_assert_max_num_queries):
    client.force_login(specialist)
    section = route.sections.first()
    client.get(reverse("routes:route_edit", args=[route.pk]))  # the session's preload
    with django_assert_max_num_queries(40):
        response = client.post(
            reverse("routes:section_update", args=[route.pk, section.pk]), _section(route, section, methods="М"), **HX
        )
    assert response.status_code == 200
