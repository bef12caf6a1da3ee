"""Every signature the route and the protocol carry: each agreeing lecturer and the approving official sign the
registered route, the chair and the secretary the protocol; nobody else may (404), and nothing changes then."""

import pytest
from django.urls import reverse

from documents.models import DocumentType, RegisteredDocument, Signature
from routes import services
from tests.documents.signing import cms_for, configure_test_ca, give_iin, post_signature, signatures_url

pytestmark = pytest.mark.django_db
IIN = "990101300123"


@pytest.fixture
def qualified(settings, tmp_path):
    return configure_test_ca(settings, tmp_path)


@pytest.fixture
def route_document(in_approval, administration, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        route = services.route_approve(route=in_approval, actor=administration)
    return RegisteredDocument.objects.get(document_type=DocumentType.ROUTE, object_id=route.pk)


@pytest.fixture
def protocol_document(held, centre_head, secretary, django_capture_on_commit_callbacks):
    services.protocol_sign(protocol=held, actor=secretary)
    with django_capture_on_commit_callbacks(execute=True):
        protocol = services.protocol_sign(protocol=held, actor=centre_head)
    return RegisteredDocument.objects.get(document_type=DocumentType.PROTOCOL, object_id=protocol.pk)


def test_each_lecturer_and_the_approving_official_sign_the_route(
    client, qualified, route_document, lecturer, second_lecturer, administration
):
    route = route_document.source
    for person, role in ((lecturer, "lecturer"), (second_lecturer, "lecturer"), (administration, "approving_official")):
        give_iin(person, IIN)
        client.force_login(person)
        if role == "lecturer":  # the route page, which shows a lecturer only their sections, links to the signing
            page = client.get(reverse("routes:route", args=[route.pk])).content.decode()
            assert signatures_url(route_document) in page
        cms = cms_for(qualified, route_document, "ru", iin=IIN)
        response = post_signature(client, route_document, role=role, language="ru", cms=cms)
        assert response.status_code == 302, response.content.decode()[:300]
    signed = Signature.objects.filter(document=route_document)
    assert sorted(signed.values_list("role", flat=True)) == ["approving_official", "lecturer", "lecturer"]
    assert set(signed.values_list("method", flat=True)) == {"ncalayer"}


def test_a_lecturer_cannot_sign_as_the_approving_official(client, qualified, route_document, lecturer):
    give_iin(lecturer, IIN)
    client.force_login(lecturer)
    cms = cms_for(qualified, route_document, "kk", iin=IIN)
    assert post_signature(client, route_document, role="approving_official", cms=cms).status_code == 422
    assert not Signature.objects.exists()


@pytest.mark.parametrize("persona_name", ["student", "representative", "auditor", "outsider", "specialist"])
def test_people_the_route_does_not_name_as_signers_cannot_sign_it(
    client, qualified, route_document, request, persona_name
):
    user = give_iin(request.getfixturevalue(persona_name), IIN)
    client.force_login(user)
    cms = cms_for(qualified, route_document, "kk", iin=IIN)
    for role in ("lecturer", "approving_official"):
        assert post_signature(client, route_document, role=role, cms=cms).status_code in (404, 422)
    assert not Signature.objects.exists()


def test_the_chair_and_the_secretary_sign_the_protocol(client, qualified, protocol_document, centre_head, secretary):
    for person, role in ((centre_head, "chair"), (secretary, "secretary")):
        give_iin(person, IIN)
        client.force_login(person)
        cms = cms_for(qualified, protocol_document, "kk", iin=IIN)
        assert post_signature(client, protocol_document, role=role, cms=cms).status_code == 302
    assert sorted(Signature.objects.values_list("role", flat=True)) == ["chair", "secretary"]


@pytest.mark.parametrize("persona_name", ["student", "lecturer", "administration", "outsider"])
def test_others_get_404_on_the_protocols_signatures(client, qualified, protocol_document, request, persona_name):
    client.force_login(give_iin(request.getfixturevalue(persona_name), IIN))
    assert client.get(signatures_url(protocol_document)).status_code == 404
    cms = cms_for(qualified, protocol_document, "kk", iin=IIN)
    assert post_signature(client, protocol_document, role="chair", cms=cms).status_code == 404
    assert not Signature.objects.exists()
